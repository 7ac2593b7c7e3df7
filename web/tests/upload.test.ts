import { describe, expect, it } from "vitest";
import { ApiError } from "@/lib/api";
import {
  UploadRejected,
  bytesDone,
  canResume,
  planParts,
  uploadRecording,
  type UploadState,
  type UploadTransport,
} from "@/lib/upload";
import type { InitiateBody } from "@/lib/media";

const MiB = 1024 * 1024;

/** An in-memory media service + S3: records every call; parts and objects persist across "reloads". */
class FakeMedia implements UploadTransport {
  calls: string[] = [];
  objects = new Map<string, { mode: "single" | "multipart"; size: number; contentType?: string; partSize: number; partCount: number; parts: Map<number, number>; status: string; reason?: string }>();
  statusSequence: string[] = ["processing", "ready"];
  failPutTimes = 0;
  /** Stop after this many successful PUTs (simulates the page being closed). */
  crashAfterPuts = Infinity;
  puts = 0;
  clock = 1_000_000;
  threshold = 16 * MiB;
  partSize = 8 * MiB;
  next = 0;

  async initiate(body: InitiateBody) {
    this.calls.push("initiate");
    const mediaId = `m${++this.next}`;
    const multipart = body.fileSize > this.threshold;
    const partCount = multipart ? Math.ceil(body.fileSize / this.partSize) : 1;
    this.objects.set(mediaId, { mode: multipart ? "multipart" : "single", size: body.fileSize, contentType: body.contentType, partSize: this.partSize, partCount, parts: new Map(), status: "uploading" });
    const expiresAt = new Date(this.clock + 15 * 60_000).toISOString();
    return multipart
      ? {
          mediaId,
          status: "uploading",
          uploadMode: "multipart",
          expiresAt,
          partSize: this.partSize,
          partCount,
          parts: Array.from({ length: partCount }, (_, i) => ({ partNumber: i + 1, url: `s3://${mediaId}/${i + 1}` })),
        }
      : { mediaId, status: "uploading", uploadMode: "single", expiresAt, uploadUrl: `s3://${mediaId}/whole` };
  }

  async parts(mediaId: string) {
    this.calls.push(`parts ${mediaId}`);
    const o = this.objects.get(mediaId);
    if (!o || o.status !== "uploading") throw new ApiError(409, "NOT_UPLOADING", "not uploading");
    const missing = Array.from({ length: o.partCount }, (_, i) => i + 1).filter((n) => !o.parts.has(n));
    return {
      mediaId,
      partSize: o.partSize,
      partCount: o.partCount,
      uploadedParts: [...o.parts].map(([partNumber, size]) => ({ partNumber, size })),
      missingParts: missing.map((n) => ({ partNumber: n, url: `s3://${mediaId}/${n}` })),
      expiresAt: new Date(this.clock + 15 * 60_000).toISOString(),
    };
  }

  async put(url: string, body: Blob, onProgress: (loaded: number) => void, _signal?: AbortSignal, contentType?: string) {
    if (this.puts >= this.crashAfterPuts) throw new DOMException("Aborted", "AbortError");
    this.calls.push(`put ${url} ${body.size}`);
    if (this.failPutTimes > 0) {
      this.failPutTimes--;
      throw new Error("network");
    }
    const [, mediaId, part] = /^s3:\/\/([^/]+)\/(.+)$/.exec(url)!;
    const o = this.objects.get(mediaId)!;
    // As S3 does: a whole-file URL is signed for the declared Content-Type, a part URL for none.
    if ((part === "whole" ? o.contentType : undefined) !== contentType) throw new Error("403 SignatureDoesNotMatch");
    onProgress(body.size / 2);
    onProgress(body.size);
    o.parts.set(part === "whole" ? 1 : Number(part), body.size);
    this.puts++;
  }

  async confirm(mediaId: string) {
    this.calls.push(`confirm ${mediaId}`);
    const o = this.objects.get(mediaId)!;
    if (o.status === "processing" || o.status === "ready") return {};
    const stored = [...o.parts.values()].reduce((a, b) => a + b, 0);
    if (o.parts.size < o.partCount || stored !== o.size) throw new ApiError(422, "UPLOAD_INCOMPLETE", "parts missing");
    o.status = "processing";
    return {};
  }

  async abort(mediaId: string) {
    this.calls.push(`abort ${mediaId}`);
    const o = this.objects.get(mediaId);
    if (o) o.status = "aborted";
    return {};
  }

