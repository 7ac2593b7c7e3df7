"use client";

import { CalendarClock, Play, RotateCw, Trophy } from "lucide-react";
import Link from "next/link";
import * as React from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { EmptyState, ErrorState, LoadingBlock, PageHeader, Progress } from "@/components/ui/feedback";
import { dateLocale, useLocale, useT, type T } from "@/lib/i18n";
import { useCandidateInvitations, type InvitationListItem } from "@/lib/invitations";
import { useMe } from "@/lib/profile";
import { formatDate } from "@/lib/utils";

function isPastExpiry(item: InvitationListItem): boolean {
  return (item.status === "pending" || item.status === "in_progress") && Date.parse(item.expiresAt) < Date.now();
}

const STATUS: Record<string, { label: string; variant: "secondary" | "warning" | "success" | "destructive" | "outline" }> = {
  pending: { label: "Pending", variant: "secondary" },
  in_progress: { label: "In progress", variant: "warning" },
  completed: { label: "Completed", variant: "success" },
  expired: { label: "Expired", variant: "destructive" },
  cancelled: { label: "Withdrawn", variant: "outline" },
};

function StatusBadge({ item, t }: { item: InvitationListItem; t: T }) {
  const s = isPastExpiry(item) ? STATUS.expired : (STATUS[item.status] ?? { label: item.status, variant: "outline" as const });
  return <Badge variant={s.variant}>{t(s.label)}</Badge>;
}

/** Where a completed interview stands for the candidate: a person's decision once it is shared, else in review. */
function OutcomeBadge({ item, t }: { item: InvitationListItem; t: T }) {
  if (item.status !== "completed") return null;
  if (item.decision === "approved") return <Badge variant="success">{t("Approved")}</Badge>;
  if (item.decision === "rejected") return <Badge variant="secondary">{t("Not selected")}</Badge>;
  return <Badge variant="outline">{t("In review")}</Badge>;
}

function InvitationCard({ item, t, dates }: { item: InvitationListItem; t: T; dates: string | undefined }) {
  const expired = isPastExpiry(item) || item.status === "expired";
  const titleId = `invitation-${item.id}-title`;
  return (
    <Card>
      <CardContent className="flex flex-col gap-4 pt-5 sm:flex-row sm:items-start sm:justify-between">
        <article aria-labelledby={titleId} className="min-w-0 flex-1 space-y-2">
          <div className="flex flex-wrap items-center gap-2">
            <h2 id={titleId} className="text-base font-semibold">
              {item.templateTitle}
            </h2>
            <StatusBadge item={item} t={t} />
            <OutcomeBadge item={item} t={t} />
          </div>
          <p className="text-sm text-muted-foreground">{item.companyName}</p>
          <p className="flex items-center gap-1 text-xs text-muted-foreground">
            <CalendarClock className="h-3.5 w-3.5" aria-hidden />
            {item.status === "completed" || item.status === "cancelled"
              ? t("Invited {date}", { date: formatDate(item.createdAt, false, dates) })
              : t(expired ? "Expired {date}" : "Expires {date}", { date: formatDate(item.expiresAt, true, dates) })}
          </p>
          {(item.status === "in_progress" || item.status === "completed") && (
            <div className="max-w-xs space-y-1">
              <p className="text-xs text-muted-foreground">
                {t("{answered}/{total} answered", { answered: item.progress.answered, total: item.progress.total })}
              </p>
              <Progress value={item.progress.percentage} label={t("Progress of {title}", { title: item.templateTitle })} />
            </div>
          )}
          {item.decision && item.candidateFeedback && (
            <blockquote className="rounded-md border-l-4 border-primary/40 bg-muted/50 px-3 py-2 text-sm">
              <span className="font-medium">{t("Feedback from {company}: ", { company: item.companyName })}</span>
              {item.candidateFeedback}
            </blockquote>
          )}
        </article>
        <div className="flex shrink-0 flex-wrap gap-2">
          {item.status === "pending" && !expired && (
            // The briefing comes first; only its own button starts the clock.
            <Button asChild>
              <Link href={`/interview/${item.id}`} aria-describedby={titleId}>
                <Play aria-hidden /> {t("Start interview")}
              </Link>
            </Button>
          )}
          {item.status === "in_progress" && !expired && (
            <Button asChild>
              <Link href={`/interview/${item.id}`} aria-describedby={titleId}>
                <RotateCw aria-hidden /> {t("Resume interview")}
              </Link>
            </Button>
          )}
          {item.status === "completed" && (
            <Button asChild variant="outline">
              <Link href={`/candidate/results/${item.id}`} aria-describedby={titleId}>
                <Trophy aria-hidden /> {t("View outcome")}
              </Link>
            </Button>
          )}
        </div>
      </CardContent>
    </Card>
  );
}

export default function CandidateDashboard() {
  const query = useCandidateInvitations();
  const t = useT();
  const dates = dateLocale(useLocale(useMe().data?.language));
  const items = query.data?.items ?? [];
  const count = (status: string) => items.filter((i) => i.status === status && !(status !== "completed" && isPastExpiry(i))).length;
  return (
    <div>
      <PageHeader title={t("My interviews")} description={t("Interviews you have been invited to, and where each one stands.")} />
      {query.isPending ? (
        <LoadingBlock rows={3} label={t("Loading your interviews…")} />
      ) : query.isError ? (
        <ErrorState error={query.error} title={t("Could not load your interviews")} retryLabel={t("Try again")} onRetry={() => void query.refetch()} />
      ) : (
        <div className="space-y-6">
          <dl className="grid grid-cols-3 gap-3">
            {[
              ["Pending", count("pending")],
              ["In progress", count("in_progress")],
              ["Completed", count("completed")],
            ].map(([label, value]) => (
              <div key={label} className="rounded-lg border bg-card p-3 sm:p-4">
                <dt className="text-xs text-muted-foreground sm:text-sm">{t(String(label))}</dt>
                <dd className="text-2xl font-bold tabular-nums">{value}</dd>
              </div>
            ))}
          </dl>
          {items.length === 0 ? (
            <EmptyState
              title={t("No interviews yet")}
              description={t("When a company invites you to an interview it appears here, and you will also get a notification.")}
            />
          ) : (
            <section aria-label={t("Invitations")} className="space-y-3">
              {query.data.total > items.length && (
                <p className="text-sm text-muted-foreground">
                  {t("Showing the {shown} most recent of {total} invitations.", { shown: items.length, total: query.data.total })}
                </p>
              )}
              {items.map((item) => (
                <InvitationCard key={item.id} item={item} t={t} dates={dates} />
              ))}
            </section>
          )}
        </div>
      )}
    </div>
  );
}
