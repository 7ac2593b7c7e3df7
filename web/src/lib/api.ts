/**
 * The one way the web app talks to the platform: every call goes to the gateway with cookies. A 401 (outside
 * /auth/*) triggers one shared refresh, after which the call is retried once; errors carry the gateway's
 * envelope (statusCode, code, message, per-field details) so pages can show what the server said.
 */

export type FieldDetail = { field?: string; message: string; [key: string]: unknown };

export class ApiError extends Error {
  readonly statusCode: number;
  readonly code: string;
  readonly details: FieldDetail[] | Record<string, unknown> | undefined;

  constructor(statusCode: number, code: string, message: string, details?: ApiError["details"]) {
    super(message);
    this.name = "ApiError";
    this.statusCode = statusCode;
    this.code = code;
    this.details = details;
  }

  /** Field-level messages keyed by the field's dotted path (the last segment for nested names). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    if (Array.isArray(this.details)) {
      for (const d of this.details) {
        if (d && typeof d.field === "string") out[d.field] = d.message;
      }
    }
    return out;
  }
}

let apiBase = "http://127.0.0.1:8001";

export function configureApi(base: string): void {
  apiBase = base.replace(/\/+$/, "");
}

export function getApiBase(): string {
  return apiBase;
}

type Fetch = typeof fetch;
let fetchImpl: Fetch = (...args) => fetch(...args);

/** Tests swap the transport; the app never calls this. */
export function setFetch(impl: Fetch): void {
  fetchImpl = impl;
}

let refreshing: Promise<boolean> | null = null;

/** Refresh the session once for every caller that hit a 401 at the same time. */
export function refreshSession(): Promise<boolean> {
  if (!refreshing) {
    refreshing = fetchImpl(`${apiBase}/auth/refresh`, {
      method: "POST",
      credentials: "include",
      headers: { "Content-Type": "application/json" },
      body: "{}",
    })
      .then((r) => r.ok)
      .catch(() => false)
      .finally(() => {
        refreshing = null;
      });
  }
  return refreshing;
}

export type RequestOptions = {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string | number | boolean | undefined | null | string[]>;
  signal?: AbortSignal;
};

export function buildUrl(path: string, query?: RequestOptions["query"]): string {
  const url = new URL(path.startsWith("http") ? path : `${apiBase}${path}`);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === "") continue;
    if (Array.isArray(value)) value.forEach((v) => url.searchParams.append(key, v));
    else url.searchParams.set(key, String(value));
  }
  return url.toString();
}

/** Internal ids in a server's message ("Template 3f2a… not found") mean nothing to people: they are left out. */
const INTERNAL_ID = /\s*\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;

export function plainWords(message: string): string {
  return message.replace(INTERNAL_ID, "").replace(/\s{2,}/g, " ").trim();
}

function fallbackMessage(status: number): string {
  return status >= 500 ? "Something went wrong on our side. Please try again in a moment." : `The request was refused (${status}).`;
}

async function toError(response: Response): Promise<ApiError> {
  let payload: Record<string, unknown> = {};
  try {
    payload = (await response.json()) as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's HTML page, an empty body): the status line is all we have.
  }
  // A status line ("Internal Server Error") is no sentence for people: a 5xx without a message gets one of ours.
  const raw = payload.error ?? payload.message ?? (response.status >= 500 ? "" : response.statusText) ?? "";
  const message = Array.isArray(raw) ? raw.join(", ") : typeof raw === "string" ? raw : JSON.stringify(raw);
  const code = typeof payload.code === "string" ? payload.code : `HTTP_${response.status}`;
  return new ApiError(response.status, code, plainWords(message) || fallbackMessage(response.status), payload.details as ApiError["details"]);
}

async function send(path: string, options: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
  let body: BodyInit | undefined;
  if (options.body instanceof FormData || options.body instanceof Blob) body = options.body;
  else if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  return fetchImpl(buildUrl(path, options.query), {
    method: options.method ?? (body === undefined ? "GET" : "POST"),
    credentials: "include",
    headers,
    body,
    signal: options.signal,
  });
}

/** The response of a call that succeeded (after one refresh on a 401), or the gateway's error as an ApiError. */
async function respond(path: string, options: RequestOptions): Promise<Response> {
  let response: Response;
  try {
    response = await send(path, options);
    if (response.status === 401 && !path.startsWith("/auth/") && (await refreshSession())) {
      response = await send(path, options);
    }
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError(0, "NETWORK_ERROR", "The server cannot be reached. Check your connection and try again.");
  }
  if (!response.ok) throw await toError(response);
  return response;
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const response = await respond(path, options);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A file the gateway serves (a CSV export), with the same cookies, refresh and errors as `request`. */
export async function requestBlob(path: string, options: RequestOptions = {}): Promise<Blob> {
  return (await respond(path, options)).blob();
}

export const api = {
  get: <T>(path: string, query?: RequestOptions["query"], signal?: AbortSignal) => request<T>(path, { query, signal }),
  post: <T>(path: string, body?: unknown, headers?: Record<string, string>) =>
    request<T>(path, { method: "POST", body: body ?? {}, headers }),
  put: <T>(path: string, body?: unknown, headers?: Record<string, string>) =>
    request<T>(path, { method: "PUT", body: body ?? {}, headers }),
  patch: <T>(path: string, body?: unknown) => request<T>(path, { method: "PATCH", body: body ?? {} }),
  delete: <T>(path: string) => request<T>(path, { method: "DELETE" }),
};

/** A human sentence for any thrown value, for toasts and error states. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return "Something went wrong";
}
