/**
 * The Content-Security-Policy of every page. It names the origins the browser really talks to, which are
 * known only where the app runs (one build serves any deployment), so the middleware sets it per request:
 * the gateway (API calls and the notification stream) and the object store that presigned URLs point at
 * (uploads, recordings, avatars). Next.js renders inline scripts and styles without nonces, so those need
 * 'unsafe-inline'; its dev server also evaluates code ('unsafe-eval'), which production never allows.
 */

/** The gateway the browser calls: the same setting, read the same way, as the root layout's. */
export const API_BASE_DEFAULT = "http://127.0.0.1:8001";
/** The local stack's object store, where presigned URLs point unless MEDIA_ORIGINS names another. */
export const MEDIA_ORIGINS_DEFAULT = ["http://127.0.0.1:9000", "http://localhost:9000"];

export type CspEnv = Partial<Record<"API_URL" | "NEXT_PUBLIC_API_URL" | "MEDIA_ORIGINS" | "NODE_ENV", string>>;

/** The origin of `url`, or null when it is not an http(s) URL (a bad setting must not widen the policy). */
function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.origin : null;
  } catch {
    return null;
  }
}

function origins(urls: readonly string[]): string[] {
  return [...new Set(urls.map(originOf).filter((o): o is string => o !== null))];
}

export function contentSecurityPolicy(env: CspEnv): string {
  const api = origins([env.API_URL ?? env.NEXT_PUBLIC_API_URL ?? API_BASE_DEFAULT]);
  const media = origins(env.MEDIA_ORIGINS ? env.MEDIA_ORIGINS.split(/[\s,]+/).filter(Boolean) : MEDIA_ORIGINS_DEFAULT);
  const dev = env.NODE_ENV !== "production";
  const directives: Record<string, string[]> = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'unsafe-inline'", ...(dev ? ["'unsafe-eval'"] : [])],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:", ...media],
    "media-src": ["'self'", "blob:", ...media],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'", ...api, ...media],
    "worker-src": ["'self'", "blob:"],
    "object-src": ["'none'"],
    "frame-src": ["'none'"],
    // No other site may frame the app (clickjacking); <base> and form posts stay on this origin.
    "frame-ancestors": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
  };
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(" ")}`)
    .join("; ");
}
