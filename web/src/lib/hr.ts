"use client";

/**
 * HR-side data: invitations as their inviter, candidate search, companies, the analysis of an interview, and
 * the recordings/transcripts behind answers. Pure helpers (invite form schema, quota-error parsing, evidence
 * highlighting) live at the bottom and are unit-tested in tests/hr.test.ts.
 */

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";
import { api, ApiError } from "@/lib/api";
import type { Analysis, Invitation, InvitationListItem, Paginated, TemplateListItem, Transcript } from "@/lib/types";

// -- shapes of the users service (through the gateway) -------------------------------------------------------

export type UsersPage<T> = {
  success: boolean;
  data: T[];
  pagination: { total: number; page: number; limit: number; totalPages: number };
};

export type SkillCategory = { id: string; name: string; slug: string; description: string | null; sortOrder: number };

export type Skill = {
  id: string;
  name: string;
  slug: string;
  categoryId: string | null;
  categoryName: string | null;
  isActive: boolean;
};

export type CandidateSkill = {
  skillId: string;
  skillName: string;
  description: string | null;
  proficiencyLevel: string;
  yearsOfExperience: number;
  addedAt: string;
};

export type CandidateHit = {
  userId: string;
  fullName: string;
  email: string;
  experienceLevel: string | null;
  matchedSkills: CandidateSkill[];
  matchScore: number;
};

export type CompanyListItem = {
  id: string;
  name: string;
  industry: string | null;
  size: string | null;
  location: string | null;
  isActive: boolean;
  createdAt: string;
};

export type Company = CompanyListItem & {
  description: string | null;
  website: string | null;
  logoUrl: string | null;
  createdBy: string | null;
  updatedAt: string;
  version: number;
};

export type Playback = { mediaId: string; url: string; expiresAt: string };

export const PROFICIENCY_LEVELS = ["beginner", "intermediate", "advanced", "expert"] as const;
export const EXPERIENCE_LEVELS = ["junior", "mid", "senior", "lead"] as const;
export const COMPANY_SIZES = ["1-10", "11-50", "51-200", "200+"] as const;

// -- query keys -------------------------------------------------------------------------------------------

export const hrKeys = {
  invitations: ["hr", "invitations"] as const,
  invitationList: (status: string | undefined, page: number, limit: number) =>
    ["hr", "invitations", "list", status ?? "all", page, limit] as const,
  counts: ["hr", "invitations", "counts"] as const,
  completedAll: ["hr", "invitations", "completed-all"] as const,
  invitation: (id: string) => ["hr", "invitations", "one", id] as const,
  analysis: (id: string) => ["hr", "analysis", id] as const,
  companies: ["hr", "companies"] as const,
  company: (id: string) => ["hr", "companies", id] as const,
  search: (params: CandidateSearch) => ["hr", "candidates", params] as const,
  skills: ["skills"] as const,
  categories: ["skills", "categories"] as const,
  activeTemplates: ["hr", "templates", "active"] as const,
  playback: (mediaId: string) => ["media", mediaId, "stream"] as const,
  transcript: (mediaId: string) => ["media", mediaId, "transcription"] as const,
};

// -- invitations ----------------------------------------------------------------------------------------------

export function useHrInvitations(status: string | undefined, page = 1, limit = 20) {
  return useQuery({
    queryKey: hrKeys.invitationList(status, page, limit),
    queryFn: () => api.get<Paginated<InvitationListItem>>("/api/invitations/hr", { status, page, limit }),
    placeholderData: keepPreviousData,
  });
}

/** Every completed invitation (paged through), for "needs review" counts that the API cannot filter. */
export async function fetchAllCompleted(): Promise<InvitationListItem[]> {
  const all: InvitationListItem[] = [];
  for (let page = 1; page <= 50; page++) {
    const result = await api.get<Paginated<InvitationListItem>>("/api/invitations/hr", { status: "completed", page, limit: 200 });
    all.push(...result.items);
    if (page >= result.totalPages) break;
  }
  return all;
}

export function useCompletedInvitations() {
  return useQuery({ queryKey: hrKeys.completedAll, queryFn: fetchAllCompleted });
}

export function needsReview(item: Pick<InvitationListItem, "status" | "decision">): boolean {
  return item.status === "completed" && !item.decision;
}

export type InvitationCounts = { total: number; pending: number; inProgress: number; completed: number; expired: number };

