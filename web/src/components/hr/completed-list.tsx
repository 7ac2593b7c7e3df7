"use client";

import Link from "next/link";
import * as React from "react";
import { Button } from "@/components/ui/button";
import { EmptyState, ErrorState, LoadingBlock } from "@/components/ui/feedback";
import { Checkbox } from "@/components/ui/checkbox";
import { candidateLabel, needsReview, useCompletedInvitations } from "@/lib/invitations";
import { formatDate } from "@/lib/utils";
import { AnalysisStatusBadge, DecisionBadge, RecommendationBadge } from "./badges";

/** Completed interviews with their analysis and decision; "needs review" = completed without a decision. */
export function CompletedList() {
  const query = useCompletedInvitations();
  const [onlyOpen, setOnlyOpen] = React.useState(false);
  if (query.isPending) return <LoadingBlock label="Loading completed interviews" />;
  if (query.isError) return <ErrorState error={query.error} onRetry={() => void query.refetch()} title="Could not load completed interviews" />;
  const all = query.data;
  const open = all.filter(needsReview).length;
  const items = onlyOpen ? all.filter(needsReview) : all;
  return (
    <section aria-label="Completed interviews" className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="text-sm" data-testid="needs-review-count">
          <span className="text-2xl font-bold">{open}</span> <span className="text-muted-foreground">need review of {all.length} completed</span>
        </p>
        <Checkbox id="only-open" label="Only those needing review" checked={onlyOpen} onChange={(e) => setOnlyOpen(e.target.checked)} />
      </div>
      {items.length === 0 ? (
        <EmptyState
          title={onlyOpen ? "Nothing waits for a decision" : "No completed interviews yet"}
          description={onlyOpen ? "Every completed interview has a decision." : "Completed interviews appear here with their AI analysis."}
        />
      ) : (
        <div className="relative overflow-x-auto rounded-lg border">
          <table className="w-full min-w-[720px] text-sm">
            <caption className="sr-only">Completed interviews</caption>
            <thead className="bg-muted/50 text-left text-xs uppercase text-muted-foreground">
              <tr>
                <th scope="col" className="px-3 py-2">Candidate</th>
                <th scope="col" className="px-3 py-2">Interview</th>
                <th scope="col" className="px-3 py-2">Analysis</th>
                <th scope="col" className="px-3 py-2">Score</th>
                <th scope="col" className="px-3 py-2">Decision</th>
                <th scope="col" className="px-3 py-2"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={item.id} className="border-t align-top">
                  <td className="px-3 py-2">
                    <div className="font-medium">{candidateLabel(item)}</div>
                    {item.candidateName && item.candidateEmail && <div className="text-xs text-muted-foreground">{item.candidateEmail}</div>}
                  </td>
                  <td className="px-3 py-2">
                    <div>{item.templateTitle}</div>
                    <div className="text-xs text-muted-foreground">{item.companyName}</div>
                  </td>
                  <td className="px-3 py-2">
                    <div className="flex flex-wrap gap-1">
                      <AnalysisStatusBadge status={item.analysisStatus} />
                      <RecommendationBadge value={item.analysisRecommendation} />
                    </div>
                  </td>
                  <td className="px-3 py-2 font-semibold tabular-nums">{item.analysisScore ?? "—"}</td>
                  <td className="px-3 py-2">
                    <DecisionBadge decision={item.decision} />
                    {item.decisionAt && <div className="mt-1 text-xs text-muted-foreground">{formatDate(item.decisionAt)}</div>}
                  </td>
                  <td className="px-3 py-2 text-right">
                    <Button asChild size="sm" variant={needsReview(item) ? "default" : "outline"}>
                      <Link href={`/hr/review/${item.id}`} aria-label={`Review ${candidateLabel(item)} – ${item.templateTitle}`}>
                        {needsReview(item) ? "Review" : "Open"}
                      </Link>
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
