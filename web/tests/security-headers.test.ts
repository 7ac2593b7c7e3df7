// @vitest-environment node
import { NextRequest } from "next/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import { contentSecurityPolicy } from "@/lib/csp";
import { middleware } from "@/middleware";
import config from "../next.config";

function directives(policy: string): Record<string, string[]> {
  return Object.fromEntries(
    policy.split(";").map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name, values];
    }),
  );
}

describe("the headers of every response (next.config)", () => {
  it("forbid MIME sniffing and keep paths out of other sites' Referer", async () => {
    const rules = await config.headers!();
    const all = rules.find((r) => r.source === "/:path*");
    const headers = Object.fromEntries((all?.headers ?? []).map((h) => [h.key.toLowerCase(), h.value]));
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
    expect(headers["x-frame-options"]).toBe("DENY");
  });
});

describe("the Content-Security-Policy of every page (middleware)", () => {
  afterEach(() => vi.unstubAllEnvs());

  function pageHeaders(path: string, cookie?: string) {
    const request = new NextRequest(`http://localhost:3000${path}`, { headers: cookie ? { cookie } : {} });
    return middleware(request).headers;
  }

  it("is set on public pages and on redirects alike, and forbids framing", () => {
    for (const path of ["/", "/login", "/hr/dashboard"]) {
      const policy = pageHeaders(path).get("content-security-policy");
      expect(policy, path).not.toBeNull();
      expect(directives(policy!)["frame-ancestors"]).toEqual(["'none'"]);
    }
  });

  it("lets the browser call the deployment's gateway, read at request time", () => {
    vi.stubEnv("API_URL", "https://api.hire.example/base/");
    const policy = directives(pageHeaders("/login").get("content-security-policy")!);
    expect(policy["connect-src"]).toContain("https://api.hire.example");
    expect(policy["connect-src"]).not.toContain("http://127.0.0.1:8001");
  });
});

describe("contentSecurityPolicy", () => {
  const production = { NODE_ENV: "production", API_URL: "https://api.hire.example", MEDIA_ORIGINS: "https://media.hire.example" };

  it("allows only this origin by default, no plugins, no foreign <base> or form targets", () => {
    const policy = directives(contentSecurityPolicy(production));
    expect(policy["default-src"]).toEqual(["'self'"]);
    expect(policy["object-src"]).toEqual(["'none'"]);
    expect(policy["base-uri"]).toEqual(["'self'"]);
    expect(policy["form-action"]).toEqual(["'self'"]);
  });

  it("lets uploads, recordings and avatars reach the object store that presigned URLs name", () => {
    const policy = directives(contentSecurityPolicy(production));
    expect(policy["connect-src"]).toEqual(["'self'", "https://api.hire.example", "https://media.hire.example"]);
    expect(policy["media-src"]).toContain("https://media.hire.example");
    expect(policy["img-src"]).toContain("https://media.hire.example");
  });

  it("never lets production evaluate strings as code; the dev server needs it", () => {
    expect(directives(contentSecurityPolicy(production))["script-src"]).not.toContain("'unsafe-eval'");
    expect(directives(contentSecurityPolicy({ ...production, NODE_ENV: "development" }))["script-src"]).toContain("'unsafe-eval'");
  });

  it("ignores settings that are not http(s) origins instead of widening the policy", () => {
    const policy = directives(contentSecurityPolicy({ ...production, MEDIA_ORIGINS: "* javascript:alert(1) https://ok.example", API_URL: "not a url" }));
    expect(policy["connect-src"]).toEqual(["'self'", "https://ok.example"]);
  });
});
