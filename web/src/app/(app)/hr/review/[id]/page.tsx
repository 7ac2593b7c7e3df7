"use client";

import { ArrowLeft } from "lucide-react";
import Link from "next/link";
import { useParams } from "next/navigation";
import * as React from "react";
import { AnalysisStatusBadge, EngineBadge, InvitationStatusBadge, RecommendationBadge } from "@/components/hr/badges";
import { DecisionPanel } from "@/components/hr/review/decision";
import { QuestionReview } from "@/components/hr/review/question-review";
import { ReviewNavigation, ShareLinks, StageBar, TeamReview } from "@/components/hr/review/team-review";
import { Button } from "@/components/ui/button";
import { Alert, ErrorState, LoadingBlock, Spinner } from "@/components/ui/feedback";
import { Card, CardContent } from "@/components/ui/card";
import { errorMessage } from "@/lib/api";
import { analysisIsRunning, useAnalysis, type Analysis } from "@/lib/analysis";
import { useReviewInvitation, type Invitation } from "@/lib/invitations";
import { useReviewBoard } from "@/lib/reviews";
import { formatDate } from "@/lib/utils";

function useCandidateName(invitation: Invitation | undefined): string {
  // The single invitation has no contact fields; the review board has them, for the whole hiring team.
  const board = useReviewBoard(invitation?.id ?? "");
  return board.data?.candidateName || board.data?.candidateEmail || (invitation ? `Candidate ${invitation.candidateId.slice(0, 8)}` : "Candidate");
}

function Overall({ analysis }: { analysis: Analysis }) {
  return (
    <section aria-labelledby="analysis-heading" className="space-y-4">
      <div className="flex flex-wrap items-center gap-2">
        <h2 id="analysis-heading" className="text-lg font-semibold">
          Assessment
        </h2>
        <EngineBadge engine={analysis.engine} />
        <RecommendationBadge value={analysis.recommendation} />
      </div>
      {analysis.engine === "offline" && (
        <Alert variant="warning" title="Heuristic fallback — not an AI assessment">
          No language model was available, so these scores come from simple text measures (length, coverage of the question&apos;s terms,
          detail). Treat them as a rough guide and read the answers yourself.
        </Alert>
      )}
      <div className="grid gap-4 md:grid-cols-[auto_1fr]">
        <div role="group" aria-label={`Overall score ${analysis.overallScore ?? "not available"}`} className="rounded-lg border p-4 text-center">
          <p>
            <span className="block text-sm text-muted-foreground">Overall score</span>{" "}
            <span className="text-4xl font-bold tabular-nums">{analysis.overallScore ?? "—"}</span>
            <span className="text-base text-muted-foreground">/100</span>
          </p>
          {analysis.scoredAnswers != null && analysis.totalAnswers != null && (
            <p className="mt-1 text-xs text-muted-foreground">
              based on {analysis.scoredAnswers} of {analysis.totalAnswers} answers
            </p>
          )}
        </div>
        <div className="space-y-3 text-sm">
          {analysis.summary && <p>{analysis.summary}</p>}
          <div className="grid gap-3 sm:grid-cols-2">
            <div>
              <h3 className="mb-1 font-semibold">Strengths</h3>
              {analysis.strengths.length ? (
                <ul className="list-disc space-y-1 pl-5">{analysis.strengths.map((s) => <li key={s}>{s}</li>)}</ul>
              ) : (
                <p className="text-muted-foreground">None noted.</p>
              )}
            </div>
            <div>
              <h3 className="mb-1 font-semibold">Weaknesses</h3>
              {analysis.weaknesses.length ? (
                <ul className="list-disc space-y-1 pl-5">{analysis.weaknesses.map((s) => <li key={s}>{s}</li>)}</ul>
              ) : (
                <p className="text-muted-foreground">None noted.</p>
              )}
            </div>
          </div>
          <p className="text-xs text-muted-foreground">
            {analysis.engine === "llm" && analysis.modelUsed ? `Model ${analysis.modelUsed} · ` : ""}
            analysed {formatDate(analysis.completedAt, true)}
          </p>
        </div>
      </div>
    </section>
  );
}

function AnalysisState({
  invitation,
  analysis,
  aiHidden,
}: {
  invitation: Invitation;
  analysis: ReturnType<typeof useAnalysis>;
  aiHidden: boolean;
}) {
  if (invitation.status !== "completed")
    return <Alert title="Not completed yet">The analysis starts when the candidate completes the interview.</Alert>;
  if (aiHidden)
    return (
      <Alert title="Rate first, then see the AI">
        This interview is reviewed blind: the AI&apos;s scores and summary appear once you submit your own ratings below.
      </Alert>
    );
  if (analysis.isPending) return <LoadingBlock rows={2} label="Loading the analysis" />;
  if (analysis.isError) return <ErrorState error={analysis.error} onRetry={() => void analysis.refetch()} title="Could not load the analysis" />;
  const data = analysis.data;
  if (data === null || analysisIsRunning(data?.status))
    return (
      <Alert title={data?.status === "waiting_for_transcripts" ? "Waiting for transcripts" : data ? "Analysis in progress" : "Analysis not started yet"}>
        <Spinner label="The AI analysis is running; this page refreshes by itself." />
      </Alert>
    );
  if (data.status === "failed")
    return (
      <Alert variant="error" title="The analysis failed">
        {/* The stored reason names the scoring service's internals (provider, status codes): it stays in the logs. */}
        <p>The automatic scoring could not finish, so this interview has no AI scores.</p>
        <p className="mt-1">You can still review the answers and decide.</p>
      </Alert>
    );
  return <Overall analysis={data} />;
}

