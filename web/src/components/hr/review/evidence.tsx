"use client";

import * as React from "react";
import { highlightEvidence, type CriterionScore, type HighlightPiece } from "@/lib/analysis";
import type { TranscriptSegment } from "@/lib/media";
import { formatSeconds } from "@/lib/utils";

export type Quote = { text: string; startS: number | null; criterion: string };

/** The quotes of a question's criteria (each once, case-insensitively). */
export function quotesOf(criteria: CriterionScore[]): Quote[] {
  const seen = new Set<string>();
  const out: Quote[] = [];
  for (const c of criteria) {
    const text = c.evidence?.trim();
    if (!text || seen.has(text.toLowerCase())) continue;
    seen.add(text.toLowerCase());
    out.push({ text, startS: c.evidenceStartS ?? null, criterion: c.criterion });
  }
  return out;
}

function markTitle(piece: HighlightPiece, quotes: Quote[]): string {
  return `Evidence for ${piece.quotes.map((i) => quotes[i]?.criterion).filter(Boolean).join(", ")}`;
}

/** A written answer with the evidence quotes marked. */
export function HighlightedText({ text, quotes }: { text: string; quotes: Quote[] }) {
  const { pieces } = React.useMemo(() => highlightEvidence(text, quotes.map((q) => q.text)), [text, quotes]);
  return (
    <p className="whitespace-pre-wrap break-words text-sm leading-relaxed">
      {pieces.map((piece) =>
        piece.quotes.length ? (
          <mark key={piece.start} className="evidence rounded bg-amber-200 px-0.5 text-foreground" title={markTitle(piece, quotes)}>
            {piece.text}
          </mark>
        ) : (
          <React.Fragment key={piece.start}>{piece.text}</React.Fragment>
        ),
      )}
    </p>
  );
}

/** The transcript joined into one text, with each segment's character range. */
export function joinSegments(segments: TranscriptSegment[]): { text: string; ranges: { from: number; to: number; start: number; end: number }[] } {
  let text = "";
  const ranges: { from: number; to: number; start: number; end: number }[] = [];
  for (const s of segments) {
    const part = s.text.trim();
    if (!part) continue;
    if (text) text += " ";
    ranges.push({ from: text.length, to: text.length + part.length, start: s.start, end: s.end });
    text += part;
  }
  return { text, ranges };
}

/**
 * The transcript as timed segments (each a button that seeks to its start), with evidence quotes marked;
 * every mark is a button that plays the recording from the quote's timestamp.
 */
export function Transcript({ segments, quotes, onSeek }: { segments: TranscriptSegment[]; quotes: Quote[]; onSeek: (seconds: number) => void }) {
  const { text, ranges } = React.useMemo(() => joinSegments(segments), [segments]);
  const { pieces } = React.useMemo(() => highlightEvidence(text, quotes.map((q) => q.text)), [text, quotes]);
  const timeAt = (offset: number) => ranges.find((r) => offset >= r.from && offset < r.to)?.start ?? ranges.findLast((r) => r.from <= offset)?.start ?? 0;
  return (
    <ol className="space-y-1 text-sm leading-relaxed" aria-label="Transcript">
      {ranges.map((range) => {
        const inside = pieces
          .filter((p) => p.end > range.from && p.start < range.to)
          .map((p) => ({ ...p, text: text.slice(Math.max(p.start, range.from), Math.min(p.end, range.to)), from: Math.max(p.start, range.from) }));
        return (
          <li key={range.from} className="flex gap-2">
            <button
              type="button"
              className="shrink-0 rounded px-1 font-mono text-xs text-muted-foreground hover:bg-accent focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
              onClick={() => onSeek(range.start)}
              aria-label={`Play from ${formatSeconds(range.start)}`}
            >
              {formatSeconds(range.start)}
            </button>
            <span className="min-w-0 break-words">
              {inside.map((p) =>
                p.quotes.length ? (
                  <mark key={p.from} className="evidence rounded bg-amber-200 text-foreground">
                    <button
                      type="button"
                      className="rounded px-0.5 text-left focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
                      title={markTitle(p, quotes)}
                      onClick={() => onSeek(quotes[p.quotes[0]!]?.startS ?? timeAt(p.start))}
                    >
                      {p.text}
                    </button>
                  </mark>
                ) : (
                  <React.Fragment key={p.from}>{p.text}</React.Fragment>
                ),
              )}
            </span>
          </li>
        );
      })}
    </ol>
  );
}
