/** Reads (never verifies: the gateway does) the app roles in an access token, for routing decisions only. */

export const APP_ROLES = ["admin", "hr", "candidate", "pending"] as const;
export type AppRole = (typeof APP_ROLES)[number];

function base64UrlDecode(segment: string): string {
  const padded = segment.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(segment.length / 4) * 4, "=");
  return atob(padded);
}

export function rolesFromToken(token: string | undefined): AppRole[] | null {
  if (!token) return null;
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  try {
    const claims = JSON.parse(base64UrlDecode(parts[1])) as { realm_access?: { roles?: unknown }; exp?: number };
    const roles = Array.isArray(claims.realm_access?.roles) ? (claims.realm_access.roles as unknown[]) : [];
    return APP_ROLES.filter((r) => roles.includes(r));
  } catch {
    return null;
  }
}

/** The role that decides where a user lands: admin over hr over candidate; pending when nothing else. */
export function primaryRole(roles: readonly string[]): AppRole {
  if (roles.includes("admin")) return "admin";
  if (roles.includes("hr")) return "hr";
  if (roles.includes("candidate")) return "candidate";
  return "pending";
}

export function homeFor(role: string): string {
  switch (role) {
    case "admin":
      return "/admin/dashboard";
    case "hr":
      return "/hr/dashboard";
    case "candidate":
      return "/candidate/dashboard";
    default:
      return "/select-role";
  }
}
