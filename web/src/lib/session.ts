"use client";

/** The session at the gateway's /auth/* endpoints: sign-in (OIDC with Keycloak), sign-out and password change. */

import { api } from "@/lib/api";
import { sameOriginPath } from "@/lib/redirect";

/** End the session at the gateway and at Keycloak, then land on the home page. */
export async function logout(): Promise<void> {
  let target = "/";
  try {
    const result = await api.post<{ endSessionEndpoint?: string }>("/auth/logout");
    if (result?.endSessionEndpoint) target = result.endSessionEndpoint;
  } catch {
    // The cookies are cleared by the gateway even when Keycloak is unreachable; go home regardless.
  }
  window.location.assign(target);
}

/** Start the OIDC flow at the gateway and hand the browser to Keycloak's own page. */
export async function startAuth(kind: "login" | "register", from?: string | null): Promise<void> {
  // Kept only when it is a path of this app; the callback checks it again before following it.
  const back = sameOriginPath(from);
  if (back) sessionStorage.setItem("auth:from", back);
  else sessionStorage.removeItem("auth:from");
  const redirect = `${window.location.origin}/auth/callback`;
  const result = await api.get<{ authUrl: string }>(`/auth/${kind}`, { redirect_uri: redirect });
  window.location.assign(result.authUrl);
}

/** Hand Keycloak's single-use code to the gateway, which sets the session cookies. */
export function completeSignIn(code: string, state: string, redirectUri: string) {
  return api.get<unknown>("/auth/callback", { code, state, redirect_uri: redirectUri });
}

export function changePassword(newPassword: string) {
  return api.post<unknown>("/auth/change-password", { newPassword });
}
