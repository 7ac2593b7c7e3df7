"use client";

/**
 * Rubrics and calibration (the interviews service, through /api/templates/{id}/rubric and /calibration): a
 * template's scoring criteria and a question's own, their client-side checks (the service's limits), and how far
 * a template's reviewers agree with each other and with the AI (unit-tested in tests/rubrics.test.tsx).
 */

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/lib/api";

// -- wire types -----------------------------------------------------------------------------------------------

export type Criterion = { name: string; weight: number; good: string; poor: string };

export type QuestionRubric = { questionId: string; order: number; text: string; own?: Criterion[]; effective?: Criterion[] };

export type Rubric = { templateId: string; criteria?: Criterion[]; questions: QuestionRubric[]; blindToAi: boolean };

export type Agreement = { kappa?: number | null; icc?: number | null; interviews: number; reading: string };

export type Calibration = {
  templateId: string;
  interviewsRated: number;
  minInterviews: number;
  aiMapping: string;
  team: Agreement;
  pairs: (Agreement & { reviewerA: string; reviewerB: string })[];
  ai: (Agreement & { reviewer: string })[];
};

// -- limits and checks (the service's, so mistakes show before saving) ----------------------------------------

export const RUBRIC_LIMITS = { criteria: 8, name: 60, anchor: 300, weight: 100 } as const;

export function emptyCriterion(): Criterion {
  return { name: "", weight: 1, good: "", poor: "" };
}

/** Problems of a criteria list, keyed like the service's field details (`criteria.0.name`). */
export function rubricErrors(criteria: Criterion[]): Record<string, string> {
  const errors: Record<string, string> = {};
  if (criteria.length > RUBRIC_LIMITS.criteria) errors.criteria = `At most ${RUBRIC_LIMITS.criteria} criteria`;
  const seen = new Set<string>();
  criteria.forEach((c, i) => {
    const name = c.name.trim();
    if (!name) errors[`criteria.${i}.name`] = "Give the criterion a name";
    else if (name.length > RUBRIC_LIMITS.name) errors[`criteria.${i}.name`] = `At most ${RUBRIC_LIMITS.name} characters`;
    else if (seen.has(name.toLowerCase())) errors[`criteria.${i}.name`] = "Each criterion needs its own name";
    seen.add(name.toLowerCase());
    if (!(c.weight > 0 && c.weight <= RUBRIC_LIMITS.weight)) errors[`criteria.${i}.weight`] = `A weight above 0, at most ${RUBRIC_LIMITS.weight}`;
    for (const anchor of ["good", "poor"] as const) {
      const text = c[anchor].trim();
      if (!text) errors[`criteria.${i}.${anchor}`] = anchor === "good" ? "Say what a good answer looks like" : "Say what a poor answer looks like";
      else if (text.length > RUBRIC_LIMITS.anchor) errors[`criteria.${i}.${anchor}`] = `At most ${RUBRIC_LIMITS.anchor} characters`;
    }
  });
  return errors;
}

/** Each criterion's share of the question's score, in whole percent. */
export function weightShares(criteria: Criterion[]): number[] {
  const total = criteria.reduce((sum, c) => sum + (c.weight > 0 ? c.weight : 0), 0);
  return criteria.map((c) => (total > 0 && c.weight > 0 ? Math.round((100 * c.weight) / total) : 0));
}

/** A question's 1-5 rating from its criteria ratings: the weighted mean, half up (as the service stores it). */
export function weightedRating(ratings: Record<string, number>, criteria: Criterion[]): number | null {
  const rated = criteria.filter((c) => ratings[c.name] != null);
  if (rated.length === 0) return null;
  const total = rated.reduce((sum, c) => sum + c.weight, 0);
  return Math.floor(rated.reduce((sum, c) => sum + ratings[c.name] * c.weight, 0) / total + 0.5);
}

/** A kappa or ICC as people read it: two decimals, or a dash when it cannot be computed. */
export function formatAgreement(value: number | null | undefined): string {
  return value == null ? "—" : value.toFixed(2);
}

// -- queries --------------------------------------------------------------------------------------------------

export const rubricKeys = {
  rubric: (templateId: string) => ["rubric", templateId] as const,
  calibration: (templateId: string) => ["calibration", templateId] as const,
};

const path = (templateId: string) => `/api/templates/${encodeURIComponent(templateId)}`;

export function useRubric(templateId: string) {
  return useQuery({ queryKey: rubricKeys.rubric(templateId), queryFn: () => api.get<Rubric>(`${path(templateId)}/rubric`), enabled: templateId.length > 0 });
}

/** Save the template's rubric (`questionId` absent) or a question's own; an empty list removes it. */
export function useSaveRubric(templateId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ questionId, criteria }: { questionId?: string; criteria: Criterion[] }) =>
      api.put<Rubric>(`${path(templateId)}${questionId ? `/questions/${encodeURIComponent(questionId)}` : ""}/rubric`, {
        criteria: criteria.map((c) => ({ name: c.name.trim(), weight: c.weight, good: c.good.trim(), poor: c.poor.trim() })),
      }),
    onSuccess: (rubric) => client.setQueryData(rubricKeys.rubric(templateId), rubric),
  });
}

export function useCalibration(templateId: string) {
  return useQuery({
    queryKey: rubricKeys.calibration(templateId),
    queryFn: () => api.get<Calibration>(`${path(templateId)}/calibration`),
    enabled: templateId.length > 0,
  });
}