export function useInvitationCounts() {
  return useQuery({
    queryKey: hrKeys.counts,
    queryFn: async (): Promise<InvitationCounts> => {
      const count = (status?: string) =>
        api.get<Paginated<InvitationListItem>>("/api/invitations/hr", { status, page: 1, limit: 1 }).then((r) => r.total);
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

export function useActiveTemplates() {
  return useQuery({
    queryKey: hrKeys.activeTemplates,
    queryFn: () => api.get<Paginated<TemplateListItem>>("/api/templates", { status: "active", page: 1, limit: 100 }),
  });
}

export function useReviewInvitation(id: string) {
  return useQuery({
    queryKey: hrKeys.invitation(id),
    queryFn: () => api.get<Invitation>(`/api/invitations/${encodeURIComponent(id)}`, { includeTemplate: true }),
  });
}

const ANALYSIS_RUNNING = new Set(["pending", "in_progress", "waiting_for_transcripts"]);

export function analysisIsRunning(status: string | null | undefined): boolean {
  return !!status && ANALYSIS_RUNNING.has(status);
}

/**
 * The analysis of a completed interview. A 404 means it has not been created yet (the event is on its way):
 * that is `null`, polled like a running one.
 */
export function useAnalysis(invitationId: string, enabled: boolean) {
  return useQuery({
    queryKey: hrKeys.analysis(invitationId),
    enabled,
    queryFn: async () => {
      try {
        return await api.get<Analysis>(`/api/analysis/${encodeURIComponent(invitationId)}`);
      } catch (error) {
        if (error instanceof ApiError && error.statusCode === 404) return null;
        throw error;
      }
    },
    refetchInterval: (query) => {
      const data = query.state.data;
      if (query.state.status === "error") return false;
      return data === null || analysisIsRunning(data?.status) ? 5000 : false;
    },
  });
}

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

export function useCreateInvitation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: InvitationInput) => api.post<{ id: string }>("/api/invitations", input),
    onSuccess: () => qc.invalidateQueries({ queryKey: hrKeys.invitations }),
  });
}

export function useDecide(invitationId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ decision, note }: { decision: "approve" | "reject"; note: string }) =>
      api.post<{ success: true }>(
        `/api/invitations/${encodeURIComponent(invitationId)}/${decision}`,
        decision === "approve" ? (note.trim() ? { note: note.trim() } : {}) : { note: note.trim() },
      ),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: hrKeys.invitation(invitationId) });
      void qc.invalidateQueries({ queryKey: hrKeys.invitations });
    },
  });
}

// -- candidates, skills ----------------------------------------------------------------------------------------

export type CandidateSearch = {
  skillIds: string[];
  minProficiency?: string;
  minYears?: number;
  experienceLevel?: string;
  page: number;
};

export function useCandidateSearch(params: CandidateSearch | null) {
  return useQuery({
    queryKey: hrKeys.search(params ?? { skillIds: [], page: 1 }),
    enabled: params !== null,
    queryFn: () =>
      api.get<UsersPage<CandidateHit>>("/api/hr/candidates/search", {
        skillIds: params!.skillIds,
        minProficiency: params!.minProficiency,
        minYears: params!.minYears,
        experienceLevel: params!.experienceLevel,
        page: params!.page,
        limit: 20,
      }),
    placeholderData: keepPreviousData,
  });
}

export function useSkillCategories() {
  return useQuery({
    queryKey: hrKeys.categories,
    queryFn: () => api.get<SkillCategory[]>("/api/skills/categories"),
    staleTime: 5 * 60_000,
  });
}

/** The active skill catalogue (all pages of 100). */
export function useSkills() {
  return useQuery({
    queryKey: hrKeys.skills,
    staleTime: 5 * 60_000,
    retry: false,
    queryFn: async () => {
      const all: Skill[] = [];
      for (let page = 1; page <= 20; page++) {
        const result = await api.get<UsersPage<Skill>>("/api/skills", { isActive: true, page, limit: 100 });
        all.push(...result.data);
        if (page >= result.pagination.totalPages) break;
      }
      return all;
    },
  });
}

// -- companies -------------------------------------------------------------------------------------------

export function useCompanies() {
  return useQuery({
    queryKey: hrKeys.companies,
    queryFn: () => api.get<UsersPage<CompanyListItem>>("/api/hr/companies", { page: 1, limit: 100 }),
  });
}

export function useCompany(id: string) {
  return useQuery({ queryKey: hrKeys.company(id), queryFn: () => api.get<Company>(`/api/hr/companies/${encodeURIComponent(id)}`) });
}

export type CompanyInput = {
  name: string;
  industry?: string | null;
  size?: string | null;
  website?: string | null;
  description?: string | null;
  location?: string | null;
};

export function useSaveCompany(id?: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: CompanyInput) =>
      id
        ? api.put<unknown>(`/api/hr/companies/${encodeURIComponent(id)}`, input)
        : api.post<{ companyId: string }>("/api/hr/companies", input),
    onSuccess: () => qc.invalidateQueries({ queryKey: hrKeys.companies }),
  });
}

