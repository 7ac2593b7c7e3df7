import { describe, expect, it } from "vitest";
import {
  avatarProblem,
  BIO_MAX,
  candidateSkillSchema,
  passwordSchema,
  profilePayload,
  profileSchema,
  timezones,
} from "@/lib/profile";

const valid = { firstName: "Ada", lastName: "Lovelace", phone: "", bio: "", timezone: "UTC", language: "en" };

describe("profile schema", () => {
  it("accepts international phone numbers in common notations", () => {
    for (const phone of ["+44 20 7946 0958", "+1 (555) 123-4567", "0049.30.123456", "5551234567", "+7-912-345-67-89"]) {
      expect(profileSchema.safeParse({ ...valid, phone }).success, phone).toBe(true);
    }
  });

  it("refuses phone numbers with letters, too few digits or a trailing separator", () => {
    for (const phone of ["call me", "12345", "+44 20 7946 095x", "+44 20 7946 0958-", "++44 20 7946 0958"]) {
      expect(profileSchema.safeParse({ ...valid, phone }).success, phone).toBe(false);
    }
  });

  it("allows an empty phone and sends it as null so it is cleared", () => {
    const parsed = profileSchema.parse({ ...valid, phone: "  " });
    expect(profilePayload(parsed).phone).toBeNull();
  });

  it("limits the bio to 500 characters", () => {
    expect(profileSchema.safeParse({ ...valid, bio: "x".repeat(BIO_MAX) }).success).toBe(true);
    const over = profileSchema.safeParse({ ...valid, bio: "x".repeat(BIO_MAX + 1) });
    expect(over.success).toBe(false);
    expect(over.error?.issues[0].path).toEqual(["bio"]);
  });

  it("requires names and a supported language", () => {
    expect(profileSchema.safeParse({ ...valid, firstName: "  " }).success).toBe(false);
    expect(profileSchema.safeParse({ ...valid, language: "xx" }).success).toBe(false);
    expect(profileSchema.safeParse({ ...valid, language: "tr" }).success).toBe(true);
  });

  it("offers IANA time zones with UTC first, not offset strings", () => {
    const zones = timezones();
    expect(zones[0]).toBe("UTC");
    expect(zones.filter((z) => z === "UTC")).toHaveLength(1);
    expect(zones.some((z) => /^UTC[+-]\d/.test(z))).toBe(false);
  });
});

describe("password schema", () => {
  it("needs at least 8 characters and a matching confirmation", () => {
    expect(passwordSchema.safeParse({ newPassword: "short", confirmPassword: "short" }).success).toBe(false);
    const mismatch = passwordSchema.safeParse({ newPassword: "longenough1", confirmPassword: "longenough2" });
    expect(mismatch.error?.issues[0].path).toEqual(["confirmPassword"]);
    expect(passwordSchema.safeParse({ newPassword: "longenough1", confirmPassword: "longenough1" }).success).toBe(true);
  });
});

describe("avatar checks", () => {
  it("accepts JPEG, PNG and WebP up to 5 MB", () => {
    expect(avatarProblem({ type: "image/png", size: 1024 })).toBeNull();
    expect(avatarProblem({ type: "image/webp", size: 5 * 1024 * 1024 })).toBeNull();
  });
  it("refuses other types and larger files", () => {
    expect(avatarProblem({ type: "image/gif", size: 10 })).toMatch(/JPEG, PNG or WebP/);
    expect(avatarProblem({ type: "image/jpeg", size: 5 * 1024 * 1024 + 1 })).toMatch(/5 MB/);
  });
});

describe("candidate skill schema", () => {
  const skillId = "3caea749-be05-5cf5-918a-74475f19c86f";
  it("takes years as whole numbers 0..50", () => {
    expect(candidateSkillSchema.parse({ skillId, proficiencyLevel: "expert", yearsOfExperience: "7" }).yearsOfExperience).toBe(7);
    expect(candidateSkillSchema.safeParse({ skillId, proficiencyLevel: "expert", yearsOfExperience: 51 }).success).toBe(false);
    expect(candidateSkillSchema.safeParse({ skillId, proficiencyLevel: "expert", yearsOfExperience: 1.5 }).success).toBe(false);
  });
  it("needs a chosen skill and a known proficiency", () => {
    expect(candidateSkillSchema.safeParse({ skillId: "", proficiencyLevel: "expert", yearsOfExperience: 1 }).success).toBe(false);
    expect(candidateSkillSchema.safeParse({ skillId, proficiencyLevel: "guru", yearsOfExperience: 1 }).success).toBe(false);
  });
});
