"use client";

import { ArrowLeft } from "lucide-react";
import Link from "next/link";
import { use } from "react";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Alert, ErrorState, LoadingBlock, PageHeader } from "@/components/ui/feedback";
import { WhatHappensNext } from "@/components/interview/interview-runner";
import { BAND_WORDS, useExplanation, type ExplainedAnswer } from "@/lib/explanations";
import { dateLocale, useLocale, useT, type T } from "@/lib/i18n";
import { useInvitationWithTemplate } from "@/lib/invitations";
import { useMe } from "@/lib/profile";
import { formatDate } from "@/lib/utils";

/**
 * A candidate's outcome: a person's decision once the company shares it (with their feedback where the template
 * gives it), else what happens next. Where the company explains outcomes: a rejection's recorded reason, and each
 * answer on the company's criteria in plain bands with a quote from it. Never the AI's score, verdict or tips: the
 * API does not give them to candidates either.
 */
export default function CandidateOutcome({ params }: { params: Promise<{ id: string }> }) {
  const { id } = use(params);
  const invitation = useInvitationWithTemplate(id);
  const explained = invitation.data?.explanationsReleased === true;
  const explanation = useExplanation(id, explained);
  const t = useT();
  const dates = dateLocale(useLocale(useMe().data?.language));

  const back = (
    <Button asChild variant="outline" size="sm">
      <Link href="/candidate/dashboard">
        <ArrowLeft aria-hidden /> {t("My interviews")}
      </Link>
    </Button>
  );

  if (invitation.isPending) return <LoadingBlock rows={4} label={t("Loading your interview…")} />;
  if (invitation.isError)
    return (
      <div className="space-y-4">
        <PageHeader title={t("Outcome")} actions={back} />
        <ErrorState error={invitation.error} title={t("Could not load this interview")} retryLabel={t("Try again")} onRetry={() => void invitation.refetch()} />
      </div>
    );

  const inv = invitation.data;
  const title = inv.templateTitle ?? t("Your interview");
  if (inv.status !== "completed")
    return (
      <div className="space-y-5">
        <PageHeader title={title} description={inv.companyName} actions={back} />
        <Alert variant="info" title={t("Not finished yet")}>
          {t("The outcome is shared after you complete the interview.")}{" "}
          {inv.status === "in_progress" || inv.status === "pending" ? (
            <Link className="font-medium underline" href={`/interview/${inv.id}`}>
              {t("Go to the interview")}
            </Link>
          ) : null}
        </Alert>
      </div>
    );

  const feedback = inv.candidateFeedback ? (
    <blockquote className="mt-2 block rounded-md border-l-4 border-primary/40 bg-muted/50 px-3 py-2">
      <span className="font-medium">{t("Feedback from {company}: ", { company: inv.companyName })}</span>
      {inv.candidateFeedback}
    </blockquote>
  ) : null;
  const reason = inv.rejectionReason ? (
    <blockquote className="mt-2 block rounded-md border-l-4 border-primary/40 bg-muted/50 px-3 py-2">
      <span className="font-medium">{t("The reviewer's reason: ")}</span>
      <span className="whitespace-pre-wrap">{inv.rejectionReason}</span>
    </blockquote>
  ) : null;
  return (
    <div className="space-y-5">
      <PageHeader title={title} description={t("{company} · completed {date}", { company: inv.companyName, date: formatDate(inv.completedAt, false, dates) })} actions={back} />
      {inv.decision === "approved" ? (
        <Alert variant="success" title={t("Approved")}>
          {inv.decisionAt
            ? t("{company} approved your interview on {date} and will contact you about the next step.", {
                company: inv.companyName,
                date: formatDate(inv.decisionAt, false, dates),
              })
            : t("{company} approved your interview and will contact you about the next step.", { company: inv.companyName })}
          {feedback}
        </Alert>
      ) : inv.decision === "rejected" ? (
        <Alert variant="info" title={t("Not selected")}>
          {inv.decisionAt
            ? t("{company} decided not to continue with your application ({date}).", { company: inv.companyName, date: formatDate(inv.decisionAt, false, dates) })
            : t("{company} decided not to continue with your application.", { company: inv.companyName })}
          {reason}
          {feedback}
        </Alert>
      ) : (
        <Card>
          <CardContent className="pt-5">
            <WhatHappensNext invitation={inv} />
          </CardContent>
        </Card>
      )}
      {explained && (
        <section aria-labelledby="explained-heading" className="space-y-3">
          <div>
            <h2 id="explained-heading" className="text-lg font-semibold">
              {t("Your answers explained")}
            </h2>
            <p className="text-sm text-muted-foreground">
              {t("How your answers compare with what {company} looked for. A person made the decision; this explains it, it is not a score.", {
                company: inv.companyName,
              })}
            </p>
          </div>
          {explanation.isPending ? (
            <LoadingBlock rows={2} label={t("Loading the explanation…")} />
          ) : explanation.isError ? (
            <ErrorState error={explanation.error} title={t("The explanation could not be loaded")} retryLabel={t("Try again")} onRetry={() => void explanation.refetch()} />
          ) : explanation.data === null ? (
            <Alert variant="info">{t("The explanation of your answers is not ready yet. Please look again later.")}</Alert>
          ) : explanation.data.answers.length === 0 ? (
            <Alert variant="info">{t("None of your answers could be explained on the company's criteria.")}</Alert>
          ) : (
            <ol className="space-y-3">
              {explanation.data.answers.map((answer, index) => (
                <AnswerExplained key={answer.questionId} answer={answer} index={index} t={t} />
              ))}
            </ol>
          )}
        </section>
      )}
    </div>
  );
}

const BAND_STYLE = { strong: "bg-emerald-100 text-emerald-950", adequate: "bg-muted", needs_work: "bg-amber-100 text-amber-950" } as const;

function AnswerExplained({ answer, index, t }: { answer: ExplainedAnswer; index: number; t: T }) {
  return (
    <li>
      <Card>
        <CardContent className="space-y-2 pt-5">
          <h3 className="font-medium">
            {t("Question {n}", { n: index + 1 })}: <span className="font-normal">{answer.questionText}</span>
          </h3>
          <ul className="space-y-2">
            {answer.criteria.map((c) => (
              <li key={c.criterion} className="min-w-0 rounded-md border p-2 text-sm">
                <p className="flex flex-wrap items-center gap-2">
                  <span className="font-medium">{t(c.criterion)}</span>
                  <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${BAND_STYLE[c.band]}`}>{t(BAND_WORDS[c.band])}</span>
                </p>
                {c.lookedFor && <p className="text-muted-foreground">{t("What we looked for: {anchor}", { anchor: c.lookedFor })}</p>}
                {c.evidence && (
                  <p className="break-words">
                    {t("From your answer: ")}
                    <q>{c.evidence}</q>
                  </p>
                )}
              </li>
            ))}
          </ul>
        </CardContent>
      </Card>
    </li>
  );
}
