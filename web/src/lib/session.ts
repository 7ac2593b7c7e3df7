"use client";

import { useQuery } from "@tanstack/react-query";
import { api, getApiBase } from "@/lib/api";

export type Me = {
  id: string;
  externalAuthId: string;
  email: string;
  firstName: string;
  lastName: string;
  avatarUrl: string | null;
  bio: string | null;
  phone: string | null;
  timezone: string;
  language: string;
  status: string;
  role: "admin" | "hr" | "candidate" | "pending" | string;
  version: number;
};

export const meKey = ["me"] as const;

export function useMe() {
  return useQuery({ queryKey: meKey, queryFn: () => api.get<Me>("/api/users/me"), staleTime: 60_000 });
}

export function displayName(me: Pick<Me, "firstName" | "lastName" | "email"> | undefined): string {
  if (!me) return "";
  const name = `${me.firstName ?? ""} ${me.lastName ?? ""}`.trim();
  return name || me.email;
}

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
  if (from) sessionStorage.setItem("auth:from", from);
  const redirect = `${window.location.origin}/auth/callback`;
  const result = await api.get<{ authUrl: string }>(`/auth/${kind}`, { redirect_uri: redirect });
  window.location.assign(result.authUrl);
}

export { getApiBase };
