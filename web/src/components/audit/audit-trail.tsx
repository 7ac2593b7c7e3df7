"use client";

import * as React from "react";
import { Button } from "@/components/ui/button";
import { EmptyState, ErrorState, LoadingBlock } from "@/components/ui/feedback";
import { Field, Input, NativeSelect } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";
import { ApiError } from "@/lib/api";
import { AUDIT_ACTIONS, actionLabel, downloadAuditCsv, useAuditTrail, type AuditEntry, type AuditFilters } from "@/lib/audit";
import { formatDate } from "@/lib/utils";

const PAGE_SIZE = 25;

function auditError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.statusCode === 403) return "Only HR and administrators can see the audit trail.";
    if (error.statusCode === 422) return "Please check the filters: the start date must not be after the end date.";
    if (error.statusCode === 503) return "The audit trail is not available right now. Please try again in a moment.";
  }
  return "Something went wrong. Please try again in a moment.";
}

const who = (e: AuditEntry) => (e.actorId ? `${e.actorRole === "admin" ? "Admin" : "HR"} ${e.actorId.slice(0, 8)}` : "Someone with the share link");

/** The interview the row is about, with a link to its review when there is one. */
function About({ entry }: { entry: AuditEntry }) {
  if (entry.invitationId)
    return (
      <a className="underline" href={`/hr/review/${entry.invitationId}`}>
        Interview {entry.invitationId.slice(0, 8)}
      </a>
    );
  const kinds: Record<string, string> = { media: "Recording", template: "Interview template", audit: "Audit trail", share_link: "Share link" };
  return (
    <span>
      {kinds[entry.subjectType] ?? entry.subjectType} {entry.subjectId === "all" ? "(all)" : entry.subjectId.slice(0, 8)}
    </span>
  );
}

/**
 * Who viewed, exported, decided or shared what about the company's candidates: filters, a table on wide screens
 * (cards on a phone), pages, and the same rows as CSV.
 */
export function AuditTrail() {
  const [draft, setDraft] = React.useState<AuditFilters>({});
  const [filters, setFilters] = React.useState<AuditFilters>({});
  const [page, setPage] = React.useState(1);
  const [exporting, setExporting] = React.useState(false);
  const trail = useAuditTrail(filters, page, PAGE_SIZE);
  const toast = useToast();
  const set = (key: keyof AuditFilters) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) =>
    setDraft((d) => ({ ...d, [key]: e.target.value }));
  const backwards = Boolean(draft.from && draft.to && draft.from > draft.to);

  return (
    <div className="space-y-4">
      <form
        className="grid gap-3 rounded-lg border bg-muted/30 p-3 sm:grid-cols-2 lg:grid-cols-6"
        aria-label="Filter the audit trail"
        onSubmit={(e) => {
          e.preventDefault();
          if (backwards) return;
          setPage(1);
          setFilters(draft);
        }}
      >
        <Field id="audit-action" label="Action">
          <NativeSelect id="audit-action" value={draft.action ?? ""} onChange={set("action")}>
            <option value="">Any action</option>
            {Object.entries(AUDIT_ACTIONS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </NativeSelect>
        </Field>
        <Field id="audit-actor" label="Person (user id)">
          <Input id="audit-actor" value={draft.actor ?? ""} maxLength={64} onChange={set("actor")} />
        </Field>
        <Field id="audit-interview" label="Interview (id)">
          <Input id="audit-interview" value={draft.invitationId ?? ""} maxLength={36} onChange={set("invitationId")} />
        </Field>
        <Field id="audit-from" label="From">
          <Input id="audit-from" type="date" value={draft.from ?? ""} onChange={set("from")} />
        </Field>
        <Field id="audit-to" label="To" error={backwards ? "The end date must not be before the start date." : undefined}>
          <Input id="audit-to" type="date" value={draft.to ?? ""} onChange={set("to")} />
        </Field>
        <div className="flex items-end gap-2">
          <Button type="submit" size="sm" disabled={backwards}>
            Apply
          </Button>
          <Button
            type="button"
            size="sm"
            variant="outline"
            disabled={exporting}
            onClick={() => {
              setExporting(true);
              downloadAuditCsv(filters)
                .catch((error: unknown) => toast({ title: auditError(error), variant: "error" }))
                .finally(() => setExporting(false));
            }}
          >
            Export CSV
          </Button>
        </div>
      </form>

      {trail.isPending ? (
        <LoadingBlock rows={4} label="Loading the audit trail" />
      ) : trail.isError ? (
        <ErrorState error={new Error(auditError(trail.error))} title="Could not load the audit trail" onRetry={() => void trail.refetch()} />
      ) : trail.data.items.length === 0 ? (
        <EmptyState title="Nothing recorded yet" description="Views, exports, decisions and share links appear here as people use them." />
      ) : (
        <>
          <AuditTable items={trail.data.items} />
          <ul className="space-y-3 md:hidden" aria-label="Audit trail">
            {trail.data.items.map((e) => (
              <li key={e.id} className="space-y-1 rounded-lg border p-3 text-sm">
                <p className="font-medium">{actionLabel(e.action)}</p>
                <p className="text-muted-foreground">
                  {formatDate(e.at, true)} · {who(e)}
                </p>
                <p>
                  <About entry={e} />
                </p>
                {e.reason && <p>Reason: {e.reason}</p>}
                {e.detail && <p className="break-all text-xs text-muted-foreground">{e.detail}</p>}
              </li>
            ))}
          </ul>
          <nav className="flex items-center justify-between gap-2 text-sm" aria-label="Pages">
            <Button size="sm" variant="outline" disabled={page <= 1} onClick={() => setPage((p) => p - 1)}>
              Previous
            </Button>
            <span aria-live="polite">
              Page {trail.data.page} of {Math.max(trail.data.totalPages, 1)} ({trail.data.total} entries)
            </span>
            <Button size="sm" variant="outline" disabled={page >= trail.data.totalPages} onClick={() => setPage((p) => p + 1)}>
              Next
            </Button>
          </nav>
        </>
      )}
    </div>
  );
}

function AuditTable({ items }: { items: AuditEntry[] }) {
  return (
    <div className="hidden overflow-x-auto rounded-lg border md:block">
      <table className="w-full text-sm">
        <caption className="sr-only">Audit trail</caption>
        <thead className="bg-muted/50 text-left text-xs uppercase text-muted-foreground">
          <tr>
            <th scope="col" className="px-3 py-2">When</th>
            <th scope="col" className="px-3 py-2">Who</th>
            <th scope="col" className="px-3 py-2">What</th>
            <th scope="col" className="px-3 py-2">About</th>
            <th scope="col" className="px-3 py-2">Reason or details</th>
          </tr>
        </thead>
        <tbody>
          {items.map((e) => (
            <tr key={e.id} className="border-t align-top">
              <td className="whitespace-nowrap px-3 py-2">{formatDate(e.at, true)}</td>
              <td className="px-3 py-2">{who(e)}</td>
              <td className="px-3 py-2">{actionLabel(e.action)}</td>
              <td className="px-3 py-2">
                <About entry={e} />
              </td>
              <td className="px-3 py-2">
                {e.reason}
                {e.reason && e.detail ? " · " : ""}
                {e.detail && <span className="break-all text-xs text-muted-foreground">{e.detail}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
