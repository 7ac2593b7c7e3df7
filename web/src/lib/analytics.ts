"use client";

/**
 * Hiring analytics (the analytics service, through /api/analytics and /api/admin/analytics): the answers' shapes,
 * the filters every chart shares, their query keys and hooks, and the words and figures the pages show.
 */

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, ApiError, buildUrl, requestBlob, type RequestOptions } from "@/lib/api";

// -- the API's answers ----------------------------------------------------------------------------------------

export type Overview = {
  invitations: number;
  started: number;
  completed: number;
  analysed: number;
  decided: number;
  /** 0..1, or null before anyone was invited. */
  completionRate: number | null;
  medianHoursToDecision: number | null;
};

export const FUNNEL_STEPS = ["invited", "opened", "started", "completed", "analysed", "decided"] as const;
export type FunnelStepName = (typeof FUNNEL_STEPS)[number];

export type FunnelStep = {
  step: FunnelStepName | string;
  count: number;
  /** From the previous step, 0..1; null for the first step or when the previous one is empty. */
  conversion: number | null;
  medianSecondsFromPrevious: number | null;
};

export type Funnel = {
  from: string;
  to: string;
  steps: FunnelStep[];
  templates: { templateId: string; templateTitle: string | null; steps: FunnelStep[] }[];
};

export type QuestionStats = {
  questionId: string;
  order: number;
  text: string;
  reached: number;
  answered: number;
  abandonedHere: number;
  /** Seconds: the recorded length of the answers, from completed interviews. */
  medianAnswerLength: number | null;
  retakes: number;
};

export type Questions = { questions: QuestionStats[] };

export type Bucket = { from: number; to: number; count: number };
export type CriterionScores = { criterion: string; median: number | null; buckets: Bucket[] };
export type AiRecommendation = "hire" | "consider" | "reject";
export type HumanDecision = "approved" | "rejected";

export type Scores = {
  criteria: CriterionScores[];
  agreement: { matrix: { ai: AiRecommendation | string; human: HumanDecision | string; count: number }[]; agreementRate: number | null; total: number };
  decisions: { medianHours: number | null; p90Hours: number | null; reviewers: { reviewerId: string; decisions: number; medianHours: number | null }[] };
};

export type NotificationStats = {
  invitationEmails: { sent: number; failed: number };
  openToStart: { opened: number; started: number; conversion: number | null };
};

export const INTERVALS = ["day", "week", "month"] as const;
export type Interval = (typeof INTERVALS)[number];

export type UsagePoint = {
  period: string;
  companyId: string;
  plan: string;
  invitations: number;
  analyses: number;
  storageBytes: number;
  llmTokens: number;
};

export type PlatformUsage = { series: UsagePoint[] };

// -- filters --------------------------------------------------------------------------------------------------

/** Dates are whole UTC days, `YYYY-MM-DD`, both ends included. */
export type DateRange = { from: string; to: string };

export type Filters = DateRange & { templateId?: string; companyId?: string };

export const PRESETS = [7, 30, 90] as const;
export type Preset = (typeof PRESETS)[number];

export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The last `days` days up to and including today (UTC). */
export function presetRange(days: number, now: Date = new Date()): DateRange {
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const from = new Date(to);
  from.setUTCDate(from.getUTCDate() - (days - 1));
  return { from: isoDay(from), to: isoDay(to) };
}

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;
/** The widest range the analytics service answers (a year of days); a wider one would be refused. */
export const MAX_RANGE_DAYS = 366;

/** What is wrong with a custom range, in words and at which date, or null when it can be asked for. */
export function rangeProblem(range: Partial<DateRange>): { field: keyof DateRange; message: string } | null {
  if (!range.from) return { field: "from", message: "Choose a start date." };
  if (!range.to) return { field: "to", message: "Choose an end date." };
  if (!ISO_DAY.test(range.from) || Number.isNaN(Date.parse(range.from))) return { field: "from", message: "The start date is not a valid date." };
  if (!ISO_DAY.test(range.to) || Number.isNaN(Date.parse(range.to))) return { field: "to", message: "The end date is not a valid date." };
  if (range.from > range.to) return { field: "to", message: "The end date must be on or after the start date." };
  if ((Date.parse(range.to) - Date.parse(range.from)) / DAY_MS >= MAX_RANGE_DAYS)
    return { field: "from", message: `Choose a period of at most ${MAX_RANGE_DAYS} days.` };
  return null;
}

