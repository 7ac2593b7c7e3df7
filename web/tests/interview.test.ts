import { afterEach, describe, expect, it } from "vitest";
import { ApiError, setFetch } from "@/lib/api";
import {
  canRetake,
  choiceResponse,
  countdown,
  firstUnansweredIndex,
  mediaKind,
  msUntilLimit,
  orderedQuestions,
  retakesAllowed,
  textResponse,
} from "@/lib/interview";
import { isMediaLag, submitResponse } from "@/lib/invitations";
import { extensionFor, pickMimeType, uploadContentType } from "@/lib/recorder";
import type { Question } from "@/lib/templates";

const q = (id: string, order: number, extra: Partial<Question> = {}): Question => ({
  id,
  text: `Question ${id}`,
  type: "text",
  order,
  timeLimit: 60,
  required: true,
  createdAt: "2026-01-01T00:00:00Z",
  ...extra,
});

describe("question order and resuming", () => {
  const questions = orderedQuestions([q("c", 3), q("a", 1), q("b", 2)]);

  it("orders questions by their order number", () => {
    expect(questions.map((x) => x.id)).toEqual(["a", "b", "c"]);
  });

  it("resumes at the first unanswered question, even when a later one was answered", () => {
    expect(firstUnansweredIndex(questions, [])).toBe(0);
    expect(firstUnansweredIndex(questions, [{ questionId: "a" }])).toBe(1);
    expect(firstUnansweredIndex(questions, [{ questionId: "a" }, { questionId: "c" }])).toBe(1);
    expect(firstUnansweredIndex(questions, [{ questionId: "a" }, { questionId: "b" }, { questionId: "c" }])).toBe(3);
  });

  it("knows which questions are recorded", () => {
    expect(mediaKind("video")).toBe("video");
    expect(mediaKind("audio")).toBe("audio");
    expect(mediaKind("multiple_choice")).toBeNull();
  });
});

describe("retakes", () => {
  it("takes the backend's allowance, else derives it from the template settings", () => {
    expect(retakesAllowed({ retakesAllowed: 3, templateSettings: { allowRetakes: false } })).toBe(3);
    expect(retakesAllowed({ templateSettings: { allowRetakes: true } })).toBe(1);
    expect(retakesAllowed({ templateSettings: { allowRetakes: true, maxRetakes: 4 } })).toBe(4);
    expect(retakesAllowed({ templateSettings: { allowRetakes: false, maxRetakes: 4 } })).toBe(0);
    expect(retakesAllowed({})).toBe(0);
  });

  it("allows another take only within 1 + retakes", () => {
    expect(canRetake(1, 0)).toBe(false);
    expect(canRetake(1, 1)).toBe(true);
    expect(canRetake(2, 1)).toBe(false);
    expect(canRetake(3, 3)).toBe(true);
    expect(canRetake(4, 3)).toBe(false);
  });
});

describe("answer-time countdown", () => {
  const t0 = 1_000_000;

  it("counts whole seconds down from the limit", () => {
    expect(countdown(60, t0, t0)).toMatchObject({ remaining: 60, expired: false, warning: false, fraction: 0 });
    expect(countdown(60, t0, t0 + 500).remaining).toBe(60);
    expect(countdown(60, t0, t0 + 1000).remaining).toBe(59);
    expect(countdown(60, t0, t0 + 30_000).fraction).toBeCloseTo(0.5);
  });

  it("warns in the last ten seconds and expires at the limit, never going negative", () => {
    expect(countdown(60, t0, t0 + 49_000).warning).toBe(false);
    expect(countdown(60, t0, t0 + 50_000).warning).toBe(true);
    expect(countdown(60, t0, t0 + 60_000)).toMatchObject({ remaining: 0, expired: true, fraction: 1 });
    expect(countdown(60, t0, t0 + 90_000)).toMatchObject({ remaining: 0, expired: true, fraction: 1 });
  });

  it("warns in the last fifth of a short limit", () => {
    expect(countdown(30, t0, t0 + 24_000).warning).toBe(true);
    expect(countdown(30, t0, t0 + 23_000).warning).toBe(false);
  });

  it("tells when to stop the recording by itself", () => {
    expect(msUntilLimit(90, t0, t0)).toBe(90_000);
    expect(msUntilLimit(90, t0, t0 + 89_500)).toBe(500);
    expect(msUntilLimit(90, t0, t0 + 100_000)).toBe(0);
  });

  it("has nothing to count without a limit", () => {
    expect(countdown(0, t0, t0 + 5000)).toMatchObject({ remaining: 0, expired: false });
  });
});

describe("response bodies", () => {
  const mc = q("m", 2, { type: "multiple_choice", options: [{ id: "o1", text: "POST" }, { id: "o2", text: "PUT" }] });

  it("sends a multiple-choice answer as the option's id and its text", () => {
    expect(choiceResponse(mc, 1, "o2", 12.345)).toEqual({
      questionId: "m",
      questionIndex: 1,
      responseType: "text",
      textAnswer: "PUT",
      selectedOptionId: "o2",
      duration: 12.3,
    });
    expect(() => choiceResponse(mc, 1, "nope", 1)).toThrow();
  });

  it("trims a text answer", () => {
    expect(textResponse(q("t", 1), 0, "  hello \n", 3)).toMatchObject({ textAnswer: "hello", responseType: "text", questionIndex: 0 });
  });
});

describe("submitting a media answer", () => {
  afterEach(() => setFetch((...args) => fetch(...args)));

  it("retries while the interviews service has not heard the recording is ready, then succeeds", async () => {
    let calls = 0;
    setFetch(async () => {
      calls++;
      if (calls < 3) return new Response(JSON.stringify({ code: "MEDIA_NOT_FOUND", message: "unknown" }), { status: 422 });
      return new Response(JSON.stringify({ id: "r1" }), { status: 201 });
    });
    const body = { questionId: "v", questionIndex: 2, responseType: "video" as const, mediaId: "m1", duration: 10 };
    await expect(submitResponse("inv", body, { sleep: async () => {} })).resolves.toEqual({ id: "r1" });
    expect(calls).toBe(3);
  });

  it("does not retry other refusals", async () => {
    let calls = 0;
    setFetch(async () => {
      calls++;
      return new Response(JSON.stringify({ code: "DUPLICATE_RESPONSE", message: "answered" }), { status: 409 });
    });
    const body = { questionId: "v", questionIndex: 2, responseType: "video" as const, mediaId: "m1", duration: 10 };
    await expect(submitResponse("inv", body, { sleep: async () => {} })).rejects.toBeInstanceOf(ApiError);
    expect(calls).toBe(1);
    expect(isMediaLag(new ApiError(422, "MEDIA_NOT_READY", "x"))).toBe(true);
  });
});

describe("recording formats", () => {
  it("prefers VP8/Opus WebM for video and Opus for audio, falling back to what the browser has", () => {
    expect(pickMimeType("video", () => true)).toBe("video/webm;codecs=vp8,opus");
    expect(pickMimeType("video", (t) => t === "video/mp4")).toBe("video/mp4");
    expect(pickMimeType("audio", (t) => t.startsWith("audio/webm"))).toBe("audio/webm;codecs=opus");
    expect(pickMimeType("audio", () => false)).toBe("");
  });

  it("names the file and the declared type after the recording", () => {
    expect(extensionFor("video/webm;codecs=vp8,opus")).toBe("webm");
    expect(extensionFor("video/mp4")).toBe("mp4");
    expect(uploadContentType("", "audio")).toBe("audio/webm");
  });
});
