"use client";

import { ArrowLeft } from "lucide-react";
import Link from "next/link";
import { use } from "react";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Alert, ErrorState, LoadingBlock, PageHeader } from "@/components/ui/feedback";
import { WhatHappensNext } from "@/components/interview/interview-runner";
import { useInvitationWithTemplate } from "@/lib/invitations";
import { formatDate } from "@/lib/utils";

/**
 * A candidate's outcome: a person's decision once the company shares it (with their feedback where the template
 * gives it), else what happens next. Never the AI's score, verdict or tips: the API does not give them to
 * candidates either.
 */
export default function CandidateOutcome({ params }: { params: Promise<{ id: string }> }) {
  const { id } = use(params);
  const invitation = useInvitationWithTemplate(id);

  const back = (
    <Button asChild variant="outline" size="sm">
      <Link href="/candidate/dashboard">
        <ArrowLeft aria-hidden /> My interviews
      </Link>
    </Button>
  );

  if (invitation.isPending) return <LoadingBlock rows={4} label="Loading your interview…" />;
  if (invitation.isError)
    return (
      <div className="space-y-4">
        <PageHeader title="Outcome" actions={back} />
        <ErrorState error={invitation.error} title="Could not load this interview" onRetry={() => void invitation.refetch()} />
      </div>
    );

  const inv = invitation.data;
  const title = inv.templateTitle ?? "Your interview";
  if (inv.status !== "completed")
    return (
      <div className="space-y-5">
        <PageHeader title={title} description={inv.companyName} actions={back} />
        <Alert variant="info" title="Not finished yet">
          The outcome is shared after you complete the interview.{" "}
          {inv.status === "in_progress" || inv.status === "pending" ? (
            <Link className="font-medium underline" href={`/interview/${inv.id}`}>
              Go to the interview
            </Link>
          ) : null}
        </Alert>
      </div>
    );

  const feedback = inv.candidateFeedback ? (
    <blockquote className="mt-2 block rounded-md border-l-4 border-primary/40 bg-muted/50 px-3 py-2">
      <span className="font-medium">Feedback from {inv.companyName}: </span>
      {inv.candidateFeedback}
    </blockquote>
  ) : null;
  return (
    <div className="space-y-5">
      <PageHeader title={title} description={`${inv.companyName} · completed ${formatDate(inv.completedAt)}`} actions={back} />
      {inv.decision === "approved" ? (
        <Alert variant="success" title="Approved">
          {inv.companyName} approved your interview{inv.decisionAt ? ` on ${formatDate(inv.decisionAt)}` : ""} and will contact you about
          the next step.
          {feedback}
        </Alert>
      ) : inv.decision === "rejected" ? (
        <Alert variant="info" title="Not selected">
          {inv.companyName} decided not to continue with your application{inv.decisionAt ? ` (${formatDate(inv.decisionAt)})` : ""}.
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
