"use client";

/**
 * Team review (the interviews service, through /api/reviews and the public /api/shared): the review list,
 * each reviewer's ratings and private note, stages, share links and the CSV export; the query keys, hooks and
 * the pure helpers the pages use (unit-tested in tests/reviews.test.tsx).
 */

import { keepPreviousData, useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, api, request, requestBlob } from "@/lib/api";
import { useCompanies } from "@/lib/companies";
import { invitationKeys, type ConsentRecord } from "@/lib/invitations";
import { memberKeys, type Member } from "@/lib/members";
import { useMe } from "@/lib/profile";
import type { Page } from "@/lib/types";

// -- wire types -----------------------------------------------------------------------------------------------

export type Stage = "new" | "shortlisted" | "next_round" | "selected" | "rejected";

export type ReviewListItem = {
  id: string;
  templateId: string;
  templateTitle: string;
  candidateName?: string;
  candidateEmail?: string;
  completedAt?: string;
  score?: number;
  recommendation?: string;
  stage: Stage;
  teamRating?: number;
  reviews: number;
  /** The AI's score is left out until the caller rated this interview (blind review). */
  aiHidden?: boolean;
  /** What the candidate accepted before starting, and whether they asked for a human-only review. */
  consent?: ConsentRecord | null;
  humanReviewRequested?: boolean;
};

export type Review = {
  reviewerId: string;
  ratings: Record<string, number>;
  /** {question id: {criterion name: 1..5}} for the questions rated on a rubric. */
  criteriaRatings?: Record<string, Record<string, number>>;
  note?: string;
  submittedAt?: string;
  updatedAt: string;
};

/** The criteria a question is rated on (its rubric as the interview was sent). */
export type QuestionCriteria = { questionId: string; criteria: { name: string; weight: number; good: string; poor: string }[] };

/** The AI's outcome as the review board gives it: overall 0-100, recommendation, mean per criterion. */
export type AiScores = { score?: number | null; recommendation?: string | null; criteria?: Record<string, number> | null };

export type ReviewBoard = {
  invitationId: string;
  candidateName?: string;
  candidateEmail?: string;
  stage: Stage;
  mine?: Review;
  others: Review[];
  othersHidden: number;
  previousId?: string;
  nextId?: string;
  rubric?: QuestionCriteria[];
  ai?: AiScores;
  /** The caller must submit their ratings before they see the AI's analysis (template setting or candidate's request). */
  aiHidden?: boolean;
  consent?: ConsentRecord | null;
  humanReviewRequested?: boolean;
};

export type ShareLink = {
  id: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  revokedAt?: string | null;
  views: { viewedAt: string; ipHash: string }[];
};

export type SharedInterview = {
  candidateName?: string;
  templateTitle: string;
  companyName: string;
  completedAt?: string;
  score?: number;
  stage: Stage;
  answers: { questionId: string; order: number; question: string; type: string; responseType?: string; answer?: string; duration?: number }[];
  expiresAt: string;
};

export type ReviewFilters = {
  templateId?: string;
  stage?: Stage | "";
  minScore?: number;
  sort: "completedAt" | "score" | "name";
  order: "asc" | "desc";
  page: number;
};

// -- words ----------------------------------------------------------------------------------------------------

export const STAGES: { value: Stage; label: string }[] = [
  { value: "new", label: "New" },
  { value: "shortlisted", label: "Shortlisted" },
  { value: "next_round", label: "Next round" },
  { value: "selected", label: "Selected" },
  { value: "rejected", label: "Rejected" },
];

export function stageLabel(stage: Stage): string {
  return STAGES.find((s) => s.value === stage)?.label ?? stage;
}

/** A stage move in words a person can act on; the server's code never reaches the page. */
export function stageError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === "STAGE_CHANGE_REFUSED") return "Some of these candidates already have a final decision or have not finished; nothing was changed.";
    if (error.code === "FEEDBACK_NOT_OFFERED")
      return "Some of these interviews do not give candidates written feedback, so a saved message cannot be sent; nothing was changed.";
    if (error.code === "MESSAGE_TEMPLATE_NOT_FOUND") return "This saved message was deleted in the meantime. Pick another one.";
    if (error.statusCode === 422) return "A rejection needs a note for your team.";
    if (error.statusCode === 403) return "Only your company's hiring team can move these candidates.";
  }
  return "The stage could not be changed. Try again.";
}

