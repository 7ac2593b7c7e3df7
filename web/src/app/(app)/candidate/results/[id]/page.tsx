"use client";

import { ArrowLeft, Info } from "lucide-react";
import Link from "next/link";
import { use } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Alert, ErrorState, LoadingBlock, PageHeader, Spinner } from "@/components/ui/feedback";
import { analysisInProgress, useCandidateAnalysis } from "@/lib/analysis";
import { ApiError } from "@/lib/api";
import { useInvitationWithTemplate } from "@/lib/invitations";
import { formatDate } from "@/lib/utils";

const RECOMMENDATION: Record<string, string> = { hire: "Recommended", consider: "Worth considering", reject: "Not recommended" };
const QUESTION_TYPE: Record<string, string> = { text: "Text", multiple_choice: "Multiple choice", video: "Video", audio: "Audio", code: "Code" };

export default function CandidateResults({ params }: { params: Promise<{ id: string }> }) {
  const { id } = use(params);
  // With the template: its title names the page.
  const invitation = useInvitationWithTemplate(id);
  const completed = invitation.data?.status === "completed";
  const analysis = useCandidateAnalysis(id, completed);

  const back = (
    <Button asChild variant="outline" size="sm">
      <Link href="/candidate/dashboard">
        <ArrowLeft aria-hidden /> My interviews
      </Link>
    </Button>
  );

  if (invitation.isPending) return <LoadingBlock rows={4} label="Loading your results…" />;
  if (invitation.isError)
    return (
      <div className="space-y-4">
        <PageHeader title="Results" actions={back} />
        <ErrorState error={invitation.error} title="Could not load this interview" onRetry={() => void invitation.refetch()} />
      </div>
    );

  const inv = invitation.data;
  const title = inv.templateTitle ?? analysis.data?.templateTitle ?? "Interview results";
  const decision =
    inv.decision === "approved" ? (
      <Alert variant="success" title="Approved">
        {inv.companyName} approved your interview{inv.decisionAt ? ` on ${formatDate(inv.decisionAt)}` : ""}.
        {inv.decisionNote && <span className="mt-1 block">Note: {inv.decisionNote}</span>}
      </Alert>
    ) : inv.decision === "rejected" ? (
      <Alert variant="info" title="Not selected">
        {inv.companyName} decided not to continue with your application{inv.decisionAt ? ` (${formatDate(inv.decisionAt)})` : ""}.
        {inv.decisionNote && <span className="mt-1 block">Note: {inv.decisionNote}</span>}
      </Alert>
    ) : null;

  let body: React.ReactNode;
  if (!completed) {
    body = (
      <Alert variant="info" title="No results yet">
        Results are available once the interview is completed.{" "}
        {inv.status === "in_progress" || inv.status === "pending" ? (
          <Link className="font-medium underline" href={`/interview/${inv.id}`}>
            Go to the interview
          </Link>
        ) : null}
      </Alert>
    );
  } else if (analysis.isPending || (analysis.error instanceof ApiError && analysis.error.statusCode === 404)) {
    body = (
      <Card>
        <CardContent className="pt-5">
          <Spinner label="Your answers are queued for analysis. This page updates by itself." />
        </CardContent>
      </Card>
    );
  } else if (analysis.isError) {
    body = <ErrorState error={analysis.error} title="Could not load the analysis" onRetry={() => void analysis.refetch()} />;
  } else {
    const a = analysis.data;
    if (analysisInProgress(a.status)) {
      body = (
        <Card>
          <CardContent className="pt-5">
            <Spinner label="Analyzing your answers… This page updates by itself." />
          </CardContent>
        </Card>
      );
    } else if (a.status === "failed") {
      body = (
        <Alert variant="warning" title="The automatic analysis failed">
          Your answers were received and {inv.companyName} can still review them. The analysis may be run again later.
        </Alert>
      );
    } else {
      body = (
        <div className="space-y-5">
          {a.engine === "offline" && (
            <Alert variant="info" title="Scored without an AI model">
              <span className="flex gap-2">
                <Info className="mt-0.5 h-4 w-4 shrink-0" aria-hidden />
                These scores come from simple, transparent text measures (the platform&apos;s offline scorer), not from an AI model. Treat
                them as a rough indication only.
              </span>
            </Alert>
          )}
          <div className="grid gap-4 sm:grid-cols-3">
            <Card>
              <CardHeader>
                <CardTitle className="text-sm font-medium text-muted-foreground">Overall score</CardTitle>
              </CardHeader>
              <CardContent>
                <p className="text-4xl font-bold tabular-nums">{a.overallScore ?? "—"}<span className="text-lg text-muted-foreground">/100</span></p>
                {a.scoredAnswers !== null && a.totalAnswers !== null && (
                  <p className="mt-1 text-xs text-muted-foreground">
                    Based on {a.scoredAnswers} of {a.totalAnswers} answers
                  </p>
                )}
              </CardContent>
            </Card>
            <Card className="sm:col-span-2">
              <CardHeader>
                <CardTitle className="text-sm font-medium text-muted-foreground">Summary</CardTitle>
              </CardHeader>
              <CardContent className="space-y-2">
                {a.recommendation && <Badge variant="outline">{RECOMMENDATION[a.recommendation] ?? a.recommendation}</Badge>}
                <p className="text-sm">{a.summary || "No summary."}</p>
              </CardContent>
            </Card>
          </div>
          <div className="grid gap-4 sm:grid-cols-2">
            <ListCard title="Strengths" items={a.strengths} empty="None noted." />
            <ListCard title="Areas to improve" items={a.weaknesses} empty="None noted." />
          </div>
          <section aria-labelledby="per-question" className="space-y-3">
            <h2 id="per-question" className="text-lg font-semibold">
              Feedback per question
            </h2>
            {a.questionAnalyses.length === 0 ? (
              <p className="text-sm text-muted-foreground">No per-question feedback.</p>
            ) : (
              a.questionAnalyses.map((q, i) => (
                <Card key={q.questionId}>
                  <CardContent className="space-y-2 pt-5">
                    <div className="flex flex-wrap items-start justify-between gap-2">
                      <h3 className="font-medium">
                        {i + 1}. {q.questionText}
                      </h3>
                      <div className="flex items-center gap-2">
                        <Badge variant="outline">{QUESTION_TYPE[q.questionType] ?? q.questionType}</Badge>
                        <Badge variant={q.score === null ? "secondary" : "default"}>{q.score === null ? "Not scored" : `${q.score}/100`}</Badge>
                      </div>
                    </div>
                    {q.responseText && (
                      <p className="line-clamp-4 whitespace-pre-line rounded bg-muted/50 p-2 text-sm text-muted-foreground">{q.responseText}</p>
                    )}
                    <p className="text-sm">{q.feedback}</p>
                  </CardContent>
                </Card>
              ))
            )}
          </section>
          {a.completedAt && <p className="text-xs text-muted-foreground">Analysed {formatDate(a.completedAt, true)}.</p>}
        </div>
      );
    }
  }

  return (
    <div className="space-y-5">
      <PageHeader title={title} description={`${inv.companyName} · completed ${formatDate(inv.completedAt)}`} actions={back} />
      {decision}
      {body}
    </div>
  );
}

function ListCard({ title, items, empty }: { title: string; items: string[]; empty: string }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-base">{title}</CardTitle>
      </CardHeader>
      <CardContent>
        {items.length === 0 ? (
          <p className="text-sm text-muted-foreground">{empty}</p>
        ) : (
          <ul className="list-disc space-y-1 pl-5 text-sm">
            {items.map((s, i) => (
              <li key={i}>{s}</li>
            ))}
          </ul>
        )}
      </CardContent>
    </Card>
  );
}
