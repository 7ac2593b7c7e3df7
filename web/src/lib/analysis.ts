"use client";

/**
 * Analyses (the analysis service): an interview's scores as HR reads them and as the candidate reads them,
 * their query keys and hooks (polled while the analysis runs), and the helpers that present them
 * (recommendation labels, evidence highlighting, unit-tested in tests/hr.test.ts).
 */

import { useQuery } from "@tanstack/react-query";
import { api, ApiError } from "@/lib/api";

// -- wire types -----------------------------------------------------------------------------------------------

export type EvidenceStatus = "verified" | "unverified" | "none" | string;

export type CriterionScore = {
  criterion: string;
  score: number;
  weight: number;
  evidence?: string | null;
  evidenceStatus: EvidenceStatus;
  evidenceStartS?: number | null;
  evidenceEndS?: number | null;
};

export type QuestionAnalysis = {
  id: string;
  questionId: string;
  questionText: string;
  questionType: string;
  responseText: string | null;
  score: number | null;
  feedback: string;
  criteriaScores: CriterionScore[];
  isCorrect: boolean | null;
  tokensUsed: number;
  analysable: boolean;
};

/** `engine` is "llm" for model scoring and "offline" for the labelled heuristic fallback. */
export type Analysis = {
  id: string;
  invitationId: string;
  candidateId: string | null;
  templateId: string | null;
  templateTitle: string;
  companyName: string;
  status: "pending" | "in_progress" | "completed" | "failed" | string;
  overallScore: number | null;
  scoredAnswers: number | null;
  totalAnswers: number | null;
  summary: string | null;
  strengths: string[];
  weaknesses: string[];
  recommendation: "hire" | "consider" | "reject" | string | null;
  language: string;
  engine: "llm" | "offline" | string | null;
  modelUsed: string | null;
  errorMessage: string | null;
  completedAt: string | null;
  questionAnalyses: QuestionAnalysis[];
};

// -- query keys and hooks -------------------------------------------------------------------------------------

export const analysisKeys = {
  hr: (invitationId: string) => ["hr", "analysis", invitationId] as const,
};

const ANALYSIS_RUNNING = new Set(["pending", "in_progress", "waiting_for_transcripts"]);

/** Whether HR's analysis is still being produced (transcripts included). */
export function analysisIsRunning(status: string | null | undefined): boolean {
  return !!status && ANALYSIS_RUNNING.has(status);
}

/** The gateway's answer to a reviewer who must rate a blind interview before seeing the AI's analysis. */
export const AI_HIDDEN_UNTIL_RATED = "AI_HIDDEN_UNTIL_RATED";

export function isAiHidden(error: unknown): boolean {
  return error instanceof ApiError && error.code === AI_HIDDEN_UNTIL_RATED;
}

/**
 * The analysis of a completed interview, for HR. A 404 means it has not been created yet (the event is on its
 * way): that is `null`, polled like a running one. Under blind review the gateway refuses it with
 * `AI_HIDDEN_UNTIL_RATED` until the caller submitted their ratings (`isAiHidden`); pages ask the review board first.
 */
export function useAnalysis(invitationId: string, enabled: boolean) {
  return useQuery({
    queryKey: analysisKeys.hr(invitationId),
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

// == pure helpers (unit-tested) ==============================================================================

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