export default function ReviewPage() {
  const { id } = useParams<{ id: string }>();
  const invitation = useReviewInvitation(id);
  const completed = invitation.data?.status === "completed";
  const board = useReviewBoard(completed ? id : "");
  // Blind review: the analysis is not even fetched until the board says the caller may see it.
  const aiHidden = board.data?.aiHidden ?? true;
  const analysis = useAnalysis(id, completed && board.isSuccess && !aiHidden);
  const candidate = useCandidateName(invitation.data);

  if (invitation.isPending) return <LoadingBlock rows={4} label="Loading the interview" />;
  if (invitation.isError)
    return (
      <div className="space-y-4">
        <BackLink />
        <ErrorState error={invitation.error} onRetry={() => void invitation.refetch()} title="Could not load this interview" />
      </div>
    );
  const inv = invitation.data;
  const questions = [...(inv.questions ?? [])].sort((a, b) => a.order - b.order);
  const responses = new Map(inv.responses.map((r) => [r.questionId, r]));
  const analyses = new Map((analysis.data?.questionAnalyses ?? []).map((q) => [q.questionId, q]));
  const analysisStatus = analysis.data === null ? null : (analysis.data?.status ?? inv.analysis?.status);

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-2 print:hidden">
        <BackLink />
        <div className="flex flex-wrap gap-2">
          {completed && <ReviewNavigation invitationId={inv.id} />}
          <Button asChild size="sm" variant="outline">
            <Link href={`/hr/review/${inv.id}/report`}>Printable report</Link>
          </Button>
        </div>
      </div>
      <header className="space-y-2">
        <h1 className="text-2xl font-bold tracking-tight">{candidate}</h1>
        <p className="text-muted-foreground">
          {inv.templateTitle} · {inv.companyName}
        </p>
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <InvitationStatusBadge status={inv.status} />
          {completed && <AnalysisStatusBadge status={analysisStatus} />}
          <span className="text-muted-foreground">
            {inv.progress.answered}/{inv.progress.total} answered
            {inv.completedAt ? ` · completed ${formatDate(inv.completedAt, true)}` : ` · expires ${formatDate(inv.expiresAt, true)}`}
            {inv.completedReason && inv.completedReason !== "manual" ? ` (${inv.completedReason.replace("_", " ")})` : ""}
          </span>
        </div>
      </header>

      <Card>
        <CardContent className="pt-5">
          <AnalysisState invitation={inv} analysis={analysis} aiHidden={completed && aiHidden} />
        </CardContent>
      </Card>

      <section aria-labelledby="answers-heading" className="space-y-4">
        <h2 id="answers-heading" className="text-lg font-semibold">
          Answers
        </h2>
        {questions.length === 0 ? (
          <p className="text-sm text-muted-foreground">This interview has no questions.</p>
        ) : (
          questions.map((q) => (
            <QuestionReview
              key={q.id}
              question={q}
              response={responses.get(q.id)}
              analysis={completed && aiHidden ? undefined : analyses.get(q.id)}
              candidate={candidate}
            />
          ))
        )}
        {analysis.isError && <p className="text-sm text-destructive">Per-question scores are missing: {errorMessage(analysis.error)}</p>}
      </section>

      {completed && (
        <>
          <Card>
            <CardContent className="pt-5">
              <TeamReview invitationId={inv.id} questions={questions.map((q) => ({ id: q.id, order: q.order, text: q.text }))} />
            </CardContent>
          </Card>
          {/* The decision bar comes after the answers: read first, then decide. */}
          <Card>
            <CardContent className="space-y-4 pt-5">
              <StageBar invitationId={inv.id} />
              <DecisionPanel invitation={inv} analysisStatus={analysisStatus} />
            </CardContent>
          </Card>
          <Card>
            <CardContent className="pt-5">
              <ShareLinks invitationId={inv.id} />
            </CardContent>
          </Card>
        </>
      )}
      {!completed && (
        <Card>
          <CardContent className="pt-5">
            <DecisionPanel invitation={inv} analysisStatus={analysisStatus} />
          </CardContent>
        </Card>
      )}
    </div>
  );
}

function BackLink() {
  return (
    <Link href="/hr/review" className="inline-flex items-center gap-1 text-sm text-muted-foreground hover:text-foreground">
      <ArrowLeft className="h-4 w-4" aria-hidden /> All completed interviews
    </Link>
  );
}
