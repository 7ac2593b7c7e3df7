"use client";

import Link from "next/link";
import * as React from "react";
import { ConfirmDialog } from "@/components/admin/confirm-dialog";
import { Button } from "@/components/ui/button";
import { EmptyState, ErrorState, LoadingBlock, Progress } from "@/components/ui/feedback";
import { Label, NativeSelect } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";
import { cancelInvitationError, candidateLabel, useCancelInvitation, useHrInvitations, type InvitationListItem } from "@/lib/invitations";
import { formatDate } from "@/lib/utils";
import { AnalysisStatusBadge, DecisionBadge, InvitationStatusBadge } from "./badges";

const FILTERS = [
  { value: "", label: "All statuses" },
  { value: "pending", label: "Pending" },
  { value: "in_progress", label: "In progress" },
  { value: "completed", label: "Completed" },
  { value: "expired", label: "Expired" },
  { value: "cancelled", label: "Cancelled" },
];

export function Pager({ page, totalPages, total, onPage }: { page: number; totalPages: number; total: number; onPage: (p: number) => void }) {
  if (totalPages <= 1) return <p className="mt-3 text-xs text-muted-foreground">{total} in total</p>;
  return (
    <nav aria-label="Pagination" className="mt-4 flex flex-wrap items-center justify-between gap-2 text-sm">
      <span className="text-muted-foreground">
        Page {page} of {totalPages} · {total} in total
      </span>
      <div className="flex gap-2">
        <Button size="sm" variant="outline" disabled={page <= 1} onClick={() => onPage(page - 1)}>
          Previous
        </Button>
        <Button size="sm" variant="outline" disabled={page >= totalPages} onClick={() => onPage(page + 1)}>
          Next
        </Button>
      </div>
    </nav>
  );
}

function isPastDue(expiresAt: string, status: string): boolean {
  return (status === "pending" || status === "in_progress") && new Date(expiresAt).getTime() < Date.now();
}

/** The HR's invitations with a status filter and pages (the "Invited" list). */
export function InvitationsList({
  status,
  onStatusChange,
  page,
  onPageChange,
}: {
  status: string;
  onStatusChange: (s: string) => void;
  page: number;
  onPageChange: (p: number) => void;
}) {
  const query = useHrInvitations(status || undefined, page, 20);
  const cancel = useCancelInvitation();
  const toast = useToast();
  const [cancelling, setCancelling] = React.useState<InvitationListItem | null>(null);
  return (
    <section aria-label="Invitations" className="space-y-4">
      <div className="flex flex-wrap items-end gap-3">
        <div className="w-full space-y-1.5 sm:w-56">
          <Label htmlFor="invitation-status">Status</Label>
          <NativeSelect id="invitation-status" value={status} onChange={(e) => onStatusChange(e.target.value)}>
            {FILTERS.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </NativeSelect>
        </div>
        {query.isFetching && !query.isPending && <span className="text-xs text-muted-foreground">Updating…</span>}
      </div>
      {query.isPending ? (
        <LoadingBlock label="Loading invitations" />
      ) : query.isError ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} title="Could not load invitations" />
      ) : query.data.items.length === 0 ? (
        <EmptyState
          title={status ? "No invitations with this status" : "No invitations yet"}
          description="Invite candidates from the candidate search."
          action={
            <Button asChild size="sm">
              <Link href="/hr/candidates?tab=search">Find candidates</Link>
            </Button>
          }
        />
      ) : (
        <>
          <div className="relative overflow-x-auto rounded-lg border">
            <table className="w-full min-w-[760px] text-sm">
              <caption className="sr-only">Invitations you sent</caption>
              <thead className="bg-muted/50 text-left text-xs uppercase text-muted-foreground">
                <tr>
                  <th scope="col" className="px-3 py-2">Candidate</th>
                  <th scope="col" className="px-3 py-2">Interview</th>
                  <th scope="col" className="px-3 py-2">Status</th>
                  <th scope="col" className="px-3 py-2">Progress</th>
                  <th scope="col" className="px-3 py-2">Expires</th>
                  <th scope="col" className="px-3 py-2">Sent</th>
                  <th scope="col" className="px-3 py-2"><span className="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                {query.data.items.map((item) => (
                  <tr key={item.id} className="border-t align-top">
                    <td className="px-3 py-2">
                      <div className="font-medium">{candidateLabel(item)}</div>
                      {item.candidateName && item.candidateEmail && (
                        <div className="text-xs text-muted-foreground">{item.candidateEmail}</div>
                      )}
                    </td>
                    <td className="px-3 py-2">
                      <div>{item.templateTitle}</div>
                      <div className="text-xs text-muted-foreground">{item.companyName}</div>
                    </td>
                    <td className="px-3 py-2">
                      <div className="flex flex-wrap gap-1">
                        <InvitationStatusBadge status={item.status} />
                        {item.status === "completed" && <DecisionBadge decision={item.decision} />}
                      </div>
                      {item.status === "completed" && (
                        <div className="mt-1">
                          <AnalysisStatusBadge status={item.analysisStatus} />
                        </div>
                      )}
                    </td>
                    <td className="px-3 py-2">
                      <div className="w-28 space-y-1">
                        <Progress value={item.progress.percentage} label={`Progress of ${candidateLabel(item)}`} />
                        <div className="text-xs text-muted-foreground">
                          {item.progress.answered}/{item.progress.total} answered
                        </div>
                      </div>
                    </td>
                    <td className="px-3 py-2">
                      <span className={isPastDue(item.expiresAt, item.status) ? "text-destructive" : undefined}>
                        {formatDate(item.expiresAt, true)}
                      </span>
                    </td>
                    <td className="px-3 py-2 text-muted-foreground">{formatDate(item.createdAt)}</td>
                    <td className="px-3 py-2 text-right">
                      {item.status === "completed" && (
                        <Button asChild size="sm" variant="outline">
                          <Link href={`/hr/review/${item.id}`} aria-label={`Review ${candidateLabel(item)} – ${item.templateTitle}`}>
                            Review
                          </Link>
                        </Button>
                      )}
                      {item.status === "pending" && (
                        <Button
                          size="sm"
                          variant="outline"
                          className="text-destructive"
                          aria-label={`Cancel invitation of ${candidateLabel(item)} – ${item.templateTitle}`}
                          onClick={() => {
                            cancel.reset();
                            setCancelling(item);
                          }}
                        >
                          Cancel invitation
                        </Button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager page={query.data.page} totalPages={query.data.totalPages} total={query.data.total} onPage={onPageChange} />
        </>
      )}
      <ConfirmDialog
        open={cancelling !== null}
        onOpenChange={(open) => !open && setCancelling(null)}
        title="Cancel this invitation?"
        description={
          cancelling
            ? `${candidateLabel(cancelling)} will no longer be able to start “${cancelling.templateTitle}”. The invitation stops counting toward your plan's monthly interviews. This cannot be undone.`
            : ""
        }
        confirmLabel="Cancel invitation"
        dismissLabel="Keep invitation"
        pending={cancel.isPending}
        error={cancel.isError ? new Error(cancelInvitationError(cancel.error)) : undefined}
        onConfirm={() =>
          cancelling &&
          cancel.mutate(cancelling.id, {
            onSuccess: () => {
              toast({ title: "Invitation cancelled", description: `${candidateLabel(cancelling)} can no longer start this interview.`, variant: "success" });
              setCancelling(null);
            },
          })
        }
      />
    </section>
  );
}
