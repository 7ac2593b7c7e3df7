/**
 * Uploading a recorded answer: initiate → PUT the bytes straight to S3 (one presigned PUT, or part by part
 * above the media service's threshold) → confirm → wait until the media service has probed it (ready or
 * rejected). Written against a small transport so the whole state machine, resume included, is testable
 * without a browser; `browserTransport()` is the real one (gateway calls through the media module, PUTs through
 * XHR for upload progress).
 *
 * Resume: the caller persists `UploadState` after every step (`persist`). Given that state again (after a
 * reload), a multipart upload asks `/parts` which parts S3 already holds and sends only the missing ones; a
 * single upload re-PUTs the whole blob while its URL is still valid, or starts a new session otherwise; a
 * confirmed upload only waits for processing.
 */

import { ApiError } from "@/lib/api";
import { mediaApi, type InitiateBody, type InitiateResult, type MediaStatus, type PartUrl, type PartsResult } from "@/lib/media";

export interface UploadTransport {
  initiate(body: InitiateBody): Promise<InitiateResult>;
  parts(mediaId: string): Promise<PartsResult>;
  confirm(mediaId: string): Promise<unknown>;
  abort(mediaId: string): Promise<unknown>;
  status(mediaId: string): Promise<MediaStatus>;
  /**
   * PUT `body` to a presigned URL, reporting bytes sent so far. A whole-file URL is signed for the declared
   * Content-Type (and length), so `contentType` must be sent exactly as declared; part URLs take none.
   */
  put(url: string, body: Blob, onProgress: (loaded: number) => void, signal?: AbortSignal, contentType?: string): Promise<void>;
  sleep(ms: number): Promise<void>;
  now(): number;
}

/** What survives a reload (localStorage), one per invitation + question. */
export type UploadState = {
  mediaId: string;
  mode: "single" | "multipart";
  size: number;
  contentType: string;
  /** Single mode: the presigned PUT and when it stops working (ms since epoch). */
  uploadUrl?: string;
  urlExpiresAt?: number;
  partSize?: number;
  partCount?: number;
  /** Multipart: the part numbers known to be stored. */
  partsDone: number[];
  /** `uploading` until confirm succeeded, then `confirmed` (only processing is left to wait for). */
  phase: "uploading" | "confirmed";
};

export type UploadPhase = "starting" | "uploading" | "confirming" | "processing" | "ready";

export type UploadEvents = {
  onPhase?: (phase: UploadPhase) => void;
  /** Fraction 0..1 of the bytes stored. */
  onProgress?: (fraction: number) => void;
  persist?: (state: UploadState | null) => void;
};

export class UploadRejected extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "UploadRejected";
  }
}

export type PartPlan = { partNumber: number; start: number; end: number };

/** The byte ranges of each part: every part `partSize` long except the last; numbers start at 1. */
export function planParts(size: number, partSize: number, partCount?: number): PartPlan[] {
  if (size <= 0 || partSize <= 0) return [];
  const count = partCount ?? Math.ceil(size / partSize);
  const plan: PartPlan[] = [];
  for (let i = 0; i < count; i++) {
    const start = i * partSize;
    if (start >= size) break;
    plan.push({ partNumber: i + 1, start, end: Math.min(size, start + partSize) });
  }
  return plan;
}

/** Bytes already stored, given the parts done. */
export function bytesDone(plan: PartPlan[], done: Iterable<number>): number {
  const set = new Set(done);
  return plan.reduce((sum, p) => sum + (set.has(p.partNumber) ? p.end - p.start : 0), 0);
}

export function stateFromInitiate(init: InitiateResult, size: number, contentType: string, now: number): UploadState {
  const multipart = init.uploadMode === "multipart";
  const expires = Date.parse(init.expiresAt);
  return {
    mediaId: init.mediaId,
    mode: multipart ? "multipart" : "single",
    size,
    contentType,
    uploadUrl: multipart ? undefined : (init.uploadUrl ?? undefined),
    urlExpiresAt: Number.isNaN(expires) ? now + 10 * 60_000 : expires,
    partSize: init.partSize ?? undefined,
    partCount: init.partCount ?? undefined,
    partsDone: [],
    phase: "uploading",
  };
}

/** A saved state can be continued for this blob: same size, and a single PUT URL with a minute to spare. */
export function canResume(state: UploadState | null | undefined, size: number, now: number): state is UploadState {
  if (!state || state.size !== size) return false;
  if (state.phase === "confirmed") return true;
  if (state.mode === "single") return !!state.uploadUrl && (state.urlExpiresAt ?? 0) - now > 60_000;
  return !!state.partSize;
}

