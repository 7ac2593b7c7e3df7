"use client";

/**
 * User accounts as the admin manages them (the gateway's /api/admin/users, backed by Keycloak): the shapes,
 * app roles, the create-user form schema, and the query keys, hooks and calls of the admin pages.
 */

import { useQueries, useQuery } from "@tanstack/react-query";
import { z } from "zod";
import { api } from "@/lib/api";

// -- wire types -----------------------------------------------------------------------------------------------

export type AdminUser = {
  id: string; // Keycloak id: every /api/admin/users/{id} route takes it
  username: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  emailVerified?: boolean;
  enabled: boolean;
  createdTimestamp?: number;
  lastLoginAt: string | null;
  /** Set while the user, who chose hr, waits for an administrator to approve it. */
  hrAccessRequestedAt?: string | null;
};

/** Keycloak does not count search results: a list is a window (`first`, `max`) with the number returned. */
export type AdminUserList = { success: boolean; data: AdminUser[]; count: number };

export type UserStats = {
  totalUsers: number;
  activeUsers: number;
  suspendedUsers: number;
  deletedUsers: number;
  usersByStatus: Record<string, number>;
};

export type RealmRole = { id: string; name: string; description?: string };

export const APP_ROLES = ["admin", "hr", "candidate", "pending"] as const;
export const ROLE_LABELS: Record<string, string> = {
  admin: "Admin",
  hr: "HR",
  candidate: "Candidate",
  pending: "Pending (no role yet)",
};

/** The app roles among a user's realm roles (Keycloak adds default/offline ones). */
export function appRoles(roles: RealmRole[] | undefined): string[] {
  return (roles ?? []).map((r) => r.name).filter((n) => (APP_ROLES as readonly string[]).includes(n));
}

// -- query keys -----------------------------------------------------------------------------------------------

/** Every admin query lives under ["admin"] (the skills catalogue's included): a change to an account invalidates it all. */
export const userKeys = {
  admin: ["admin"] as const,
  stats: ["admin", "stats"] as const,
  list: (params: { search: string; page: number } | { sample: number }) => ["admin", "users", params] as const,
  roles: (id: string) => ["admin", "user-roles", id] as const,
};

// -- hooks and calls ------------------------------------------------------------------------------------------

export function useUserStats() {
  return useQuery({ queryKey: userKeys.stats, queryFn: () => api.get<UserStats>("/api/admin/users/stats") });
}

/**
 * One page of accounts matching `search`, asking for one more than a page: its presence tells whether a next
 * page exists.
 */
export function useAdminUsers(search: string, page: number, pageSize: number) {
  return useQuery({
    queryKey: userKeys.list({ search, page }),
    queryFn: () => api.get<AdminUserList>("/api/admin/users", { search: search || undefined, first: page * pageSize, max: pageSize + 1 }),
  });
}

/** The first `max` accounts, for counting roles. */
export function useUserSample(max: number) {
  return useQuery({ queryKey: userKeys.list({ sample: max }), queryFn: () => api.get<AdminUserList>("/api/admin/users", { max }) });
}

/** The app roles of each account, in the order given (roles live in Keycloak, per account). */
export function useUserRoles(users: readonly Pick<AdminUser, "id">[]) {
  return useQueries({
    queries: users.map((u) => ({
      queryKey: userKeys.roles(u.id),
      queryFn: () => api.get<{ data: RealmRole[] }>(`/api/admin/users/${u.id}/roles`).then((r) => appRoles(r.data)),
      staleTime: 60_000,
    })),
  });
}

/** One call: the gateway creates the Keycloak account, the user and grants the role, undoing it all on failure. */
export function createUser(values: CreateUserValues) {
  return api.post<unknown>("/api/admin/users", { ...values, email: values.email.trim() });
}

export function suspendUser(id: string, reason: string) {
  return api.post<unknown>(`/api/admin/users/${encodeURIComponent(id)}/suspend`, { reason });
}

export function activateUser(id: string) {
  return api.post<unknown>(`/api/admin/users/${encodeURIComponent(id)}/activate`);
}

export function deleteUser(id: string) {
  return api.delete<unknown>(`/api/admin/users/${encodeURIComponent(id)}`);
}

export function grantRole(id: string, roleName: string) {
  return api.post<unknown>(`/api/admin/users/${encodeURIComponent(id)}/roles`, { roleName });
}

// == the create-user form (unit-tested) ========================================================================

export const createUserSchema = z.object({
  firstName: z.string().trim().min(1, "First name is required").max(50, "At most 50 characters"),
  lastName: z.string().trim().min(1, "Last name is required").max(50, "At most 50 characters"),
  email: z.string().trim().email("Enter a valid e-mail address"),
  role: z.enum(["candidate", "hr", "admin"], { message: "Choose a role" }),
  password: z.string().min(8, "At least 8 characters").max(128, "At most 128 characters"),
});
export type CreateUserValues = z.infer<typeof createUserSchema>;
