"use client";

/**
 * The signed-in user's own profile (the users service's /api/users/me and /api/me/skills): the `Me` shape and
 * its query keys, hooks and calls (profile, avatar, role choice, experience level, my skills), and the
 * profile, password and candidate-skill forms' schemas and choices.
 */

import { useQuery } from "@tanstack/react-query";
import { z } from "zod";
import { api, refreshSession } from "@/lib/api";
import type { CandidateSkill } from "@/lib/skills";

// -- wire types -----------------------------------------------------------------------------------------------

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
  /** Found by HR's candidate search only when the user turned this on. */
  discoverable?: boolean;
  /** Set while the user who chose hr waits for an administrator's approval. */
  hrAccessRequestedAt?: string | null;
  version: number;
};

export type SkillGroup = { categoryId: string | null; categoryName: string | null; skills: CandidateSkill[] };
export type MySkills = { experienceLevel: string | null; skills: SkillGroup[] };

// -- query keys, hooks and calls ----------------------------------------------------------------------------------

/** ["me"] covers every query of the profile: invalidating it refreshes my skills too. */
export const profileKeys = {
  me: ["me"] as const,
  skills: ["me", "skills"] as const,
};

export function fetchMe(): Promise<Me> {
  return api.get<Me>("/api/users/me");
}

export function useMe() {
  return useQuery({ queryKey: profileKeys.me, queryFn: fetchMe, staleTime: 60_000 });
}

export function displayName(me: Pick<Me, "firstName" | "lastName" | "email"> | undefined): string {
  if (!me) return "";
  const name = `${me.firstName ?? ""} ${me.lastName ?? ""}`.trim();
  return name || me.email;
}

/** Saves the profile read at `version`: a concurrent change is a 409, never silently lost. */
export function updateProfile(values: ProfileValues, version: number): Promise<Me> {
  return api.put<Me>("/api/users/me", profilePayload(values), { "If-Match": String(version) });
}

export function uploadAvatar(file: File) {
  const form = new FormData();
  form.append("file", file);
  return api.post<{ avatarUrl: string }>("/api/users/me/avatar", form);
}

export function removeAvatar() {
  return api.delete<unknown>("/api/users/me/avatar");
}

/**
 * The one-time role choice; answers the role the user now has. hr without a verified company e-mail is only a
 * request: the role stays "pending" until an administrator approves. A set role is followed by a session
 * refresh: the new token carries the new realm role, which routing reads.
 */
export async function selectRole(role: "candidate" | "hr"): Promise<string> {
  const chosen = await api.post<{ message: string; role: string }>("/api/users/me/select-role", { role });
  if (chosen.role !== "pending") await refreshSession();
  return chosen.role;
}

/** Whether HR's candidate search may find me (off until I turn it on). */
export function setDiscoverable(discoverable: boolean, version: number): Promise<Me> {
  return api.put<Me>("/api/users/me", { discoverable }, { "If-Match": String(version) });
}

export function setExperienceLevel(experienceLevel: string) {
  return api.put<unknown>("/api/users/me/experience-level", { experienceLevel });
}

export function useMySkills(enabled: boolean) {
  return useQuery({ queryKey: profileKeys.skills, queryFn: () => api.get<MySkills>("/api/me/skills"), enabled });
}

type SkillLevel = { proficiencyLevel: string; yearsOfExperience: number };

export function addMySkill(skillId: string, level: SkillLevel) {
  return api.post<unknown>("/api/me/skills", { skillId, ...level });
}

export function updateMySkill(skillId: string, level: SkillLevel) {
  return api.put<unknown>(`/api/me/skills/${skillId}`, level);
}

export function removeMySkill(skillId: string) {
  return api.delete<unknown>(`/api/me/skills/${skillId}`);
}

// == the forms (unit-tested) ===================================================================================

