import { describe, expect, it } from "vitest";
import { homeFor, primaryRole, rolesFromToken } from "@/lib/jwt";
import { token } from "./tokens";

describe("rolesFromToken", () => {
  it("keeps the app roles of realm_access and drops Keycloak's own", () => {
    const roles = rolesFromToken(
      token({ realm_access: { roles: ["offline_access", "candidate", "uma_authorization", "hr"] }, exp: 1 }),
    );
    expect(roles).toEqual(["hr", "candidate"]);
  });

  it("reads base64url payloads that need padding and carry - and _", () => {
    // "name" values chosen so the payload's base64 contains characters base64url replaces.
    const raw = token({ name: "ÿþý>>>???", realm_access: { roles: ["admin"] } });
    expect(raw.split(".")[1]).toMatch(/[-_]/);
    expect(raw.split(".")[1].length % 4).not.toBe(0);
    expect(rolesFromToken(raw)).toEqual(["admin"]);
  });

  it("has no roles for a token without realm_access", () => {
    expect(rolesFromToken(token({ sub: "u1" }))).toEqual([]);
    expect(rolesFromToken(token({ realm_access: { roles: "hr" } }))).toEqual([]);
  });

  it("answers null for a missing or malformed token", () => {
    expect(rolesFromToken(undefined)).toBeNull();
    expect(rolesFromToken("")).toBeNull();
    expect(rolesFromToken("not-a-jwt")).toBeNull();
    expect(rolesFromToken("a.%%%.c")).toBeNull();
    expect(rolesFromToken(`a.${Buffer.from("not json").toString("base64")}.c`)).toBeNull();
  });
});

describe("primaryRole and homeFor", () => {
  it("ranks admin over hr over candidate, else pending", () => {
    expect(primaryRole(["candidate", "hr", "admin"])).toBe("admin");
    expect(primaryRole(["candidate", "hr"])).toBe("hr");
    expect(primaryRole(["candidate"])).toBe("candidate");
    expect(primaryRole([])).toBe("pending");
    expect(primaryRole(["pending"])).toBe("pending");
  });

  it("sends each role to its dashboard and anyone else to select-role", () => {
    expect(homeFor("admin")).toBe("/admin/dashboard");
    expect(homeFor("hr")).toBe("/hr/dashboard");
    expect(homeFor("candidate")).toBe("/candidate/dashboard");
    expect(homeFor("pending")).toBe("/select-role");
    expect(homeFor("something")).toBe("/select-role");
  });
});
