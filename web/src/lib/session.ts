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

/**
 * Start the OIDC flow at the gateway and hand the browser to Keycloak's own page. `reauthenticate` makes Keycloak
 * ask for the password even while its own session lasts (OIDC `prompt=login`), so the new tokens carry a fresh
 * sign-in time: what the gateway wants before a password change it cannot check with the current password.
 */
export async function startAuth(
  kind: "login" | "register",
  from?: string | null,
  { reauthenticate = false, loginHint }: { reauthenticate?: boolean; loginHint?: string } = {},
): Promise<void> {
  // Kept only when it is a path of this app; the callback checks it again before following it.
  const back = sameOriginPath(from);
  if (back) sessionStorage.setItem("auth:from", back);
  else sessionStorage.removeItem("auth:from");
  const redirect = `${window.location.origin}/auth/callback`;
  const result = await api.get<{ authUrl: string }>(`/auth/${kind}`, { redirect_uri: redirect });
  let target = result.authUrl;
  if (reauthenticate || loginHint) {
    const url = new URL(target);
    if (reauthenticate) url.searchParams.set("prompt", "login");
    // Keycloak pre-fills the e-mail an invitation was sent to, on sign-in and on registration.
    if (loginHint) url.searchParams.set("login_hint", loginHint);
    target = url.toString();
  }
  window.location.assign(target);
}

/** Hand Keycloak's single-use code to the gateway, which sets the session cookies. */
export function completeSignIn(code: string, state: string, redirectUri: string) {
  return api.get<unknown>("/auth/callback", { code, state, redirect_uri: redirectUri });
}

/**
 * The gateway checks the current password with Keycloak before setting the new one: a wrong one is refused
 * (403 CURRENT_PASSWORD_INCORRECT), and where it cannot be checked a sign-in older than a few minutes is
 * (401 REAUTHENTICATION_REQUIRED).
 */
export function changePassword(currentPassword: string, newPassword: string) {
  return api.post<unknown>("/auth/change-password", { currentPassword, newPassword });
}
