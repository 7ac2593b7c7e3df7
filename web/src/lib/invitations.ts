"use client";

/**
 * Invitations (the interviews service): the invitation and its answers as HR and the candidate read them, the
 * TanStack Query keys and hooks of both sides, the calls that drive an interview (start, heartbeat, answers,
 * completion), and the pure helpers of the invite form (schema, expiry, quota and duplicate errors), unit-tested
 * in tests/hr.test.ts.
 */

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";
import { api, ApiError } from "@/lib/api";
import type { Question, TemplateSettings } from "@/lib/templates";
import { collectPages, type Page } from "@/lib/types";

// -- wire types -----------------------------------------------------------------------------------------------

export type InvitationStatus = "pending" | "in_progress" | "completed" | "expired" | "cancelled";

export type Progress = { answered: number; total: number; percentage: number };

export type InterviewResponse = {
  id: string;
  questionId: string;
  questionIndex: number;
  questionText: string;
  responseType: "text" | "video" | "audio" | "code" | "multiple_choice" | string;
  textAnswer?: string | null;
  codeAnswer?: string | null;
  videoUrl?: string | null;
  selectedOptionId?: string | null;
  mediaId?: string | null;
  duration: number;
  submittedAt: string;
  attempts: number;
};

export type InvitationAnalysis = {
  analysisId?: string | null;
  status?: string | null;
  score?: number | null;
  recommendation?: string | null;
  completedAt?: string | null;
  errorMessage?: string | null;
};

export type Decision = "approved" | "rejected";

export type Invitation = {
  id: string;
  templateId: string;
  candidateId: string;
  companyName: string;
  invitedBy: string;
  status: InvitationStatus | string;
  allowPause: boolean;
  showTimer: boolean;
  expiresAt: string;
  startedAt?: string | null;
  completedAt?: string | null;
  completedReason?: string | null;
  progress: Progress;
  responses: InterviewResponse[];
  analysis?: InvitationAnalysis | null;
  decision?: Decision | null;
  decisionAt?: string | null;
  decisionNote?: string | null;
  /** HR's words for the candidate, where the template gives written feedback (released with the decision). */
  candidateFeedback?: string | null;
  /** The candidate's own, where the template explains outcomes and the decision has reached them: a rejection's
   * recorded reason, and whether their answers' explanation (`useExplanation`) is theirs to read. */
  rejectionReason?: string | null;
  explanationsReleased?: boolean;
  openedAt?: string | null;
  createdAt: string;
  updatedAt: string;
  templateTitle?: string | null;
  templateDescription?: string | null;
  /** With `?includeTemplate=true`; `settings` may be present when the template is included. */
  questions?: Question[] | null;
  templateSettings?: TemplateSettings | null;
  /** With `?includeTemplate=true`: how many times each answer may be retaken (0 = none). */
  retakesAllowed?: number | null;
};

export type InvitationListItem = {
  id: string;
  templateId: string;
  templateTitle: string;
  candidateId: string;
  candidateName?: string | null;
  candidateEmail?: string | null;
  companyName: string;
  status: InvitationStatus | string;
  allowPause: boolean;
  expiresAt: string;
  progress: Progress;
  analysisStatus?: string | null;
  analysisScore?: number | null;
  analysisRecommendation?: string | null;
  decision?: Decision | null;
  decisionAt?: string | null;
  decisionNote?: string | null;
  candidateFeedback?: string | null;
  createdAt: string;
};

export type CandidateFeedbackPolicy = "none" | "decision" | "decision_and_feedback";

