"use client";

import { Building2, ClipboardCheck, FilePlus2, LineChart, Users } from "lucide-react";
import Link from "next/link";
import * as React from "react";
import { AnalysisStatusBadge, DecisionBadge, RecommendationBadge } from "@/components/hr/badges";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Alert, EmptyState, ErrorState, LoadingBlock, PageHeader, Skeleton } from "@/components/ui/feedback";
import { formatHours, formatPercent, presetRange, useOverview } from "@/lib/analytics";
import { candidateLabel, needsReview, useCompletedInvitations, useInvitationCounts } from "@/lib/invitations";
import { displayName, useMe } from "@/lib/profile";
import { useActiveTemplateCount } from "@/lib/templates";
import { formatDate } from "@/lib/utils";

function Stat({
  label,
  value,
  href,
  loading,
  hint,
}: {
  label: string;
  value: number | string | undefined;
  href: string;
  loading: boolean;
  hint?: string;
}) {
  return (
    <Link href={href} className="block rounded-lg focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring">
      <Card className="h-full transition-colors hover:bg-accent/50">
        <CardContent className="pt-5">
          <p className="text-sm text-muted-foreground">{label}</p>
          {loading ? <Skeleton className="mt-2 h-8 w-12" /> : <p className="mt-1 text-3xl font-bold tabular-nums">{value ?? "—"}</p>}
          {hint && <p className="mt-1 text-xs text-muted-foreground">{hint}</p>}
        </CardContent>
      </Card>
    </Link>
  );
}

/** The dashboard's hiring figures cover the last 30 days, as the analytics page does by default. */
const PERIOD_DAYS = 30;
const PERIOD_HINT = `last ${PERIOD_DAYS} days`;