/** Why a shared interview cannot be shown, for someone without an account. */
export function sharedError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === "SHARE_LINK_EXPIRED") return "This link has expired. Ask the person who shared it for a new one.";
    if (error.code === "SHARE_LINK_REVOKED") return "This link was withdrawn by the company that shared it.";
    if (error.statusCode === 404 || error.statusCode === 422) return "This link is not valid. Check that you copied all of it.";
  }
  return "The interview could not be loaded. Try again in a moment.";
}

/** The mean of a review's ratings, for a one-number summary (none before any rating). */
export function meanRating(ratings: Record<string, number>): number | null {
  const values = Object.values(ratings);
  return values.length ? Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 10) / 10 : null;
}

export function shareUrl(origin: string, token: string): string {
  return `${origin}/shared?token=${encodeURIComponent(token)}`;
}

// -- @-mentions in notes --------------------------------------------------------------------------------------

/** How a teammate is written in a note: their name, or their e-mail while they have none. */
export function mentionLabel(member: Pick<Member, "name" | "email">): string {
  return member.name.trim() || member.email;
}

/** The `@query` being typed just before the caret (an `@` at the start or after a space), or null. */
export function mentionQuery(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const at = before.lastIndexOf("@");
  if (at < 0 || (at > 0 && !/\s/.test(before[at - 1] ?? ""))) return null;
  const query = before.slice(at + 1);
  // A name has at most a few words; a line break or a long run ends the suggestion.
  if (query.length > 40 || /[\n@]/.test(query)) return null;
  return { start: at, query };
}

/** The teammates matching what follows the `@` (by name or e-mail), at most `limit`. */
export function suggestTeammates(team: Member[], query: string, limit = 8): Member[] {
  const q = query.trim().toLowerCase();
  return team.filter((m) => !q || mentionLabel(m).toLowerCase().includes(q) || m.email.toLowerCase().includes(q)).slice(0, limit);
}

/** The picked teammates whose `@Name` is still in the note: the ids the service is told about. */
export function mentionedIds(note: string, picked: Record<string, string>): string[] {
  return Object.entries(picked)
    .filter(([, label]) => note.includes(`@${label}`))
    .map(([id]) => id);
}

/** Teammates an earlier note already names (the service does not return its mentions), so a re-save keeps them. */
export function mentionsInNote(note: string, team: Member[]): Record<string, string> {
  return Object.fromEntries(team.filter((m) => note.includes(`@${mentionLabel(m)}`)).map((m) => [m.userId, mentionLabel(m)]));
}

/** The hiring team of the caller's companies (usually one), each person once and without the caller: whom a note
 * may mention (the service ignores a mention of oneself). */
export function useHiringTeam(): { team: Member[]; isPending: boolean } {
  const me = useMe();
  const companies = useCompanies();
  const ids = companies.data?.data.map((c) => c.id) ?? [];
  const teams = useQueries({
    queries: ids.map((companyId) => ({
      queryKey: memberKeys.team(companyId),
      queryFn: () => api.get<Member[]>(`/api/hr/companies/${encodeURIComponent(companyId)}/members`),
    })),
  });
  const seen = new Map<string, Member>();
  for (const t of teams) for (const m of t.data ?? []) if (!seen.has(m.userId) && m.userId !== me.data?.id) seen.set(m.userId, m);
  return { team: [...seen.values()], isPending: companies.isPending || teams.some((t) => t.isPending) };
}

// -- query keys and hooks -------------------------------------------------------------------------------------

export const reviewKeys = {
  all: ["reviews"] as const,
  list: (filters: ReviewFilters) => ["reviews", "list", filters] as const,
  board: (id: string) => ["reviews", "board", id] as const,
  links: (id: string) => ["reviews", "links", id] as const,
  shared: (token: string) => ["shared", token] as const,
};