function isGone(error: unknown): boolean {
  // The session is not there to continue: unknown (404), aborted or no longer uploading (409/422).
  return error instanceof ApiError && [404, 409, 410, 422].includes(error.statusCode);
}

async function alreadyConfirmed(transport: UploadTransport, mediaId: string): Promise<boolean> {
  const status = await transport.status(mediaId).catch(() => null);
  return status?.status === "processing" || status?.status === "ready";
}

async function withRetries<T>(transport: UploadTransport, attempts: number, run: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    if (signal?.aborted) throw new DOMException("Aborted", "AbortError");
    try {
      return await run();
    } catch (error) {
      if (error instanceof DOMException && error.name === "AbortError") throw error;
      last = error;
      if (i < attempts - 1) await transport.sleep(500 * 2 ** i);
    }
  }
  throw last;
}

export type UploadArgs = UploadEvents & {
  blob: Blob;
  transport: UploadTransport;
  invitationId: string;
  questionId: string;
  fileName: string;
  contentType: string;
  saved?: UploadState | null;
  signal?: AbortSignal;
  pollIntervalMs?: number;
  /** Give up waiting for processing after this long (the media stays; a later attempt resumes polling). */
  pollTimeoutMs?: number;
};

/** Upload (or continue uploading) one recording; resolves with the media id once the media is ready. */
export async function uploadRecording(args: UploadArgs): Promise<string> {
  const { blob, transport, signal } = args;
  const persist = args.persist ?? (() => {});
  const progress = args.onProgress ?? (() => {});
  const phase = args.onPhase ?? (() => {});
  let state: UploadState | null = canResume(args.saved, blob.size, transport.now()) ? args.saved! : null;
  if (!state && args.saved?.mediaId && args.saved.phase === "uploading") {
    // A session we cannot continue (expired URL, another blob) may still have been confirmed just before the
    // reload; otherwise give it up, best effort.
    if (args.saved.size === blob.size && (await alreadyConfirmed(transport, args.saved.mediaId))) {
      state = { ...args.saved, phase: "confirmed" };
    } else {
      await transport.abort(args.saved.mediaId).catch(() => undefined);
    }
  }

  if (state && state.phase === "uploading") {
    const saved: UploadState = state;
    try {
      state = await sendBytes(saved, args, persist, progress, phase);
    } catch (error) {
      if (!isGone(error)) throw error;
      // The saved session cannot take more bytes: confirmed already, or gone (then start a new one below).
      state = (await alreadyConfirmed(transport, saved.mediaId)) ? { ...saved, phase: "confirmed" } : null;
    }
  }
  if (!state) {
    phase("starting");
    progress(0);
    const init = await transport.initiate({
      invitationId: args.invitationId,
      questionId: args.questionId,
      fileName: args.fileName,
      contentType: args.contentType,
      fileSize: blob.size,
    });
    state = stateFromInitiate(init, blob.size, args.contentType, transport.now());
    persist(state);
    state = await sendBytes(state, args, persist, progress, phase, init.parts ?? undefined);
  }

  progress(1);
  phase("processing");
  const ready = await waitUntilProcessed(transport, state.mediaId, args.pollIntervalMs ?? 1500, args.pollTimeoutMs ?? 180_000, signal);
  phase("ready");
  return ready;
}

async function sendBytes(
  state: UploadState,
  args: UploadArgs,
  persist: (s: UploadState | null) => void,
  progress: (f: number) => void,
  phase: (p: UploadPhase) => void,
  freshParts?: PartUrl[],
): Promise<UploadState> {
  const { blob, transport, signal } = args;
  if (state.phase === "confirmed") return state;
  phase("uploading");
  if (state.mode === "single") {
    const url = state.uploadUrl;
    if (!url) throw new Error("The upload session has no URL");
    await withRetries(
      transport,
      3,
      () => transport.put(url, blob, (loaded) => progress(loaded / blob.size), signal, state.contentType),
      signal,
    );
  } else {
    state = await sendParts(state, blob, transport, persist, progress, signal, freshParts);
  }
  progress(1);
  phase("confirming");
  await withRetries(transport, 2, () => transport.confirm(state.mediaId), signal).catch((error) => {
    if (error instanceof ApiError && error.statusCode >= 400 && error.statusCode < 500 && error.code !== "UPLOAD_INCOMPLETE") {
      throw new UploadRejected(error.message);
    }
    throw error;
  });
  const confirmed: UploadState = { ...state, phase: "confirmed" };
  persist(confirmed);
  return confirmed;
}