export default function HrDashboard() {
  const me = useMe();
  const [period] = React.useState(() => presetRange(PERIOD_DAYS));
  const overview = useOverview(period);
  // Without the analytics, the invitation lists still count where things stand.
  const counts = useInvitationCounts(overview.isError);
  const completed = useCompletedInvitations();
  const templates = useActiveTemplateCount();
  const review = completed.data?.filter(needsReview).length;
  const o = overview.data;
  const recent = React.useMemo(
    () =>
      [...(completed.data ?? [])]
        .sort((a, b) => (b.decisionAt ?? b.createdAt).localeCompare(a.decisionAt ?? a.createdAt))
        .sort((a, b) => Number(needsReview(b)) - Number(needsReview(a)))
        .slice(0, 5),
    [completed.data],
  );
  const failed = (overview.isError && counts.isError) || templates.isError;

  return (
    <>
      <PageHeader
        title="HR dashboard"
        description={me.data ? `Welcome back, ${displayName(me.data)}.` : undefined}
        actions={
          <Button asChild>
            <Link href="/hr/candidates?tab=search">Invite a candidate</Link>
          </Button>
        }
      />
      {failed && (
        <div className="mb-4">
          <ErrorState
            error={templates.error ?? counts.error}
            title="Some figures could not be loaded"
            onRetry={() => {
              void overview.refetch();
              void templates.refetch();
            }}
          />
        </div>
      )}
      <section aria-labelledby="stats-heading" className="mb-8">
        <h2 id="stats-heading" className="sr-only">
          Figures
        </h2>
        {overview.isError && !counts.isError && (
          <div className="mb-3">
            <Alert variant="warning">
              Hiring figures for the {PERIOD_HINT} are unavailable right now, so these are counted from your invitations.{" "}
              <button type="button" className="font-medium underline underline-offset-2" onClick={() => void overview.refetch()}>
                Try again
              </button>
            </Alert>
          </div>
        )}
        <div className="grid grid-cols-2 gap-3 md:grid-cols-3 lg:grid-cols-6">
          <Stat label="Needs review" value={review} href="/hr/review" loading={completed.isPending} />
          <Stat label="Active templates" value={templates.data} href="/hr/templates" loading={templates.isPending} />
          {overview.isError ? (
            <>
              <Stat label="Invitations" value={counts.data?.total} href="/hr/invitations" loading={counts.isPending} hint="all time" />
              <Stat label="Pending" value={counts.data?.pending} href="/hr/invitations?status=pending" loading={counts.isPending} />
              <Stat label="In progress" value={counts.data?.inProgress} href="/hr/invitations?status=in_progress" loading={counts.isPending} />
              <Stat label="Completed" value={counts.data?.completed} href="/hr/review" loading={counts.isPending} hint="all time" />
            </>
          ) : (
            <>
              <Stat label="Invitations" value={o?.invitations} href="/hr/invitations" loading={overview.isPending} hint={PERIOD_HINT} />
              <Stat label="Completed" value={o?.completed} href="/hr/review" loading={overview.isPending} hint={PERIOD_HINT} />
              <Stat
                label="Completion rate"
                value={o && formatPercent(o.completionRate)}
                href="/hr/analytics"
                loading={overview.isPending}
                hint={PERIOD_HINT}
              />
              <Stat
                label="Median time to decision"
                value={o && formatHours(o.medianHoursToDecision)}
                href="/hr/analytics"
                loading={overview.isPending}
                hint={PERIOD_HINT}
              />
            </>
          )}
        </div>
      </section>

      <div className="grid gap-6 lg:grid-cols-3">
        <Card className="lg:col-span-2">
          <CardHeader>
            <CardTitle>Recent completed interviews</CardTitle>
          </CardHeader>
          <CardContent>
            {completed.isPending ? (
              <LoadingBlock rows={3} label="Loading completed interviews" />
            ) : completed.isError ? (
              <ErrorState error={completed.error} onRetry={() => void completed.refetch()} />
            ) : recent.length === 0 ? (
              <EmptyState title="No completed interviews yet" description="When candidates finish their interviews they appear here for review." />
            ) : (
              <ul className="divide-y">
                {recent.map((item) => (
                  <li key={item.id} className="flex flex-col gap-2 py-3 sm:flex-row sm:items-center sm:justify-between">
                    <div className="min-w-0">
                      <p className="font-medium">{candidateLabel(item)}</p>
                      <p className="text-sm text-muted-foreground">
                        {item.templateTitle} · {item.companyName} · sent {formatDate(item.createdAt)}
                      </p>
                      <div className="mt-1 flex flex-wrap gap-1">
                        <AnalysisStatusBadge status={item.analysisStatus} />
                        <RecommendationBadge value={item.analysisRecommendation} />
                        {item.analysisScore != null && <span className="text-xs font-semibold">Score {item.analysisScore}</span>}
                        <DecisionBadge decision={item.decision} />
                      </div>
                    </div>
                    <Button asChild size="sm" variant={needsReview(item) ? "default" : "outline"}>
                      <Link href={`/hr/review/${item.id}`} aria-label={`Review ${candidateLabel(item)} – ${item.templateTitle}`}>
                        {needsReview(item) ? "Review" : "Open"}
                      </Link>
                    </Button>
                  </li>
                ))}
              </ul>
            )}
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Quick links</CardTitle>
          </CardHeader>
          <CardContent>
            <nav aria-label="Quick links">
              <ul className="space-y-2">
                {[
                  { href: "/hr/templates/create", label: "Create a template", icon: FilePlus2 },
                  { href: "/hr/candidates", label: "Find candidates", icon: Users },
                  { href: "/hr/review", label: "Review interviews", icon: ClipboardCheck },
                  { href: "/hr/analytics", label: "Hiring analytics", icon: LineChart },
                  { href: "/hr/companies", label: "Companies", icon: Building2 },
                ].map(({ href, label, icon: Icon }) => (
                  <li key={href}>
                    <Link
                      href={href}
                      className="flex items-center gap-3 rounded-md border px-3 py-2 text-sm font-medium hover:bg-accent focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
                    >
                      <Icon className="h-4 w-4" aria-hidden /> {label}
                    </Link>
                  </li>
                ))}
              </ul>
            </nav>
          </CardContent>
        </Card>
      </div>
    </>
  );
}