  async status(mediaId: string) {
    this.calls.push(`status ${mediaId}`);
    const o = this.objects.get(mediaId)!;
    if (o.status === "processing") {
      const s = this.statusSequence.shift() ?? "ready";
      if (s !== "processing") o.status = s;
    }
    return { mediaId, status: o.status, reason: o.status === "rejected" ? (o.reason ?? "No audio or video stream found") : null };
  }

  async sleep(ms: number) {
    this.clock += ms;
  }

  now() {
    return this.clock;
  }
}

function blobOf(size: number): Blob {
  return new Blob([new Uint8Array(size)], { type: "video/webm" });
}

function run(fake: FakeMedia, blob: Blob, saved: UploadState | null, log: { states: (UploadState | null)[]; progress: number[]; phases: string[] }) {
  return uploadRecording({
    blob,
    transport: fake,
    invitationId: "inv",
    questionId: "q",
    fileName: "answer-1.webm",
    contentType: "video/webm",
    saved,
    persist: (s) => log.states.push(s),
    onProgress: (f) => log.progress.push(f),
    onPhase: (p) => log.phases.push(p),
    pollIntervalMs: 10,
  });
}

const newLog = () => ({ states: [] as (UploadState | null)[], progress: [] as number[], phases: [] as string[] });

describe("planParts", () => {
  it("cuts a file into full parts and a shorter last one, numbered from 1", () => {
    expect(planParts(20, 8)).toEqual([
      { partNumber: 1, start: 0, end: 8 },
      { partNumber: 2, start: 8, end: 16 },
      { partNumber: 3, start: 16, end: 20 },
    ]);
    expect(planParts(16, 8).map((p) => p.end - p.start)).toEqual([8, 8]);
    expect(planParts(0, 8)).toEqual([]);
  });

  it("counts the bytes of the parts already stored", () => {
    const plan = planParts(20, 8);
    expect(bytesDone(plan, [1, 3])).toBe(12);
    expect(bytesDone(plan, [])).toBe(0);
  });
});

describe("canResume", () => {
  const base: UploadState = { mediaId: "m", mode: "single", size: 10, contentType: "video/webm", uploadUrl: "u", urlExpiresAt: 200_000, partsDone: [], phase: "uploading" };
  it("continues a single upload only while its URL has a minute left, and only for the same blob", () => {
    expect(canResume(base, 10, 100_000)).toBe(true);
    expect(canResume(base, 10, 150_000)).toBe(false);
    expect(canResume(base, 11, 100_000)).toBe(false);
    expect(canResume(null, 10, 0)).toBe(false);
  });
  it("always continues a confirmed upload (only processing is left)", () => {
    expect(canResume({ ...base, phase: "confirmed", urlExpiresAt: 0 }, 10, 999_999)).toBe(true);
  });
});

