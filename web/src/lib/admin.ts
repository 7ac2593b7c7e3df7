/** Admin area: the gateway's user (Keycloak) and skill-catalogue shapes, and the admin forms' schemas. */
import { z } from "zod";

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
};
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

export type SkillCategory = { id: string; name: string; slug: string; description: string | null; sortOrder: number };
export type Skill = {
  id: string;
  name: string;
  slug: string;
  categoryId: string | null;
  categoryName: string | null;
  description: string | null;
  isActive: boolean;
  createdAt: string;
  updatedAt: string;
};
export type Pagination = { total: number; page: number; limit: number; totalPages: number };
export type Paginated<T> = { data: T[]; pagination: Pagination };

export const createUserSchema = z.object({
  firstName: z.string().trim().min(1, "First name is required").max(50, "At most 50 characters"),
  lastName: z.string().trim().min(1, "Last name is required").max(50, "At most 50 characters"),
  email: z.string().trim().email("Enter a valid e-mail address"),
  role: z.enum(["candidate", "hr", "admin"], { message: "Choose a role" }),
  password: z.string().min(8, "At least 8 characters").max(128, "At most 128 characters"),
});
export type CreateUserValues = z.infer<typeof createUserSchema>;

export const skillFormSchema = z.object({
  name: z.string().trim().min(1, "Name is required").max(100, "At most 100 characters"),
  categoryId: z.string(), // "" = no category
  description: z.string().max(1000, "At most 1000 characters"),
});
export type SkillFormValues = z.infer<typeof skillFormSchema>;

/** The catalogue's unique key, derived from the name ("Node.js" → "node.js", "C# / .NET" → "c-net"). */
export function slugify(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/\+/g, "plus")
    .replace(/#/g, "sharp")
    .replace(/[^a-z0-9.]+/g, "-")
    .replace(/[-.]{2,}/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "");
}

export function skillPayload(values: SkillFormValues) {
  return {
    name: values.name.trim(),
    categoryId: values.categoryId || null,
    description: values.description.trim() || null,
  };
}

/** Every skill of the catalogue (pages of 100), for grouping by category on one screen. */
export async function fetchAllSkills(
  get: <T>(path: string, query?: Record<string, string | number | undefined>) => Promise<T>,
  path: string,
  query: Record<string, string | number | undefined> = {},
): Promise<Skill[]> {
  const all: Skill[] = [];
  for (let page = 1; page <= 50; page++) {
    const result = await get<Paginated<Skill>>(path, { ...query, page, limit: 100 });
    all.push(...result.data);
    if (page >= result.pagination.totalPages) break;
  }
  return all;
}