export function useDeleteCompany() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete<unknown>(`/api/hr/companies/${encodeURIComponent(id)}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: hrKeys.companies }),
  });
}

// -- media -------------------------------------------------------------------------------------------------

/**
 * A presigned playback URL. It is not replaced on a timer (that would restart a playing video): the player
 * asks for a new one when the current one fails (expired), and a remount after expiry fetches a fresh one.
 */
export function usePlayback(mediaId: string | null | undefined) {
  return useQuery({
    queryKey: hrKeys.playback(mediaId ?? ""),
    enabled: !!mediaId,
    queryFn: () => api.get<Playback>(`/api/media/${encodeURIComponent(mediaId!)}/stream`),
    staleTime: (query) => {
      const expires = query.state.data ? new Date(query.state.data.expiresAt).getTime() : 0;
      return Math.max(0, expires - Date.now() - 30_000);
    },
    refetchOnWindowFocus: false,
  });
}

export function useTranscript(mediaId: string | null | undefined) {
  return useQuery({
    queryKey: hrKeys.transcript(mediaId ?? ""),
    enabled: !!mediaId,
    queryFn: () => api.get<Transcript>(`/api/media/${encodeURIComponent(mediaId!)}/transcription`),
    refetchInterval: (query) => (query.state.data && ["pending", "processing"].includes(query.state.data.status) ? 5000 : false),
  });
}

// == pure helpers (unit-tested) ==========================================================================

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

export type QuotaInfo = { resource: string | null; limit: number | null; plan: string | null; remaining: number | null; message: string };

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
  return { resource, limit, plan, remaining: num(details.remaining), message: error.message };
}

export function isDuplicateInvitation(error: unknown): boolean {
  return error instanceof ApiError && (error.code === "DUPLICATE_INVITATION" || error.statusCode === 409);
}

export type HighlightPiece = {
  text: string;
  /** Offsets in the original text. */
  start: number;
  end: number;
  /** Indexes of the quotes covering this piece (empty: plain text). */
  quotes: number[];
};

export type Highlighted = { pieces: HighlightPiece[]; found: boolean[] };

function normaliseQuote(quote: string): string {
  return quote.trim().replace(/^["'“”‘’«»]+|["'“”‘’«»]+$/g, "").trim();
}

/**
 * Split `text` into pieces so that every occurrence of each quote (case-insensitive) is its own piece carrying
 * the indexes of the quotes covering it. Overlapping quotes split at every boundary (a piece covered by two
 * quotes lists both); a quote that does not occur is reported in `found` and highlights nothing.
 */
export function highlightEvidence(text: string, quotes: readonly (string | null | undefined)[]): Highlighted {
  const lower = text.toLowerCase();
  const ranges: { start: number; end: number; quote: number }[] = [];
  const found = quotes.map((raw, index) => {
    const quote = normaliseQuote(raw ?? "").toLowerCase();
    if (!quote) return false;
    let from = 0;
    let any = false;
    for (;;) {
      const at = lower.indexOf(quote, from);
      if (at < 0) break;
      ranges.push({ start: at, end: at + quote.length, quote: index });
      any = true;
      from = at + quote.length;
    }
    return any;
  });
  const cuts = new Set<number>([0, text.length]);
  for (const r of ranges) {
    cuts.add(r.start);
    cuts.add(r.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const pieces: HighlightPiece[] = [];
  for (let i = 0; i < points.length - 1; i++) {
    const start = points[i]!;
    const end = points[i + 1]!;
    if (end <= start) continue;
    const covering = [...new Set(ranges.filter((r) => r.start <= start && r.end >= end).map((r) => r.quote))].sort((a, b) => a - b);
    const prev = pieces[pieces.length - 1];
    if (prev && sameSet(prev.quotes, covering)) {
      prev.text += text.slice(start, end);
      prev.end = end;
    } else {
      pieces.push({ text: text.slice(start, end), start, end, quotes: covering });
    }
  }
  return { pieces, found };
}

function sameSet(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export function recommendationLabel(value: string | null | undefined): string {
  switch (value) {
    case "hire":
      return "Hire";
    case "consider":
      return "Consider";
    case "reject":
      return "Do not hire";
    default:
      return value ? value : "—";
  }
}

export function candidateLabel(item: { candidateName?: string | null; candidateEmail?: string | null; candidateId: string }): string {
  return item.candidateName?.trim() || item.candidateEmail?.trim() || `Candidate ${item.candidateId.slice(0, 8)}`;
}