/** What the candidate is told before anything is timed (POST /briefing; its first opening is recorded). */
export type Briefing = {
  invitationId: string;
  status: InvitationStatus | string;
  companyName: string;
  templateTitle: string;
  templateDescription: string;
  expiresAt: string;
  questions: { order: number; type: string; timeLimit: number; thinkTime: number }[];
  /** Seconds: every question's think time and time limit. */
  expectedDuration: number;
  /** Minutes from the start, enforced; null when there is none. */
  totalTimeLimit?: number | null;
  allowPause: boolean;
  retakesAllowed: number;
  needsCamera: boolean;
  needsMicrophone: boolean;
  candidateFeedback: CandidateFeedbackPolicy;
  expectedReplyTime?: string | null;
  graceSeconds: number;
  /** The AI-use notice to accept before starting, and what the candidate accepted (null until then). */
  notice: ConsentNotice;
  consent?: ConsentRecord | null;
  /** Days the company keeps candidates' data after the decision, when it has set it. */
  retentionDays?: number | null;
};

/** The AI-use notice as rendered for one invitation: its version, the hash of its English text and the facts it states. */
export type ConsentNotice = {
  version: string;
  hash: string;
  paragraphs: string[];
  companyName: string;
  criteria: string[];
  retentionDays?: number | null;
  contactEmail?: string | null;
};

/** What a candidate accepted, and whether they asked for a human-only review. */
export type ConsentRecord = {
  noticeVersion: string;
  noticeHash: string;
  acceptedAt: string;
  humanReviewRequested: boolean;
};

/** A question's clock as the server keeps it: think until `answerFrom`, answer by `answerBy`. */
export type QuestionClock = {
  questionId: string;
  openedAt: string;
  thinkTime: number;
  timeLimit: number;
  answerFrom: string;
  answerBy: string;
  totalDeadline?: string | null;
};

export type InvitationInput = {
  templateId: string;
  candidateId: string;
  companyName: string;
  expiresAt: string;
  allowPause: boolean;
  showTimer: boolean;
  candidateEmail?: string;
  candidateName?: string;
  hrEmail?: string;
  hrName?: string;
};

/** One answer as the interview page sends it. */
export type ResponseBody = {
  questionId: string;
  questionIndex: number;
  responseType: "text" | "video" | "audio";
  textAnswer?: string;
  selectedOptionId?: string;
  mediaId?: string;
  duration: number;
};

// -- query keys -----------------------------------------------------------------------------------------------

/**
 * HR's views live under ["hr", "invitations"] (invalidated together after an invitation or a decision); the
 * candidate's list and the interview page's invitation (template included) have keys of their own.
 */
export const invitationKeys = {
  hr: ["hr", "invitations"] as const,
  hrList: (status: string | undefined, page: number, limit: number) =>
    ["hr", "invitations", "list", status ?? "all", page, limit] as const,
  counts: ["hr", "invitations", "counts"] as const,
  completedAll: ["hr", "invitations", "completed-all"] as const,
  hrDetail: (id: string) => ["hr", "invitations", "one", id] as const,
  candidate: ["invitations", "candidate"] as const,
  withTemplate: (id: string) => ["invitation", id, "with-template"] as const,
};

// -- HR -------------------------------------------------------------------------------------------------------

function hrPage(query: { status?: string; page: number; limit: number }) {
  return api.get<Page<InvitationListItem>>("/api/invitations/hr", query);
}

export function useHrInvitations(status: string | undefined, page = 1, limit = 20) {
  return useQuery({
    queryKey: invitationKeys.hrList(status, page, limit),
    queryFn: () => hrPage({ status, page, limit }),
    placeholderData: keepPreviousData,
  });
}

/** Every completed invitation (paged through), for "needs review" counts that the API cannot filter. */
export function fetchAllCompleted(): Promise<InvitationListItem[]> {
  return collectPages((page) => hrPage({ status: "completed", page, limit: 200 }), 50);
}

export function useCompletedInvitations() {
  return useQuery({ queryKey: invitationKeys.completedAll, queryFn: fetchAllCompleted });
}

export type InvitationCounts = { total: number; pending: number; inProgress: number; completed: number; expired: number };

