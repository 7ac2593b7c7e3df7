import { NextResponse, type NextRequest } from "next/server";
import { contentSecurityPolicy } from "@/lib/csp";
import { homeFor, primaryRole, rolesFromToken } from "@/lib/jwt";

// /shared: a read-only interview for a hiring manager without an account (the gateway checks its signed token).
// /join: an invitation e-mailed to someone without an account yet (its signed token is checked by the service).
const PUBLIC = new Set(["/", "/login", "/register", "/about", "/pricing", "/auth/callback", "/shared", "/join"]);

/** Every page carries the Content-Security-Policy, built per request from the deployment's settings. */
export function middleware(request: NextRequest) {
  const response = route(request);
  response.headers.set("Content-Security-Policy", contentSecurityPolicy(process.env));
  return response;
}

/** Routing only: the gateway verifies every call, this merely sends people to the pages they can use. */
function route(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  // request.url names the server's bind address (often "localhost"); the browser's host is what its cookies
  // belong to, so redirects keep it.
  const origin = `${request.nextUrl.protocol}//${request.headers.get("host") ?? request.nextUrl.host}`;
  // /apply/<token>: a template's public apply link (its signed token is checked by the service).
  // /privacy/erasure/<id>?token=…: an erasure report, opened from its e-mailed signed link after the account is gone.
  if (PUBLIC.has(pathname) || pathname.startsWith("/apply/") || pathname.startsWith("/privacy/erasure/")) {
    return NextResponse.next();
  }

  const access = sessionCookie(request, "access_token");
  const refresh = sessionCookie(request, "refresh_token");
  if (!access && !refresh) {
    const url = new URL("/login", origin);
    url.searchParams.set("from", pathname + search);
    return NextResponse.redirect(url);
  }
  const roles = rolesFromToken(access);
  // Only a refresh token (the access token expired): the page's first API call refreshes it.
  if (roles === null) return NextResponse.next();

  const role = primaryRole(roles);
  const redirect = (to: string) => NextResponse.redirect(new URL(to, origin));
  if (role === "pending" && pathname !== "/select-role" && !pathname.startsWith("/profile")) return redirect("/select-role");
  // The token's realm role is the truth, so the landing pages are resolved from it here, never from the users
  // service's copy of the role: when the two disagreed (pending there, candidate here), /dashboard sent the
  // browser to /select-role and back forever.
  if ((pathname === "/select-role" || pathname === "/dashboard") && role !== "pending") return redirect(homeFor(role));
  if (pathname.startsWith("/admin") && !roles.includes("admin")) return redirect(homeFor(role));
  // Admins may act as HR (the gateway allows them every HR route).
  if (pathname.startsWith("/hr") && !roles.includes("hr") && !roles.includes("admin")) return redirect(homeFor(role));
  if ((pathname.startsWith("/candidate") || pathname.startsWith("/interview")) && !roles.includes("candidate"))
    return redirect(homeFor(role));
  return NextResponse.next();
}

/**
 * Over https the gateway names its session cookies `__Host-access_token` and `__Host-refresh_token` (a browser
 * keeps those only when Secure and set by this very host); over plain http (the local stack) they keep the plain
 * names. The `__Host-` one wins: a plain-named cookie could have been planted by a sibling subdomain.
 */
function sessionCookie(request: NextRequest, name: "access_token" | "refresh_token"): string | undefined {
  return request.cookies.get(`__Host-${name}`)?.value || request.cookies.get(name)?.value || undefined;
}

export const config = {
  matcher: ["/((?!_next/|favicon.ico|.*\\.(?:png|svg|jpg|ico|webmanifest)$).*)"],
};
