"use client";

import { ArrowLeft } from "lucide-react";
import Link from "next/link";
import { use } from "react";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Alert, ErrorState, LoadingBlock, PageHeader } from "@/components/ui/feedback";
import { WhatHappensNext } from "@/components/interview/interview-runner";
import { dateLocale, useLocale, useT } from "@/lib/i18n";
import { useInvitationWithTemplate } from "@/lib/invitations";
import { useMe } from "@/lib/profile";
import { formatDate } from "@/lib/utils";

/**
 * A candidate's outcome: a person's decision once the company shares it (with their feedback where the template
 * gives it), else what happens next. Never the AI's score, verdict or tips: the API does not give them to
 * candidates either.
 */
export default function CandidateOutcome({ params }: { params: Promise<{ id: string }> }) {
  const { id } = use(params);
  const invitation = useInvitationWithTemplate(id);
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
          {feedback}
        </Alert>
      ) : (
        <Card>
          <CardContent className="pt-5">
            <WhatHappensNext invitation={inv} />
          </CardContent>
        </Card>
      )}
    </div>
  );
}