/** Counts from the invitation lists: the HR dashboard's fallback while the analytics cannot be read. */
export function useInvitationCounts(enabled = true) {
  return useQuery({
    queryKey: invitationKeys.counts,
    enabled,
    queryFn: async (): Promise<InvitationCounts> => {
      const count = (status?: string) => hrPage({ status, page: 1, limit: 1 }).then((r) => r.total);
      const [total, pending, inProgress, completed, expired] = await Promise.all([
        count(),
        count("pending"),
        count("in_progress"),
        count("completed"),
        count("expired"),
      ]);
      return { total, pending, inProgress, completed, expired };
    },
  });
}

export function useReviewInvitation(id: string) {
  return useQuery({
    queryKey: invitationKeys.hrDetail(id),
    queryFn: () => api.get<Invitation>(`/api/invitations/${encodeURIComponent(id)}`, { includeTemplate: true }),
  });
}

export function useCreateInvitation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: InvitationInput) => api.post<{ id: string }>("/api/invitations", input),
    onSuccess: () => qc.invalidateQueries({ queryKey: invitationKeys.hr }),
  });
}

/** Withdraws an invitation the candidate has not started yet; it then stops counting toward the plan's limit. */
export function useCancelInvitation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (invitationId: string) => api.post<unknown>(`/api/invitations/${encodeURIComponent(invitationId)}/cancel`),
    onSettled: () => qc.invalidateQueries({ queryKey: invitationKeys.hr }),
  });
}

/** Why an invitation could not be cancelled, in words: a 409 means it is no longer waiting to be started. */
export function cancelInvitationError(error: unknown): string {
  if (error instanceof ApiError && error.statusCode === 409)
    return "This invitation can no longer be cancelled: the candidate has started it, or it has ended or been cancelled already.";
  if (error instanceof ApiError && error.statusCode === 404) return "This invitation no longer exists.";
  if (error instanceof ApiError && error.statusCode === 403) return "Only the person who sent this invitation, or an administrator, can cancel it.";
  return error instanceof Error ? error.message : "Something went wrong";
}

// -- HR's care of a sent invitation: resend, extend, reset (each audited by the service) --------------------------

/** Which of HR's steps an invitation in this state allows (the service has the last word). */
export function careActions(item: Pick<InvitationListItem, "status" | "decision">): ("resend" | "extend" | "reset" | "cancel")[] {
  switch (item.status) {
    case "pending":
      return ["resend", "extend", "cancel"];
    case "in_progress":
      return ["extend", "reset"];
    case "completed":
      return item.decision ? [] : ["reset"];
    case "expired":
      return ["extend"];
    default:
      return [];
  }
}

function careMutation<T>(path: (id: string) => string) {
  return function useCare() {
    const qc = useQueryClient();
    return useMutation({
      mutationFn: ({ id, body }: { id: string; body: T }) => api.post<{ success: true }>(path(encodeURIComponent(id)), body),
      onSettled: () => qc.invalidateQueries({ queryKey: invitationKeys.hr }),
    });
  };
}

/** Sends the invitation e-mail again; `rotateLink` replaces its link (the old one stops working). */
export const useResendInvitation = careMutation<{ rotateLink: boolean }>((id) => `/api/invitations/${id}/resend`);
/** Moves the deadline later; an expired invitation nobody started opens again. */
export const useExtendInvitation = careMutation<{ expiresAt: string }>((id) => `/api/invitations/${id}/extend`);
/** After a technical failure: the answers are discarded and the candidate starts again. */
export const useResetInvitation = careMutation<{ reason: string; confirm: true }>((id) => `/api/invitations/${id}/reset`);

/** Why one of HR's steps on an invitation was refused, in words (never the service's status names). */
export function careError(action: "resend" | "extend" | "reset", error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === "INVALID_DEADLINE") return "Choose a date later than both today and the current deadline.";
    if (error.statusCode === 403) return "Only the person who sent this invitation, or an administrator, can do this.";
    if (error.statusCode === 404) return "This invitation no longer exists.";
    if (error.statusCode === 409) {
      if (error.message.includes("deadline has passed")) return "The deadline has passed. Extend it first.";
      if (action === "resend") return "Only an invitation the candidate has not started can be sent again.";
      if (action === "reset") return "Only a started or finished interview without a decision can be reset.";
      return "This invitation can no longer be extended: it has finished or been cancelled.";
    }
    if (error.statusCode === 422) return "Please check the form: something is missing or not valid.";
  }
  return "Something went wrong. Please try again in a moment.";
}