export const REVIEW_PAGE_SIZE = 20;
const board = (id: string) => `/api/reviews/${encodeURIComponent(id)}`;

export function useReviewList(filters: ReviewFilters) {
  return useQuery({
    queryKey: reviewKeys.list(filters),
    queryFn: () =>
      api.get<Page<ReviewListItem>>("/api/reviews", {
        templateId: filters.templateId,
        stage: filters.stage,
        minScore: filters.minScore,
        sort: filters.sort,
        order: filters.order,
        page: filters.page,
        limit: REVIEW_PAGE_SIZE,
      }),
    placeholderData: keepPreviousData,
  });
}

export function useReviewBoard(id: string) {
  return useQuery({ queryKey: reviewKeys.board(id), queryFn: () => api.get<ReviewBoard>(board(id)), enabled: id.length > 0 });
}

export function useSaveReview(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({
      ratings,
      criteriaRatings = {},
      note,
      mentions = [],
      submit,
    }: {
      ratings: Record<string, number>;
      criteriaRatings?: Record<string, Record<string, number>>;
      note: string;
      /** The user ids of the teammates the note @-mentions (see `mentionedIds`). */
      mentions?: string[];
      submit: boolean;
    }) => {
      // Criteria ratings only when the interview has a rubric: a service from before rubrics refuses the field.
      const rubric = Object.keys(criteriaRatings).length > 0 ? { criteriaRatings } : {};
      // Left out when none: the service reads a missing list as none, which also clears earlier mentions.
      const mentioned = mentions.length > 0 ? { mentions } : {};
      await api.put<Review>(`${board(id)}/mine`, { ratings, ...rubric, note: note.trim() || null, ...mentioned });
      if (submit) await api.post<Review>(`${board(id)}/mine/submit`);
    },
    onSuccess: () => client.invalidateQueries({ queryKey: reviewKeys.all }),
  });
}

export function useChangeStage() {
  const client = useQueryClient();
  return useMutation({
    /** `messageTemplateId`: a saved message, filled in for each candidate (only with selected or rejected). */
    mutationFn: (body: { invitationIds: string[]; stage: Stage; note?: string; messageTemplateId?: string }) =>
      api.post<{ stage: Stage; changed: number }>("/api/reviews/stage", body),
    onSuccess: () => Promise.all([client.invalidateQueries({ queryKey: reviewKeys.all }), client.invalidateQueries({ queryKey: invitationKeys.hr })]),
  });
}

export function useShareLinks(id: string) {
  return useQuery({ queryKey: reviewKeys.links(id), queryFn: () => api.get<ShareLink[]>(`${board(id)}/share-links`) });
}

export function useCreateShareLink(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (expiresInDays: number) =>
      api.post<{ id: string; token: string; expiresAt: string }>(`${board(id)}/share-links`, { expiresInDays }),
    onSuccess: () => client.invalidateQueries({ queryKey: reviewKeys.links(id) }),
  });
}

export function useRevokeShareLink(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (linkId: string) => api.delete<void>(`${board(id)}/share-links/${encodeURIComponent(linkId)}`),
    onSuccess: () => client.invalidateQueries({ queryKey: reviewKeys.links(id) }),
  });
}

export function useSharedInterview(token: string) {
  return useQuery({
    queryKey: reviewKeys.shared(token),
    queryFn: () => request<SharedInterview>("/api/shared", { query: { token } }),
    enabled: token.length > 0,
    retry: false,
  });
}

/** Download a template's candidates as CSV (the browser saves it). */
export async function downloadReviewCsv(templateId: string, fileName: string): Promise<void> {
  const blob = await requestBlob(`/api/reviews/templates/${encodeURIComponent(templateId)}/export.csv`, { headers: { Accept: "text/csv" } });
  const href = URL.createObjectURL(blob);
  try {
    const link = document.createElement("a");
    link.href = href;
    link.download = fileName;
    document.body.appendChild(link);
    link.click();
    link.remove();
  } finally {
    URL.revokeObjectURL(href);
  }
}
