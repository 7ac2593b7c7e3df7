import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, requestBlob } from "@/lib/api";
import type { Page } from "@/lib/types";

/** One row of the audit trail: who did what, about which candidate, when and why. */
export type AuditEntry = {
  id: string;
  at: string;
  companyId?: string;
  actorId?: string;
  actorRole: string;
  action: string;
  invitationId?: string;
  candidateId?: string;
  subjectType: string;
  subjectId: string;
  reason?: string;
  detail?: string;
};

export type AuditFilters = { actor?: string; action?: string; invitationId?: string; from?: string; to?: string };

/** The actions the gateway records, in words. */
export const AUDIT_ACTIONS: Record<string, string> = {
  "answers.viewed": "Viewed answers",
  "ai_scores.viewed": "Viewed AI scores",
  "recording.played": "Played a recording",
  "recording.downloaded": "Downloaded a recording",
  "transcript.viewed": "Read a transcript",
  "export.review_csv": "Exported candidates (CSV)",
  "export.fairness_csv": "Exported the fairness report (CSV)",
  "export.audit_csv": "Exported the audit trail (CSV)",
  "decision.approved": "Approved",
  "decision.rejected": "Rejected",
  "stage.changed": "Moved to a stage",
  "share_link.created": "Created a share link",
  "share_link.revoked": "Revoked a share link",
  "shared_link.viewed": "Share link opened",
};

export const actionLabel = (action: string) => AUDIT_ACTIONS[action] ?? action;

/** The query the API takes: empty filters left out, dates as whole days (from the start of `from` to the end of `to`). */
export function auditQuery(filters: AuditFilters): Record<string, string> {
  const query: Record<string, string> = {};
  if (filters.actor?.trim()) query.actor = filters.actor.trim();
  if (filters.action) query.action = filters.action;
  if (filters.invitationId?.trim()) query.invitationId = filters.invitationId.trim();
  if (filters.from) query.from = new Date(`${filters.from}T00:00:00`).toISOString();
  if (filters.to) query.to = new Date(`${filters.to}T23:59:59.999`).toISOString();
  return query;
}

export function useAuditTrail(filters: AuditFilters, page: number, limit = 25) {
  const query = auditQuery(filters);
  return useQuery({
    queryKey: ["audit", query, page, limit],
    queryFn: () => api.get<Page<AuditEntry>>("/api/hr/audit", { ...query, page, limit }),
    placeholderData: keepPreviousData,
  });
}

/** The trail under the same filters as CSV, saved by the browser (the export itself is recorded). */
export async function downloadAuditCsv(filters: AuditFilters): Promise<void> {
  const blob = await requestBlob("/api/hr/audit.csv", { query: auditQuery(filters), headers: { Accept: "text/csv" } });
  const href = URL.createObjectURL(blob);
  try {
    const link = document.createElement("a");
    link.href = href;
    link.download = "audit-trail.csv";
    document.body.appendChild(link);
    link.click();
    link.remove();
  } finally {
    URL.revokeObjectURL(href);
  }
}