export function useDecide(invitationId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ decision, note, candidateFeedback }: { decision: "approve" | "reject"; note: string; candidateFeedback?: string }) =>
      api.post<{ success: true }>(`/api/invitations/${encodeURIComponent(invitationId)}/${decision}`, {
        ...(decision === "approve" ? (note.trim() ? { note: note.trim() } : {}) : { note: note.trim() }),
        // The candidate's words (a saved message filled in, or written here); only where the template gives feedback.
        ...(candidateFeedback?.trim() ? { candidateFeedback: candidateFeedback.trim() } : {}),
      }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: invitationKeys.hrDetail(invitationId) });
      void qc.invalidateQueries({ queryKey: invitationKeys.hr });
    },
  });
}

// -- the candidate --------------------------------------------------------------------------------------------

const CANDIDATE_PAGE_SIZE = 100;

/** The candidate's invitations; polled while a completed one still waits for its analysis or decision. */
export function useCandidateInvitations() {
  return useQuery({
    queryKey: invitationKeys.candidate,
    queryFn: () => api.get<Page<InvitationListItem>>("/api/invitations/candidate", { limit: CANDIDATE_PAGE_SIZE }),
    // A decision may be shared while the page is open (candidates never see the analysis, so nothing else moves).
    refetchInterval: (q) => (q.state.data?.items.some((i) => i.status === "completed" && !i.decision) ? 60_000 : false),
  });
}

/** One invitation with its template's questions and settings (the interview and results pages). */
export function useInvitationWithTemplate(id: string) {
  return useQuery({
    queryKey: invitationKeys.withTemplate(id),
    queryFn: () => api.get<Invitation>(`/api/invitations/${id}`, { includeTemplate: true }),
  });
}

export function openBriefing(invitationId: string) {
  return api.post<Briefing>(`/api/invitations/${invitationId}/briefing`);
}

/** Accept the briefing's notice (starting needs it); a notice that changed meanwhile is refused (NOTICE_OUTDATED). */
export function acceptNotice(invitationId: string, notice: ConsentNotice, humanReviewRequested: boolean) {
  return api.post<Briefing>(`/api/invitations/${invitationId}/briefing`, {
    consent: { accepted: true, noticeVersion: notice.version, noticeHash: notice.hash, humanReviewRequested },
  });
}

/** The candidate is shown a question: the server starts (or, on a reload, keeps) its clock. */
export function openQuestion(invitationId: string, questionId: string) {
  return api.post<QuestionClock>(`/api/invitations/${invitationId}/questions/${questionId}/open`);
}

/** A refusal because the question's (or the interview's) time is up. */
export function isTimeUp(error: unknown): boolean {
  return error instanceof ApiError && (error.code === "TIME_LIMIT_EXCEEDED" || error.code === "TOTAL_TIME_LIMIT_EXCEEDED");
}

export function startInvitation(invitationId: string) {
  return api.post<unknown>(`/api/invitations/${invitationId}/start`);
}

/** Tells the service the interview is still open, so a non-pausable one is not closed as idle. */
export function sendHeartbeat(invitationId: string) {
  return api.post<unknown>(`/api/invitations/${invitationId}/heartbeat`);
}

/**
 * The interviews service learns that a recording is ready from the media service's event, a moment after the
 * media status says so: MEDIA_NOT_FOUND / MEDIA_NOT_READY are retried for a while before being shown.
 */
export function isMediaLag(error: unknown): boolean {
  return error instanceof ApiError && (error.code === "MEDIA_NOT_FOUND" || error.code === "MEDIA_NOT_READY");
}

