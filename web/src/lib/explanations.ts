"use client";

/**
 * A candidate's answers explained on the company's rubric (the gateway relays it once the company shares it with
 * them): per criterion a plain band, what the team looked for and a quote from the answer; never a score.
 */

import { useQuery } from "@tanstack/react-query";
import { ApiError, api } from "@/lib/api";

export type Band = "strong" | "adequate" | "needs_work";

export type ExplainedCriterion = { criterion: string; band: Band; lookedFor?: string | null; evidence?: string | null };

export type ExplainedAnswer = { questionId: string; questionText: string; criteria: ExplainedCriterion[] };

export type Explanation = { invitationId: string; answers: ExplainedAnswer[] };

/** The words of a band, as written before translation (`t`). */
export const BAND_WORDS: Record<Band, string> = { strong: "strong", adequate: "adequate", needs_work: "needs work" };

/** The explanation, or `null` while the analysis behind it is not finished (`EXPLANATION_NOT_READY`). */
export function useExplanation(invitationId: string, enabled: boolean) {
  return useQuery({
    queryKey: ["candidate", "explanation", invitationId] as const,
    enabled,
    queryFn: async () => {
      try {
        return await api.get<Explanation>(`/api/invitations/${encodeURIComponent(invitationId)}/explanation`);
      } catch (error) {
        if (error instanceof ApiError && error.code === "EXPLANATION_NOT_READY") return null;
        throw error;
      }
    },
  });
}