export const LANGUAGES = [
  { code: "en", label: "English" },
  { code: "ru", label: "Русский (Russian)" },
  { code: "es", label: "Español (Spanish)" },
  { code: "fr", label: "Français (French)" },
  { code: "de", label: "Deutsch (German)" },
  { code: "zh", label: "中文 (Chinese)" },
  { code: "ja", label: "日本語 (Japanese)" },
  { code: "ko", label: "한국어 (Korean)" },
  { code: "pt", label: "Português (Portuguese)" },
  { code: "it", label: "Italiano (Italian)" },
  { code: "ar", label: "العربية (Arabic)" },
  { code: "hi", label: "हिन्दी (Hindi)" },
  { code: "nl", label: "Nederlands (Dutch)" },
  { code: "pl", label: "Polski (Polish)" },
  { code: "tr", label: "Türkçe (Turkish)" },
] as const;

export const LANGUAGE_CODES = LANGUAGES.map((l) => l.code) as [string, ...string[]];

/** IANA zone names the browser knows, UTC first (the backend's default). */
export function timezones(): string[] {
  let zones: string[] = [];
  try {
    zones = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.("timeZone") ?? [];
  } catch {
    zones = [];
  }
  return ["UTC", ...zones.filter((z) => z !== "UTC")];
}

/** Loose international phone: optional +, digits with spaces, dots, dashes or brackets, 7–20 characters. */
export const PHONE_PATTERN = /^\+?[0-9](?:[0-9 ().-]{5,18})[0-9]$/;
export const BIO_MAX = 500;

export const profileSchema = z.object({
  firstName: z.string().trim().min(1, "First name is required").max(50, "At most 50 characters"),
  lastName: z.string().trim().min(1, "Last name is required").max(50, "At most 50 characters"),
  phone: z
    .string()
    .trim()
    .refine((v) => v === "" || PHONE_PATTERN.test(v), "Enter a phone number such as +44 20 7946 0958"),
  bio: z.string().max(BIO_MAX, `At most ${BIO_MAX} characters`),
  timezone: z.string().min(1, "Choose a time zone").max(50),
  language: z.enum(LANGUAGE_CODES, { message: "Choose a language" }),
});
export type ProfileValues = z.infer<typeof profileSchema>;

/** The PUT body: empty optional fields are sent as null so they are cleared, not kept. */
export function profilePayload(values: ProfileValues) {
  return {
    firstName: values.firstName.trim(),
    lastName: values.lastName.trim(),
    phone: values.phone.trim() || null,
    bio: values.bio.trim() || null,
    timezone: values.timezone,
    language: values.language,
  };
}

export const passwordSchema = z
  .object({
    newPassword: z.string().min(8, "At least 8 characters").max(128, "At most 128 characters"),
    confirmPassword: z.string(),
  })
  .refine((v) => v.newPassword === v.confirmPassword, { message: "The passwords do not match", path: ["confirmPassword"] });

export const AVATAR_MAX_BYTES = 5 * 1024 * 1024;
export const AVATAR_TYPES = ["image/jpeg", "image/png", "image/webp"];

/** Why a chosen avatar file is refused before upload, or null when it may go (the server checks again). */
export function avatarProblem(file: { type: string; size: number }): string | null {
  if (!AVATAR_TYPES.includes(file.type)) return "Choose a JPEG, PNG or WebP image.";
  if (file.size > AVATAR_MAX_BYTES) return "The image may be at most 5 MB.";
  if (file.size === 0) return "The file is empty.";
  return null;
}

export const EXPERIENCE_LEVELS = [
  { value: "junior", label: "Junior" },
  { value: "mid", label: "Mid-level" },
  { value: "senior", label: "Senior" },
  { value: "lead", label: "Lead" },
] as const;

export const PROFICIENCY_LEVELS = [
  { value: "beginner", label: "Beginner" },
  { value: "intermediate", label: "Intermediate" },
  { value: "advanced", label: "Advanced" },
  { value: "expert", label: "Expert" },
] as const;

export const candidateSkillSchema = z.object({
  skillId: z.string().uuid("Choose a skill"),
  proficiencyLevel: z.enum(["beginner", "intermediate", "advanced", "expert"]),
  yearsOfExperience: z.coerce
    .number({ message: "Enter a number of years" })
    .int("Whole years only")
    .min(0, "At least 0")
    .max(50, "At most 50"),
});
export type CandidateSkillValues = z.infer<typeof candidateSkillSchema>;

export function labelOf(list: readonly { value: string; label: string }[], value: string | null | undefined): string {
  return list.find((i) => i.value === value)?.label ?? value ?? "—";
}
