/**
 * Browser pieces of recording an answer: the container/codec MediaRecorder can produce, and where a recording
 * waits until its answer is accepted — the Blob in IndexedDB, the upload's progress in localStorage — so a
 * reload mid-upload loses nothing.
 */

import type { UploadState } from "./upload";

const VIDEO_TYPES = ["video/webm;codecs=vp8,opus", "video/webm;codecs=vp9,opus", "video/webm", "video/mp4"];
const AUDIO_TYPES = ["audio/webm;codecs=opus", "audio/webm", "audio/ogg;codecs=opus", "audio/mp4"];

/** The first type this browser records, for a video or an audio answer ("" lets the browser pick). */
export function pickMimeType(kind: "video" | "audio", isSupported: (type: string) => boolean = defaultSupport): string {
  return (kind === "video" ? VIDEO_TYPES : AUDIO_TYPES).find((t) => isSupported(t)) ?? "";
}

function defaultSupport(type: string): boolean {
  return typeof MediaRecorder !== "undefined" && MediaRecorder.isTypeSupported(type);
}

/** The file extension of a recorded type. */
export function extensionFor(contentType: string): string {
  const base = contentType.split(";", 1)[0].trim();
  if (base.endsWith("/mp4")) return "mp4";
  if (base.endsWith("/ogg")) return "ogg";
  return "webm";
}

/** The type to declare on upload: the recorder's, or a sensible one when the browser named none. */
export function uploadContentType(blobType: string, kind: "video" | "audio"): string {
  return blobType || (kind === "video" ? "video/webm" : "audio/webm");
}

export const recordingKey = (invitationId: string, questionId: string) => `${invitationId}:${questionId}`;

// -- the recorded Blob, in IndexedDB ------------------------------------------------------------------------

export type SavedRecording = { blob: Blob; durationS: number; kind: "video" | "audio"; savedAt: number };

const DB_NAME = "aivi-recordings";
const STORE = "recordings";

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === "undefined") {
      reject(new Error("IndexedDB is not available"));
      return;
    }
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("IndexedDB cannot be opened"));
  });
}

async function run<T>(mode: IDBTransactionMode, act: (store: IDBObjectStore) => IDBRequest): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = act(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request.result as T);
      tx.onerror = () => reject(tx.error ?? request.error ?? new Error("IndexedDB request failed"));
      tx.onabort = () => reject(tx.error ?? new Error("IndexedDB request aborted"));
    });
  } finally {
    db.close();
  }
}

export async function saveRecording(key: string, recording: SavedRecording): Promise<void> {
  await run("readwrite", (s) => s.put(recording, key));
}

export async function loadRecording(key: string): Promise<SavedRecording | null> {
  try {
    const found = await run<SavedRecording | undefined>("readonly", (s) => s.get(key));
    return found && found.blob instanceof Blob ? found : null;
  } catch {
    return null;
  }
}

export async function deleteRecording(key: string): Promise<void> {
  await run("readwrite", (s) => s.delete(key)).catch(() => undefined);
}

// -- the upload's progress, in localStorage -----------------------------------------------------------------

const uploadKey = (key: string) => `aivi-upload:${key}`;

export function saveUploadState(key: string, state: UploadState | null): void {
  try {
    if (state) localStorage.setItem(uploadKey(key), JSON.stringify(state));
    else localStorage.removeItem(uploadKey(key));
  } catch {
    // Storage full or disabled: the upload still works, it just cannot resume after a reload.
  }
}

export function loadUploadState(key: string): UploadState | null {
  try {
    const raw = localStorage.getItem(uploadKey(key));
    if (!raw) return null;
    const parsed = JSON.parse(raw) as UploadState;
    return parsed && typeof parsed.mediaId === "string" ? parsed : null;
  } catch {
    return null;
  }
}

/** Forget everything kept for one answer (after the backend accepted it). */
export async function clearSaved(key: string): Promise<void> {
  saveUploadState(key, null);
  await deleteRecording(key);
}
