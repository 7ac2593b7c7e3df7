"use client";

/**
 * Skills (the users service): the catalogue and its categories as every role reads them, the admin's
 * management of the catalogue (form schema, slug, calls), the skills listed on a candidate's profile, and
 * their query keys and hooks.
 */

import { useQuery } from "@tanstack/react-query";
import { z } from "zod";
import { api } from "@/lib/api";
import { collectPaginated, type Paginated } from "@/lib/types";

// -- wire types -----------------------------------------------------------------------------------------------

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

/** A skill as listed on a candidate's profile (their own list, or a search hit's matched skills). */
export type CandidateSkill = {
  skillId: string;
  skillName: string;
  description: string | null;
  proficiencyLevel: string;
  yearsOfExperience: number;
  addedAt: string;
};

// -- query keys -----------------------------------------------------------------------------------------------

/** The admin's views live under ["admin", "skills"] (invalidated together after any change) and ["admin", "skill", id]. */
export const skillKeys = {
  catalogue: ["skills"] as const,
  active: ["skills", "active"] as const,
  categories: ["skills", "categories"] as const,
  admin: ["admin", "skills"] as const,
  adminList: (filters: { categoryId: string; status: string }) => ["admin", "skills", filters] as const,
  adminOne: (id: string) => ["admin", "skill", id] as const,
  adminCounts: ["admin", "skill-counts"] as const,
};

// -- the catalogue ----------------------------------------------------------------------------------------------

/** Every skill of a catalogue listing (pages of 100, at most `maxPages`), for grouping by category on one screen. */
export function fetchAllSkills(
  path: "/api/skills" | "/api/admin/skills",
  query: Record<string, string | number | boolean | undefined> = {},
  maxPages = 50,
): Promise<Skill[]> {
  return collectPaginated((page) => api.get<Paginated<Skill>>(path, { ...query, page, limit: 100 }), maxPages);
}

export function useSkillCategories() {
  return useQuery({
    queryKey: skillKeys.categories,
    queryFn: () => api.get<SkillCategory[]>("/api/skills/categories"),
    staleTime: 5 * 60_000,
  });
}

/** The active skill catalogue (all pages of 100), for HR's candidate search. */
export function useSkills() {
  return useQuery({
    queryKey: skillKeys.catalogue,
    staleTime: 5 * 60_000,
    retry: false,
    queryFn: () => fetchAllSkills("/api/skills", { isActive: true }, 20),
  });
}

/** The catalogue a candidate picks a skill from. */
export function useSkillCatalogue(enabled: boolean) {
  return useQuery({
    queryKey: skillKeys.active,
    queryFn: () => fetchAllSkills("/api/skills"),
    enabled,
    staleTime: 5 * 60_000,
  });
}

// -- the admin's catalogue ------------------------------------------------------------------------------------

export type SkillStatusFilter = "all" | "active" | "inactive";

export function useAdminSkills(categoryId: string, status: SkillStatusFilter) {
  return useQuery({
    queryKey: skillKeys.adminList({ categoryId, status }),
    queryFn: () =>
      fetchAllSkills("/api/admin/skills", {
        categoryId: categoryId || undefined,
        isActive: status === "all" ? undefined : String(status === "active"),
      }),
  });
}

export function useAdminSkill(id: string) {
  return useQuery({ queryKey: skillKeys.adminOne(id), queryFn: () => api.get<Skill>(`/api/admin/skills/${encodeURIComponent(id)}`) });
}

/** How many skills the catalogue holds, and how many are active: one `limit=1` page each, its total. */
export function useAdminSkillCounts() {
  return useQuery({
    queryKey: skillKeys.adminCounts,
    queryFn: async () => {
      const [all, active] = await Promise.all([
        api.get<Paginated<Skill>>("/api/admin/skills", { limit: 1 }),
        api.get<Paginated<Skill>>("/api/admin/skills", { limit: 1, isActive: "true" }),
      ]);
      return { total: all.pagination.total, active: active.pagination.total };
    },
  });
}

export type SkillBody = ReturnType<typeof skillPayload>;

export function createSkill(body: SkillBody & { slug: string }) {
  return api.post<unknown>("/api/admin/skills", body);
}

export function updateSkill(id: string, body: SkillBody) {
  return api.put<unknown>(`/api/admin/skills/${encodeURIComponent(id)}`, body);
}

/** Deactivates an active skill, activates an inactive one. */
export function toggleSkill(skill: Pick<Skill, "id" | "isActive">) {
  return api.post<Skill>(`/api/admin/skills/${skill.id}/${skill.isActive ? "deactivate" : "activate"}`);
}

export function deleteSkill(id: string) {
  return api.delete<unknown>(`/api/admin/skills/${id}`);
}

// == the admin's form (unit-tested) ===========================================================================

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