async function sendParts(
  state: UploadState,
  blob: Blob,
  transport: UploadTransport,
  persist: (s: UploadState | null) => void,
  progress: (f: number) => void,
  signal: AbortSignal | undefined,
  freshParts?: PartUrl[],
): Promise<UploadState> {
  let urls = new Map<number, string>();
  let done = new Set<number>(state.partsDone);
  let partSize = state.partSize!;
  let partCount = state.partCount;
  if (freshParts) {
    urls = new Map(freshParts.map((p) => [p.partNumber, p.url]));
  } else {
    // Resuming: S3 is the truth about which parts arrived.
    const listed = await transport.parts(state.mediaId);
    partSize = listed.partSize;
    partCount = listed.partCount;
    done = new Set(listed.uploadedParts.map((p) => p.partNumber));
    urls = new Map(listed.missingParts.map((p) => [p.partNumber, p.url]));
  }
  const plan = planParts(blob.size, partSize, partCount);
  let current: UploadState = { ...state, partSize, partCount, partsDone: [...done].sort((a, b) => a - b) };
  persist(current);
  progress(bytesDone(plan, done) / blob.size);
  for (const part of plan) {
    if (done.has(part.partNumber)) continue;
    const base = bytesDone(plan, done);
    await withRetries(
      transport,
      3,
      async () => {
        let url = urls.get(part.partNumber);
        if (!url) {
          const listed = await transport.parts(state.mediaId);
          urls = new Map(listed.missingParts.map((p) => [p.partNumber, p.url]));
          url = urls.get(part.partNumber);
          if (!url) return; // S3 already has it
        }
        try {
          await transport.put(url, blob.slice(part.start, part.end), (loaded) => progress((base + loaded) / blob.size), signal);
        } catch (error) {
          urls.delete(part.partNumber); // perhaps expired: ask for a fresh URL on the next attempt
          throw error;
        }
      },
      signal,
    );
    done.add(part.partNumber);
    current = { ...current, partsDone: [...done].sort((a, b) => a - b) };
    persist(current);
    progress(bytesDone(plan, done) / blob.size);
  }
  return current;
}

/** Poll the media status until it is ready; a rejection (or an aborted/deleted object) throws UploadRejected. */
export async function waitUntilProcessed(
  transport: UploadTransport,
  mediaId: string,
  intervalMs: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<string> {
  const deadline = transport.now() + timeoutMs;
  for (;;) {
    if (signal?.aborted) throw new DOMException("Aborted", "AbortError");
    const status = await withRetries(transport, 3, () => transport.status(mediaId), signal);
    if (status.status === "ready") return mediaId;
    if (status.status === "rejected") throw new UploadRejected(status.reason || "The recording could not be processed.");
    if (status.status === "aborted" || status.status === "deleted") throw new UploadRejected(`The recording was ${status.status}.`);
    if (transport.now() >= deadline) throw new Error("Processing is taking longer than expected. Try again in a moment.");
    await transport.sleep(intervalMs);
  }
}

/** The real transport: gateway calls with cookies, PUTs to S3 through XHR (fetch reports no upload progress). */
export function browserTransport(): UploadTransport {
  return {
    initiate: mediaApi.initiate,
    parts: mediaApi.parts,
    confirm: mediaApi.confirm,
    abort: mediaApi.abort,
    status: mediaApi.status,
    put: (url, body, onProgress, signal, contentType) =>
      new Promise<void>((resolve, reject) => {
        const xhr = new XMLHttpRequest();
        xhr.open("PUT", url);
        // Otherwise XHR sends the blob's own type, which may be empty or differ from the declared one.
        if (contentType) xhr.setRequestHeader("Content-Type", contentType);
        xhr.upload.onprogress = (e) => onProgress(e.loaded);
        xhr.onload = () =>
          xhr.status >= 200 && xhr.status < 300
            ? resolve()
            : reject(new Error(`The storage server refused the upload (HTTP ${xhr.status}).`));
        xhr.onerror = () => reject(new Error("The upload was interrupted. Check your connection and try again."));
        xhr.onabort = () => reject(new DOMException("Aborted", "AbortError"));
        signal?.addEventListener("abort", () => xhr.abort(), { once: true });
        xhr.send(body);
      }),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
  };
}
