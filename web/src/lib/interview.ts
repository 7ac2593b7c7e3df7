/**
 * The interview page's rules as pure functions: question order and where to resume, what each answer sends,
 * retake allowance, and the answer-time countdown. Sending the answers is the invitations module's job.
 */

import type { Invitation, InterviewResponse, ResponseBody } from "@/lib/invitations";
import type { Question } from "@/lib/templates";

export function orderedQuestions(questions: Question[] | null | undefined): Question[] {
  return [...(questions ?? [])].sort((a, b) => a.order - b.order);
}

/** Index of the first question without a response; `questions.length` when every one is answered. */
export function firstUnansweredIndex(questions: Question[], responses: Pick<InterviewResponse, "questionId">[]): number {
  const answered = new Set(responses.map((r) => r.questionId));
  const index = questions.findIndex((q) => !answered.has(q.id));
  return index === -1 ? questions.length : index;
}

export type MediaKind = "video" | "audio";

export function mediaKind(type: string): MediaKind | null {
  return type === "video" || type === "audio" ? type : null;
}

/** Retakes per answer: the backend's figure, else derived from the template's settings as the backend does. */
export function retakesAllowed(invitation: Pick<Invitation, "retakesAllowed" | "templateSettings">): number {
  if (typeof invitation.retakesAllowed === "number") return Math.max(0, invitation.retakesAllowed);
  const settings = invitation.templateSettings;
  if (!settings?.allowRetakes) return 0;
  return typeof settings.maxRetakes === "number" && settings.maxRetakes > 0 ? settings.maxRetakes : 1;
}

/** Whether another recording may replace the current one: `takes` recordings made so far (the first included). */
export function canRetake(takes: number, retakes: number): boolean {
  return retakes > 0 && takes < 1 + retakes;
}

// -- the answer-time countdown ------------------------------------------------------------------------------

export type Countdown = {
  /** Whole seconds left (never negative). */
  remaining: number;
  /** 0..1 of the allowance used. */
  fraction: number;
  expired: boolean;
  /** The last 10 seconds (or the last fifth of a short limit): the UI warns. */
  warning: boolean;
};

export function countdown(limitS: number, startedAtMs: number, nowMs: number): Countdown {
  if (!(limitS > 0)) return { remaining: 0, fraction: 0, expired: false, warning: false };
  const elapsed = Math.max(0, nowMs - startedAtMs) / 1000;
  const remaining = Math.max(0, Math.ceil(limitS - elapsed - 1e-9));
  return {
    remaining,
    fraction: Math.min(1, elapsed / limitS),
    expired: elapsed >= limitS,
    warning: remaining <= Math.min(10, Math.ceil(limitS / 5)),
  };
}

/** Whole seconds from `nowMs` until an instant the server named (never negative). */
export function secondsUntil(iso: string, nowMs: number): number {
  return Math.max(0, Math.ceil((Date.parse(iso) - nowMs) / 1000 - 1e-9));
}

/** A duration in words for the briefing: "about 6 minutes", "about 1 hour 30 minutes", "45 seconds". */
export function describeDuration(seconds: number): string {
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))} seconds`;
  const minutes = Math.round(seconds / 60);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  const parts = [h ? `${h} hour${h === 1 ? "" : "s"}` : "", m ? `${m} minute${m === 1 ? "" : "s"}` : ""].filter(Boolean);
  return `${parts.join(" ")}`;
}

/** Milliseconds until the limit is reached (0 when already reached): when to stop a recording by itself. */
export function msUntilLimit(limitS: number, startedAtMs: number, nowMs: number): number {
  return Math.max(0, startedAtMs + limitS * 1000 - nowMs);
}

// -- what each answer sends ---------------------------------------------------------------------------------

export function textResponse(question: Question, index: number, text: string, durationS: number): ResponseBody {
  return { questionId: question.id, questionIndex: index, responseType: "text", textAnswer: text.trim(), duration: round(durationS) };
}

/** The chosen option by id, and its text as `textAnswer` (what the backend stores and analyses). */
export function choiceResponse(question: Question, index: number, optionId: string, durationS: number): ResponseBody {
  const option = question.options?.find((o) => o.id === optionId);
  if (!option) throw new Error("Choose one of the options");
  return {
    questionId: question.id,
    questionIndex: index,
    responseType: "text",
    textAnswer: option.text,
    selectedOptionId: option.id,
    duration: round(durationS),
  };
}

export function mediaResponse(question: Question, index: number, kind: MediaKind, mediaId: string, durationS: number): ResponseBody {
  return { questionId: question.id, questionIndex: index, responseType: kind, mediaId, duration: round(durationS) };
}

function round(seconds: number): number {
  return Math.max(0, Math.round(seconds * 10) / 10);
}
