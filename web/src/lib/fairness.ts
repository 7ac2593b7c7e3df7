"use client";

/**
 * Fairness (the interviews service, through /api/self-identification and /api/fairness): a candidate's own
 * voluntary self-identification, and the adverse-impact report HR and auditors read (counts and rates per group,
 * never a person). Wire types, query keys, hooks and the pure helpers the screens use (tests/fairness.test.tsx).
 */

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { request, requestBlob } from "@/lib/api";

// -- wire types -----------------------------------------------------------------------------------------------

export type Sex = "male" | "female" | "another" | "prefer_not_to_say";
export type RaceEthnicity =
  | "hispanic_or_latino"
  | "white"
  | "black_or_african_american"
  | "native_hawaiian_or_other_pacific_islander"
  | "asian"
  | "american_indian_or_alaska_native"
  | "two_or_more_races"
  | "prefer_not_to_say";

export type SelfIdentification = {
  provided: boolean;
  sex: Sex | null;
  raceEthnicity: RaceEthnicity | null;
  updatedAt: string | null;
};

export type SelfIdentificationAnswers = { sex: Sex | null; raceEthnicity: RaceEthnicity | null };

export type GroupRow = {
  category: string;
  label: string;
  applicants: number;
  selected: number;
  selectionRate: number | null;
  selectionImpactRatio: number | null;
  scored: number;
  aboveMedian: number;
  scoringRate: number | null;
  scoringImpactRatio: number | null;
  excluded: boolean;
  flagged: boolean;
  smallGroup: boolean;
};

export type Dimension = "sex" | "raceEthnicity" | "intersectional";
export type GroupTable = { dimension: Dimension; rows: GroupRow[]; unknown: GroupRow };

export type FairnessReport = {
  companyId: string | null;
  templateId: string | null;
  templateTitle: string | null;
  generatedAt: string;
  decided: number;
  scored: number;
  medianScore: number | null;
  exclusionShare: number;
  minimumSample: number;
  minimumGroup: number;
  sampleTooSmall: boolean;
  tables: GroupTable[];
  templates: { id: string; title: string; decided: number }[];
};

// -- words ----------------------------------------------------------------------------------------------------

/** The options in the order they are offered; labels are English keys of the i18n dictionary. */
export const SEX_OPTIONS: { value: Sex; label: string }[] = [
  { value: "female", label: "Female" },
  { value: "male", label: "Male" },
  { value: "another", label: "Another sex" },
  { value: "prefer_not_to_say", label: "Prefer not to say" },
];

export const RACE_OPTIONS: { value: RaceEthnicity; label: string }[] = [
  { value: "hispanic_or_latino", label: "Hispanic or Latino" },
  { value: "white", label: "White" },
  { value: "black_or_african_american", label: "Black or African American" },
  { value: "native_hawaiian_or_other_pacific_islander", label: "Native Hawaiian or Other Pacific Islander" },
  { value: "asian", label: "Asian" },
  { value: "american_indian_or_alaska_native", label: "American Indian or Alaska Native" },
  { value: "two_or_more_races", label: "Two or More Races" },
  { value: "prefer_not_to_say", label: "Prefer not to say" },
];

export const TABLE_TITLES: Record<Dimension, string> = {
  sex: "Sex",
  raceEthnicity: "Race/ethnicity",
  intersectional: "Sex and race/ethnicity",
};

/** A rate as a percentage with one decimal ("45.0%"), or a dash when nobody was counted. */
export function formatRate(rate: number | null): string {
  return rate === null ? "–" : `${(rate * 100).toFixed(1)}%`;
}

/** An impact ratio with two decimals ("0.75"), or a dash when it is not computed. */
export function formatRatio(ratio: number | null): string {
  return ratio === null ? "–" : ratio.toFixed(2);
}

/** What a row's notes say, in plain words (empty when there is nothing to say). */
export function rowNotes(row: GroupRow): string[] {
  const notes: string[] = [];
  if (row.flagged) notes.push("Below 0.8: possible adverse impact");
  if (row.excluded) notes.push("Under 2% of the sample: not compared");
  if (row.smallGroup) notes.push("Small group: read with care");
  return notes;
}

/** What a report covers: one template (or all) of one company; `companyId` is an admin's choice (HR: their own). */
export type ReportScope = { templateId?: string; companyId?: string };

export function reportQuery(filters: ReportScope): Record<string, string | undefined> {
  return { templateId: filters.templateId || undefined, companyId: filters.companyId || undefined };
}

/** The report page's address for a scope (the print page's when `print`). */
export function reportHref(scope: ReportScope, print = false): string {
  const query = new URLSearchParams();
  if (scope.companyId) query.set("companyId", scope.companyId);
  if (scope.templateId) query.set("templateId", scope.templateId);
  const search = query.toString();
  return `/hr/fairness${print ? "/print" : ""}${search ? `?${search}` : ""}`;
}

// -- hooks ----------------------------------------------------------------------------------------------------

export const fairnessKeys = {
  mine: ["self-identification"] as const,
  report: (templateId: string, companyId = "") => ["fairness-report", templateId, companyId] as const,
};

export function useMySelfIdentification(enabled = true) {
  return useQuery({
    queryKey: fairnessKeys.mine,
    queryFn: () => request<SelfIdentification>("/api/self-identification"),
    enabled,
  });
}

export function useSaveSelfIdentification() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (answers: SelfIdentificationAnswers) =>
      request<SelfIdentification>("/api/self-identification", { method: "PUT", body: answers }),
    onSuccess: (saved) => queryClient.setQueryData(fairnessKeys.mine, saved),
  });
}

export function useWithdrawSelfIdentification() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => request<void>("/api/self-identification", { method: "DELETE" }),
    onSuccess: () =>
      queryClient.setQueryData<SelfIdentification>(fairnessKeys.mine, {
        provided: false,
        sex: null,
        raceEthnicity: null,
        updatedAt: null,
      }),
  });
}

export function useFairnessReport(templateId: string, companyId = "") {
  return useQuery({
    queryKey: fairnessKeys.report(templateId, companyId),
    queryFn: () => request<FairnessReport>("/api/fairness/report", { query: reportQuery({ templateId, companyId }) }),
  });
}

/** Download the report as CSV (the browser saves it). */
export async function downloadFairnessCsv(templateId: string, companyId = ""): Promise<void> {
  const blob = await requestBlob("/api/fairness/report.csv", {
    query: reportQuery({ templateId, companyId }),
    headers: { Accept: "text/csv" },
  });
  const href = URL.createObjectURL(blob);
  try {
    const link = document.createElement("a");
    link.href = href;
    link.download = `adverse-impact-report${templateId ? `-${templateId.slice(0, 8)}` : ""}.csv`;
    document.body.appendChild(link);
    link.click();
    link.remove();
  } finally {
    URL.revokeObjectURL(href);
  }
}