/** The query every analytics call sends: the range, and the template or company when one is chosen. */
export function filterQuery(filters: Filters): Record<string, string | undefined> {
  return { from: filters.from, to: filters.to, templateId: filters.templateId || undefined, companyId: filters.companyId || undefined };
}

// -- endpoints, keys and hooks --------------------------------------------------------------------------------

export const ANALYTICS_PATHS = {
  overview: "/api/analytics/overview",
  funnel: "/api/analytics/funnel",
  questions: "/api/analytics/questions",
  scores: "/api/analytics/scores",
  notifications: "/api/analytics/notifications",
  usage: "/api/admin/analytics/usage",
} as const;

export type AnalyticsPath = (typeof ANALYTICS_PATHS)[keyof typeof ANALYTICS_PATHS];

export const analyticsKeys = {
  all: ["analytics"] as const,
  of: (path: AnalyticsPath, query: RequestOptions["query"]) => ["analytics", path, query] as const,
};

/** One analytics answer; the previous answer stays on screen while a changed filter loads. */
function useAnalytics<T>(path: AnalyticsPath, query: Record<string, string | undefined>, enabled = true) {
  return useQuery({
    queryKey: analyticsKeys.of(path, query),
    queryFn: ({ signal }) => api.get<T>(path, query, signal),
    enabled,
    placeholderData: keepPreviousData,
  });
}

export function useOverview(filters: Filters, enabled = true) {
  return useAnalytics<Overview>(ANALYTICS_PATHS.overview, filterQuery(filters), enabled);
}

export function useFunnel(filters: Filters, enabled = true) {
  return useAnalytics<Funnel>(ANALYTICS_PATHS.funnel, filterQuery(filters), enabled);
}

/** Per question of one template: asked only once a template is chosen. */
export function useQuestionStats(filters: Filters, enabled = true) {
  return useAnalytics<Questions>(ANALYTICS_PATHS.questions, filterQuery(filters), enabled && !!filters.templateId);
}

export function useScores(filters: Filters, enabled = true) {
  return useAnalytics<Scores>(ANALYTICS_PATHS.scores, filterQuery(filters), enabled);
}

export function useNotificationStats(filters: Filters, enabled = true) {
  return useAnalytics<NotificationStats>(ANALYTICS_PATHS.notifications, filterQuery(filters), enabled);
}

export function usageQuery(filters: Filters, interval: Interval): Record<string, string | undefined> {
  return { ...filterQuery({ ...filters, templateId: undefined }), interval };
}

export function usePlatformUsage(filters: Filters, interval: Interval, enabled = true) {
  return useAnalytics<PlatformUsage>(ANALYTICS_PATHS.usage, usageQuery(filters, interval), enabled);
}

/** The address of a chart's data as CSV: the same query with `format=csv`. */
export function csvUrl(path: AnalyticsPath, query: Record<string, string | undefined>): string {
  return buildUrl(path, { ...query, format: "csv" });
}

/** A file name that says what and when: "funnel-2026-11-06-to-2026-12-05.csv". */
export function csvFileName(name: string, query: Record<string, string | undefined>): string {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
  return query.from && query.to ? `${slug}-${query.from}-to-${query.to}.csv` : `${slug}.csv`;
}

/** Fetches the CSV with the session's cookies and hands it to the browser as a download. */
export async function downloadCsv(path: AnalyticsPath, query: Record<string, string | undefined>, fileName: string): Promise<void> {
  const blob = await requestBlob(path, { query: { ...query, format: "csv" }, headers: { Accept: "text/csv" } });
  const href = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = href;
  link.download = fileName;
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Released a moment later: a browser may still be reading the file when click() returns.
  setTimeout(() => URL.revokeObjectURL(href), REVOKE_AFTER_MS);
}

