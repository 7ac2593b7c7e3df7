"use client";

import Link from "next/link";
import * as React from "react";
import { ConfirmDialog } from "@/components/admin/confirm-dialog";
import { Button } from "@/components/ui/button";
import { EmptyState, ErrorState, LoadingBlock, Progress } from "@/components/ui/feedback";
import { Checkbox } from "@/components/ui/checkbox";
import { Field, Input, Label, NativeSelect, Textarea } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";
import {
  cancelInvitationError,
  candidateLabel,
  careActions,
  careError,
  endOfDay,
  toDateInput,
  useCancelInvitation,
  useExtendInvitation,
  useHrInvitations,
  useResendInvitation,
  useResetInvitation,
  type InvitationListItem,
} from "@/lib/invitations";
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

type CareAction = "resend" | "extend" | "reset" | "cancel";

const ACTION_LABELS: Record<CareAction, string> = {
  resend: "Send the invitation again",
  extend: "Extend the deadline",
  reset: "Reset after a technical problem",
  cancel: "Cancel invitation",
};

/** The steps HR may take on one invitation, behind an "Actions" button that shows them in place (so they work
 * the same inside the scrolling table and on a phone). */
export function InvitationActions({ item, onAction }: { item: InvitationListItem; onAction: (action: CareAction) => void }) {
  const [open, setOpen] = React.useState(false);
  const listId = React.useId();
  const actions = careActions(item);
  if (actions.length === 0) return null;
  const who = `${candidateLabel(item)} – ${item.templateTitle}`;
  return (
    <div className="inline-flex flex-col items-end gap-1">
      <Button size="sm" variant="outline" aria-expanded={open} aria-controls={listId} aria-label={`Actions for ${who}`} onClick={() => setOpen((o) => !o)}>
        Actions
      </Button>
      {open && (
        <ul id={listId} aria-label={`Actions for ${who}`} className="w-56 space-y-1 rounded-md border bg-background p-1 text-left shadow-sm" onKeyDown={(e) => e.key === "Escape" && setOpen(false)}>
          {actions.map((action) => (
            <li key={action}>
              <button
                type="button"
                className={`w-full rounded px-2 py-1.5 text-left text-sm hover:bg-muted focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring ${action === "cancel" ? "text-destructive" : ""}`}
                onClick={() => {
                  setOpen(false);
                  onAction(action);
                }}
              >
                {ACTION_LABELS[action]}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The dialogs behind the actions: each says what will happen, and stays open with the reason when refused. */
function CareDialogs({ acting, onDone }: { acting: { item: InvitationListItem; action: Exclude<CareAction, "cancel"> } | null; onDone: () => void }) {
  const toast = useToast();
  const resend = useResendInvitation();
  const extend = useExtendInvitation();
  const reset = useResetInvitation();
  const [rotate, setRotate] = React.useState(false);
  const [date, setDate] = React.useState("");
  const [reason, setReason] = React.useState("");
  const [missing, setMissing] = React.useState(false);
  React.useEffect(() => {
    resend.reset();
    extend.reset();
    reset.reset();
    setRotate(false);
    setReason("");
    setMissing(false);
    if (acting) {
      const week = new Date(Math.max(Date.now(), new Date(acting.item.expiresAt).getTime()) + 7 * 86_400_000);
      setDate(toDateInput(week));
    }
    // Reset only when another invitation or action is chosen.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [acting?.item.id, acting?.action]);
  const item = acting?.item;
  const who = item ? candidateLabel(item) : "";
  const finish = (title: string, description: string) => {
    toast({ title, description, variant: "success" });
    onDone();
  };
  const close = (open: boolean) => !open && onDone();
  return (
    <>
      <ConfirmDialog
        open={acting?.action === "resend"}
        onOpenChange={close}
        title="Send the invitation again?"
        description={item ? `${who} gets the invitation e-mail for “${item.templateTitle}” again.` : ""}
        confirmLabel="Send again"
        destructive={false}
        pending={resend.isPending}
        error={resend.isError ? new Error(careError("resend", resend.error)) : undefined}
        onConfirm={() => item && resend.mutate({ id: item.id, body: { rotateLink: rotate } }, { onSuccess: () => finish("Invitation sent again", `${who} will get the e-mail in a moment.`) })}
      >
        <Checkbox
          id="resend-rotate"
          checked={rotate}
          onChange={(e) => setRotate(e.target.checked)}
          label="Send a new link"
          description="If the e-mail may have reached the wrong person: the old link stops working."
        />
      </ConfirmDialog>
      <ConfirmDialog
        open={acting?.action === "extend"}
        onOpenChange={close}
        title="Extend the deadline"
        description={item ? `${who} can take “${item.templateTitle}” until the end of the day you choose. The current deadline is ${formatDate(item.expiresAt, true)}.` : ""}
        confirmLabel="Extend deadline"
        destructive={false}
        pending={extend.isPending}
        error={extend.isError ? new Error(careError("extend", extend.error)) : undefined}
        onConfirm={() => {
          const until = endOfDay(date);
          if (!item || !until) return;
          extend.mutate(
            { id: item.id, body: { expiresAt: until.toISOString() } },
            { onSuccess: () => finish("Deadline extended", `${who} has until ${formatDate(until.toISOString(), true)} and is told by e-mail.`) },
          );
        }}
      >
        <Field id="extend-date" label="New deadline">
          <Input id="extend-date" type="date" required min={toDateInput(new Date())} value={date} onChange={(e) => setDate(e.target.value)} />
        </Field>
      </ConfirmDialog>
      <ConfirmDialog
        open={acting?.action === "reset"}
        onOpenChange={close}
        title="Reset this interview?"
        description={
          item
            ? `Only after a technical problem. Everything ${who} has done in “${item.templateTitle}” is discarded: their answers and recordings, their time, and the AI analysis. They are told by e-mail and start again from the first question. This cannot be undone.`
            : ""
        }
        confirmLabel="Discard answers and reset"
        pending={reset.isPending}
        error={reset.isError ? new Error(careError("reset", reset.error)) : undefined}
        onConfirm={() => {
          if (!item) return;
          if (!reason.trim()) {
            setMissing(true);
            return;
          }
          reset.mutate({ id: item.id, body: { reason: reason.trim(), confirm: true } }, { onSuccess: () => finish("Interview reset", `${who} can start again.`) });
        }}
      >
        <Field id="reset-reason" label="What went wrong" error={missing ? "Say what went wrong: it is kept with the invitation's history." : undefined} hint="Kept in the invitation's history; the candidate does not see it.">
          <Textarea id="reset-reason" maxLength={1000} value={reason} onChange={(e) => setReason(e.target.value)} />
        </Field>
      </ConfirmDialog>
    </>
  );
}

/** The HR's invitations with a status filter and pages (the "Invited" list). *//** The HR's invitations with a status filter and pages (the "Invited" list). */
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
  const [acting, setActing] = React.useState<{ item: InvitationListItem; action: Exclude<CareAction, "cancel"> } | null>(null);
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
                      <div className="flex flex-col items-end gap-2">
                        {item.status === "completed" && (
                          <Button asChild size="sm" variant="outline">
                            <Link href={`/hr/review/${item.id}`} aria-label={`Review ${candidateLabel(item)} – ${item.templateTitle}`}>
                              Review
                            </Link>
                          </Button>
                        )}
                        <InvitationActions
                          item={item}
                          onAction={(action) => {
                            if (action === "cancel") {
                              cancel.reset();
                              setCancelling(item);
                            } else setActing({ item, action });
                          }}
                        />
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager page={query.data.page} totalPages={query.data.totalPages} total={query.data.total} onPage={onPageChange} />
        </>
      )}
      <CareDialogs acting={acting} onDone={() => setActing(null)} />
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