export async function submitResponse(
  invitationId: string,
  body: ResponseBody,
  { attempts = 12, delayMs = 1000, sleep = (ms: number) => new Promise((r) => setTimeout(r, ms)) } = {},
): Promise<{ id: string }> {
  for (let i = 0; ; i++) {
    try {
      return await api.post<{ id: string }>(`/api/invitations/${invitationId}/responses`, body);
    } catch (error) {
      if (!isMediaLag(error) || i >= attempts - 1) throw error;
      await sleep(delayMs);
    }
  }
}

export function completeInterview(invitationId: string, reason: "manual" | "early_finish") {
  return api.post<{ success: boolean }>(`/api/invitations/${invitationId}/complete`, { reason });
}

// == pure helpers (unit-tested) ==============================================================================

export function needsReview(item: Pick<InvitationListItem, "status" | "decision">): boolean {
  return item.status === "completed" && !item.decision;
}

export function candidateLabel(item: { candidateName?: string | null; candidateEmail?: string | null; candidateId: string }): string {
  return item.candidateName?.trim() || item.candidateEmail?.trim() || `Candidate ${item.candidateId.slice(0, 8)}`;
}

/** `YYYY-MM-DD` of a local date. */
export function toDateInput(date: Date): string {
  const y = date.getFullYear();
  const m = String(date.getMonth() + 1).padStart(2, "0");
  const d = String(date.getDate()).padStart(2, "0");
  return `${y}-${m}-${d}`;
}

/** The moment an invitation expiring "on" a date ends: that day's last second, local time. */
export function endOfDay(dateInput: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dateInput);
  if (!match) return null;
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]), 23, 59, 59);
  return Number.isNaN(date.getTime()) ? null : date;
}

export function defaultExpiry(now = new Date()): string {
  const d = new Date(now);
  d.setDate(d.getDate() + 7);
  return toDateInput(d);
}

export function inviteSchema(now: () => Date = () => new Date()) {
  return z.object({
    templateId: z.string().min(1, "Choose a template"),
    companyName: z.string().trim().min(1, "Enter the company").max(200, "At most 200 characters"),
    expiresOn: z
      .string()
      .min(1, "Choose an expiry date")
      .refine((v) => v === "" || endOfDay(v) !== null, "Enter a valid date")
      .refine((v) => {
        const end = endOfDay(v);
        return end === null || end.getTime() > now().getTime();
      }, "The expiry date must be in the future"),
    allowPause: z.boolean(),
    showTimer: z.boolean(),
  });
}

export type InviteForm = z.infer<ReturnType<typeof inviteSchema>>;

export type QuotaInfo = {
  resource: string | null;
  limit: number | null;
  /** How many are used (billing's details); null when the refusal does not say. */
  used: number | null;
  plan: string | null;
  remaining: number | null;
  message: string;
};

/** A 402 (or QUOTA_EXCEEDED) error as plan and limit: from `details` when present, else parsed from the message. */
export function parseQuotaError(error: unknown): QuotaInfo | null {
  if (!(error instanceof ApiError)) return null;
  if (error.statusCode !== 402 && error.code !== "QUOTA_EXCEEDED") return null;
  const details = (error.details && !Array.isArray(error.details) ? error.details : {}) as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : null);
  const str = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim() : null);
  let limit = num(details.limit);
  let plan = str(details.plan) ?? str(details.currentPlan);
  let resource = str(details.resource);
  const m = /(?:(\w+)\s+)?limit of (\d+)(?: reached)?(?: on (?:the )?(\w+) plan)?/i.exec(error.message);
  if (m) {
    resource ??= m[1] ?? null;
    limit ??= Number(m[2]);
    plan ??= m[3] ?? null;
  }
  return { resource, limit, used: num(details.used), plan, remaining: num(details.remaining), message: error.message };
}

export function isDuplicateInvitation(error: unknown): boolean {
  return error instanceof ApiError && (error.code === "DUPLICATE_INVITATION" || error.statusCode === 409);
}