const REVOKE_AFTER_MS = 10_000;

// == words and figures (unit-tested) =========================================================================

export const LOAD_ERROR = "We couldn't load the analytics. Try again.";

/** Why an analytics answer could not be shown, in words for the person looking at the page. */
export function analyticsError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.statusCode === 0) return error.message;
    if (error.statusCode === 401) return "Your session has ended. Sign in again to see the analytics.";
    if (error.statusCode === 403 || error.statusCode === 404) return "You don't have access to these analytics.";
    if (error.statusCode === 422) return "These filters can't be used. Check the dates and try again.";
  }
  return LOAD_ERROR;
}

export const STEP_LABELS: Record<string, string> = {
  invited: "Invited",
  opened: "Opened",
  started: "Started",
  completed: "Completed",
  analysed: "Analysed",
  decided: "Decided",
};

export function stepLabel(step: string): string {
  return STEP_LABELS[step] ?? words(step);
}

const AI_LABELS: Record<string, string> = { hire: "Hire", consider: "Consider", reject: "Reject" };
const HUMAN_LABELS: Record<string, string> = { approved: "Approved", rejected: "Rejected" };

export function aiLabel(value: string): string {
  return AI_LABELS[value] ?? words(value);
}

export function humanLabel(value: string): string {
  return HUMAN_LABELS[value] ?? words(value);
}

/** "communication_skills" → "Communication skills". */
export function words(name: string): string {
  const text = name.replace(/[_-]+/g, " ").trim();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function formatNumber(n: number | null | undefined): string {
  if (n === null || n === undefined || Number.isNaN(n)) return "—";
  return new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 }).format(n);
}

/** 0..1 as "42%" (one decimal below 10%), or "—" when there is nothing to divide. */
export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || Number.isNaN(ratio)) return "—";
  const pct = ratio * 100;
  return `${pct > 0 && pct < 10 ? pct.toFixed(1).replace(/\.0$/, "") : Math.round(pct)}%`;
}

/** A duration as a person says it: "45 s", "12 min", "3 h 20 min", "2 days 4 h"; "—" when unknown. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds) || seconds < 0) return "—";
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const minutes = Math.round(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) {
    const rest = minutes % 60;
    return rest ? `${hours} h ${rest} min` : `${hours} h`;
  }
  const days = Math.floor(hours / 24);
  const restHours = hours % 24;
  return restHours ? `${days} days ${restHours} h` : `${days} days`;
}

export function formatHours(hours: number | null | undefined): string {
  return hours === null || hours === undefined ? "—" : formatDuration(hours * 3600);
}

/** Bytes as a person reads them: "0 B", "512 KB", "1.5 GB". */
export function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${formatNumber(Math.round(value * 10) / 10)} ${units[unit]}`;
}

/** A score bucket as a range: "0–20". */
export function bucketLabel(bucket: Bucket): string {
  return `${formatNumber(bucket.from)}–${formatNumber(bucket.to)}`;
}

/** The AI-vs-human confusion matrix as rows (AI recommendation) × columns (human decision), zeros filled in. */
export function agreementGrid(matrix: Scores["agreement"]["matrix"]): { ai: string; counts: Record<string, number>; total: number }[] {
  const ais = ["hire", "consider", "reject", ...new Set(matrix.map((c) => c.ai).filter((a) => !(a in AI_LABELS)))];
  return ais.map((ai) => {
    const counts: Record<string, number> = { approved: 0, rejected: 0 };
    for (const cell of matrix) if (cell.ai === ai) counts[cell.human] = (counts[cell.human] ?? 0) + cell.count;
    return { ai, counts, total: Object.values(counts).reduce((a, b) => a + b, 0) };
  });
}

/** Whether an answer has anything to draw. */
export function funnelIsEmpty(funnel: Funnel): boolean {
  return funnel.steps.every((s) => s.count === 0);
}
