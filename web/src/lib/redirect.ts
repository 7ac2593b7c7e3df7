/**
 * Where a sign-in may send the browser afterwards: only a path of this app. The page someone came from travels
 * through the login URL (`/login?from=…`), which anyone can craft, so it is checked before it is followed.
 */

import { homeFor } from "@/lib/jwt";

// A base no real request has: a candidate that resolves to any other origin names another site.
const BASE = "https://app.invalid";
const MAX_LENGTH = 2048;
// Browsers read "\" as "/" in URLs and drop tabs and newlines, so "/\evil" and "/\t/evil" mean "//evil".
const UNSAFE = /[\\\s\u0000-\u001f\u007f]/;

/** The same-origin path `candidate` names (path, query, fragment), or null when it could lead anywhere else. */
export function sameOriginPath(candidate: string | null | undefined): string | null {
  if (typeof candidate !== "string" || candidate.length === 0 || candidate.length > MAX_LENGTH) return null;
  if (!candidate.startsWith("/") || candidate.startsWith("//") || UNSAFE.test(candidate)) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(candidate);
  } catch {
    return null;
  }
  // Decoded once more by a router or a server, "/%2F%2Fevil" would become "//evil": refused as it would be.
  if (decoded.startsWith("//") || UNSAFE.test(decoded)) return null;
  let url: URL;
  try {
    url = new URL(candidate, BASE);
  } catch {
    return null;
  }
  if (url.origin !== BASE) return null;
  return `${url.pathname}${url.search}${url.hash}`;
}

/** Where the sign-in callback goes: role choice first, then the page the user came from if it is ours, else home.
 * An account made from an invitation link goes back to that link instead of the role choice: taking the
 * invitation makes it a candidate's. */
export function afterSignIn(role: string, from: string | null | undefined): string {
  const back = sameOriginPath(from);
  if (role === "pending") return back !== null && /^\/join(\?|$)/.test(back) ? back : "/select-role";
  return back ?? homeFor(role);
}
