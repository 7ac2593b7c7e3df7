import { describe, expect, it } from "vitest";
import { skillFormSchema, skillPayload, slugify } from "@/lib/skills";
import { appRoles, createUserSchema } from "@/lib/users";

const user = { firstName: "Grace", lastName: "Hopper", email: "grace@example.com", role: "hr", password: "Str0ngPass!" };

describe("admin create-user schema", () => {
  it("accepts a complete user", () => {
    expect(createUserSchema.safeParse(user).success).toBe(true);
  });
  it("requires a password of at least 8 characters: there is no default password", () => {
    expect(createUserSchema.safeParse({ ...user, password: "" }).success).toBe(false);
    expect(createUserSchema.safeParse({ ...user, password: "short" }).success).toBe(false);
    expect(createUserSchema.safeParse({ ...user, password: undefined }).success).toBe(false);
  });
  it("refuses a bad e-mail, blank names and roles outside candidate/hr/admin", () => {
    expect(createUserSchema.safeParse({ ...user, email: "grace" }).success).toBe(false);
    expect(createUserSchema.safeParse({ ...user, firstName: " " }).success).toBe(false);
    expect(createUserSchema.safeParse({ ...user, role: "pending" }).success).toBe(false);
  });
});

describe("skill form schema", () => {
  it("requires a name of at most 100 characters", () => {
    expect(skillFormSchema.safeParse({ name: "", categoryId: "", description: "" }).success).toBe(false);
    expect(skillFormSchema.safeParse({ name: "x".repeat(101), categoryId: "", description: "" }).success).toBe(false);
    expect(skillFormSchema.safeParse({ name: "Rust", categoryId: "", description: "" }).success).toBe(true);
  });
  it("limits the description and sends empty optional fields as null", () => {
    expect(skillFormSchema.safeParse({ name: "Rust", categoryId: "", description: "x".repeat(1001) }).success).toBe(false);
    expect(skillPayload({ name: " Rust ", categoryId: "", description: " " })).toEqual({ name: "Rust", categoryId: null, description: null });
  });
  it("derives slugs the catalogue accepts", () => {
    const pattern = /^[a-z0-9]+(?:[-.][a-z0-9]+)*$/;
    for (const [name, slug] of [
      ["Node.js", "node.js"],
      ["C++", "cplusplus"],
      ["C#", "csharp"],
      [".NET Core", "net-core"],
      ["  Machine   Learning ", "machine-learning"],
      ["Café Ops", "cafe-ops"],
    ]) {
      expect(slugify(name)).toBe(slug);
      expect(slugify(name)).toMatch(pattern);
    }
  });
});

describe("app roles", () => {
  it("keeps only the app's roles from Keycloak's realm roles", () => {
    expect(appRoles([{ id: "1", name: "default-roles-ai-video-interview" }, { id: "2", name: "hr" }, { id: "3", name: "offline_access" }])).toEqual(["hr"]);
  });
});