describe("uploadRecording", () => {
  it("uploads a small recording with one PUT, confirms, and waits until it is ready", async () => {
    const fake = new FakeMedia();
    const log = newLog();
    const mediaId = await run(fake, blobOf(1000), null, log);
    expect(mediaId).toBe("m1");
    expect(fake.calls).toEqual(["initiate", "put s3://m1/whole 1000", "confirm m1", "status m1", "status m1"]);
    expect(log.phases).toEqual(["starting", "uploading", "confirming", "processing", "ready"]);
    expect(log.progress).toContain(0.5);
    expect(log.progress.at(-1)).toBe(1);
    expect(log.states.at(-1)?.phase).toBe("confirmed");
  });

  it("sends a large recording part by part, saving each part done", async () => {
    const fake = new FakeMedia();
    const log = newLog();
    await run(fake, blobOf(20 * MiB), null, log);
    expect(fake.calls.filter((c) => c.startsWith("put"))).toEqual([
      `put s3://m1/1 ${8 * MiB}`,
      `put s3://m1/2 ${8 * MiB}`,
      `put s3://m1/3 ${4 * MiB}`,
    ]);
    const partsDone = log.states.filter((s) => s?.phase === "uploading").map((s) => s!.partsDone);
    expect(partsDone).toEqual([[], [], [1], [1, 2], [1, 2, 3]]);
    // Progress never goes backwards across parts.
    expect([...log.progress]).toEqual([...log.progress].sort((a, b) => a - b));
  });

  it("resumes a multipart upload after a reload: asks S3 which parts it has and sends only the missing ones", async () => {
    const fake = new FakeMedia();
    fake.crashAfterPuts = 2;
    const first = newLog();
    await expect(run(fake, blobOf(20 * MiB), null, first)).rejects.toThrow();
    const saved = first.states.at(-1)!;
    expect(saved.partsDone).toEqual([1, 2]);

    fake.crashAfterPuts = Infinity;
    fake.calls = [];
    const second = newLog();
    const mediaId = await run(fake, blobOf(20 * MiB), saved, second);
    expect(mediaId).toBe("m1");
    expect(fake.calls.slice(0, 3)).toEqual(["parts m1", `put s3://m1/3 ${4 * MiB}`, "confirm m1"]);
    expect(second.progress[0]).toBeCloseTo(16 / 20);
  });

  it("re-PUTs a single upload after a reload while its URL is valid, and starts over once it expired", async () => {
    const fake = new FakeMedia();
    const { mediaId: _unused, ...rest } = await fake.initiate({ invitationId: "inv", questionId: "q", fileName: "a", contentType: "video/webm", fileSize: 1000 });
    void _unused;
    const saved: UploadState = { mediaId: "m1", mode: "single", size: 1000, contentType: "video/webm", uploadUrl: rest.uploadUrl!, urlExpiresAt: fake.clock + 10 * 60_000, partsDone: [], phase: "uploading" };
    fake.calls = [];
    expect(await run(fake, blobOf(1000), saved, newLog())).toBe("m1");
    expect(fake.calls[0]).toBe("put s3://m1/whole 1000");

    const stale: UploadState = { ...saved, mediaId: "m1", urlExpiresAt: fake.clock - 1 };
    fake.objects.get("m1")!.status = "uploading";
    fake.calls = [];
    expect(await run(fake, blobOf(1000), stale, newLog())).toBe("m2");
    expect(fake.calls.slice(0, 4)).toEqual(["status m1", "abort m1", "initiate", "put s3://m2/whole 1000"]);
  });

  it("only polls when the saved upload was already confirmed", async () => {
    const fake = new FakeMedia();
    await fake.initiate({ invitationId: "inv", questionId: "q", fileName: "a", contentType: "video/webm", fileSize: 10 });
    fake.objects.get("m1")!.status = "processing";
    fake.calls = [];
    const saved: UploadState = { mediaId: "m1", mode: "single", size: 10, contentType: "video/webm", partsDone: [], phase: "confirmed" };
    expect(await run(fake, blobOf(10), saved, newLog())).toBe("m1");
    expect(fake.calls.every((c) => c.startsWith("status"))).toBe(true);
  });

  it("starts a new session when the saved one is gone", async () => {
    const fake = new FakeMedia();
    const saved: UploadState = { mediaId: "lost", mode: "multipart", size: 20 * MiB, contentType: "video/webm", partSize: 8 * MiB, partCount: 3, partsDone: [1], phase: "uploading" };
    fake.objects.set("lost", { mode: "multipart", size: 20 * MiB, partSize: 8 * MiB, partCount: 3, parts: new Map(), status: "aborted" });
    expect(await run(fake, blobOf(20 * MiB), saved, newLog())).toBe("m1");
    expect(fake.calls.slice(0, 3)).toEqual(["parts lost", "status lost", "initiate"]);
  });

  it("retries a PUT that failed on the network", async () => {
    const fake = new FakeMedia();
    fake.failPutTimes = 2;
    expect(await run(fake, blobOf(100), null, newLog())).toBe("m1");
    expect(fake.calls.filter((c) => c.startsWith("put"))).toHaveLength(3);
  });

  it("reports a rejected recording with the media service's reason", async () => {
    const fake = new FakeMedia();
    fake.statusSequence = ["processing", "rejected"];
    const error = await run(fake, blobOf(100), null, newLog()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UploadRejected);
    expect((error as UploadRejected).reason).toBe("No audio or video stream found");
  });

  it("gives up waiting for processing after the timeout", async () => {
    const fake = new FakeMedia();
    fake.statusSequence = Array(1000).fill("processing");
    await expect(
      uploadRecording({ blob: blobOf(10), transport: fake, invitationId: "i", questionId: "q", fileName: "a", contentType: "video/webm", pollIntervalMs: 1000, pollTimeoutMs: 5000 }),
    ).rejects.toThrow(/longer than expected/);
  });
});
