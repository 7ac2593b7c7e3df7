"use client";

/**
 * A candidate's rights over their data: the export (everything the platform holds, as JSON or a readable page)
 * and the erasure (the account and everything about it), whose report is read with its signed link.
 */

import { api, requestBlob } from "@/lib/api";

export type ErasureRequested = { erasureId: string; reportPath: string };

export type ErasureReport = {
  erasureId: string;
  requestedAt: string;
  status: "in_progress" | "complete" | "incomplete";
  completedAt: string | null;
  services: { service: string; counts: Record<string, number>; reportedAt: string | null }[];
  waitingFor: string[];
};

/** The export as a file: `json` to save, `html` to read in the browser. */
export function downloadExport(format: "json" | "html"): Promise<Blob> {
  return requestBlob("/api/users/me/data-export", {
    query: format === "html" ? { format } : undefined,
    headers: { Accept: format === "html" ? "text/html" : "application/json" },
  });
}

export function requestErasure(confirmEmail: string): Promise<ErasureRequested> {
  return api.post<ErasureRequested>("/api/users/me/erasure", { confirmEmail });
}

export function fetchErasureReport(erasureId: string, token: string): Promise<ErasureReport> {
  return api.get<ErasureReport>(`/api/privacy/erasure-reports/${encodeURIComponent(erasureId)}`, { token });
}

/** Where the app shows a report: the signed link's path, as the gateway gave it. */
export function reportHref(requested: ErasureRequested): string {
  return requested.reportPath;
}

/** Plain names for what each service reports, so the report reads as sentences, not internal names. */
export const SERVICE_NAMES: Record<string, string> = {
  users: "Your account",
  interviews: "Interviews and answers",
  media: "Recordings",
  analysis: "Scores and transcripts",
  notifications: "Messages and e-mails",
  billing: "Billing records",
};

export const KIND_NAMES: Record<string, string> = {
  accounts: "accounts",
  invitations: "interview invitations",
  answers: "answers",
  reviews: "reviewer ratings and notes",
  stages: "hiring stages",
  shareLinks: "share links",
  auditEntries: "history entries",
  questionOpenings: "question timings",
  recordingRefs: "recording references",
  recordings: "recordings",
  storedObjects: "stored files",
  accessGrants: "access records",
  analyses: "analyses",
  questionScores: "per-question scores",
  transcripts: "transcripts",
  notifications: "messages and e-mails",
  invitationProjections: "interview records",
  webhookDeliveries: "copies sent to the company's systems",
  preferences: "settings",
  contacts: "contact records",
  billingContactsCleared: "billing contacts cleared",
  usageKeptAsCounts: "usage entries kept only as counts",
};
