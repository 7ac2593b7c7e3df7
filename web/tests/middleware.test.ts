// @vitest-environment node
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { middleware } from "@/middleware";
import { token } from "./tokens";

type Cookies = { access?: string; refresh?: string };

/** The gateway's cookie names: plain over http (the local stack), `__Host-` over https (production). */
const PLAIN = "";
const HOST = "__Host-";

function cookieHeader(cookies: Cookies, prefix: string): string[] {
  return [
    cookies.access ? `${prefix}access_token=${cookies.access}` : "",
    cookies.refresh ? `${prefix}refresh_token=${cookies.refresh}` : "",
  ].filter(Boolean);
}

function visit(path: string, cookies: Cookies = {}, host = "127.0.0.1:3000", secure: Cookies = {}) {
  const cookie = [...cookieHeader(secure, HOST), ...cookieHeader(cookies, PLAIN)].join("; ");
  // The server binds "localhost"; the browser's Host header is what its cookies belong to.
  const request = new NextRequest(`http://localhost:3000${path}`, { headers: { host, ...(cookie ? { cookie } : {}) } });
  const response = middleware(request);
  return { status: response.status, location: response.headers.get("location") };
}

const as = (...roles: string[]): Cookies => ({ access: token({ realm_access: { roles } }), refresh: "r" });
const passes = { status: 200, location: null };
const to = (path: string, host = "127.0.0.1:3000") => ({ status: 307, location: `http://${host}${path}` });

describe("middleware", () => {
  it("lets anyone see the public pages", () => {
    for (const path of ["/", "/login", "/register", "/about", "/pricing", "/auth/callback", "/shared", "/join", "/apply/t.n.sig"]) {
      expect(visit(path), path).toEqual(passes);
    }
  });

  it("sends a visitor without session cookies to /login, remembering where they were going", () => {
    expect(visit("/hr/templates?page=2")).toEqual(to("/login?from=%2Fhr%2Ftemplates%3Fpage%3D2"));
    expect(visit("/interview/abc")).toEqual(to("/login?from=%2Finterview%2Fabc"));
  });

  it("keeps the browser's host in redirects", () => {
    expect(visit("/hr/dashboard", {}, "example.test:8443")).toEqual(to("/login?from=%2Fhr%2Fdashboard", "example.test:8443"));
    expect(visit("/admin/users", as("candidate"), "10.0.0.5:3000")).toEqual(to("/candidate/dashboard", "10.0.0.5:3000"));
  });

  it("lets a refresh-token-only session through (the page's first call refreshes it)", () => {
    expect(visit("/hr/dashboard", { refresh: "r" })).toEqual(passes);
    expect(visit("/hr/dashboard", { access: "garbage", refresh: "r" })).toEqual(passes);
  });

  it("keeps each role to its own area", () => {
    expect(visit("/hr/templates", as("hr"))).toEqual(passes);
    expect(visit("/candidate/dashboard", as("hr"))).toEqual(to("/hr/dashboard"));
    expect(visit("/interview/i1", as("hr"))).toEqual(to("/hr/dashboard"));
    expect(visit("/admin/dashboard", as("hr"))).toEqual(to("/hr/dashboard"));

    expect(visit("/candidate/dashboard", as("candidate"))).toEqual(passes);
    expect(visit("/interview/i1", as("candidate"))).toEqual(passes);
    expect(visit("/hr/dashboard", as("candidate"))).toEqual(to("/candidate/dashboard"));

    expect(visit("/admin/skills/create", as("admin"))).toEqual(passes);
    // Admins may act as HR.
    expect(visit("/hr/templates", as("admin"))).toEqual(passes);
    expect(visit("/candidate/dashboard", as("admin"))).toEqual(to("/admin/dashboard"));
  });

  it("sends a user without an app role to select-role, and one with a role away from it", () => {
    expect(visit("/dashboard", as())).toEqual(to("/select-role"));
    expect(visit("/hr/dashboard", as("pending"))).toEqual(to("/select-role"));
    expect(visit("/select-role", as())).toEqual(passes);
    expect(visit("/profile", as())).toEqual(passes);
    expect(visit("/select-role", as("candidate"))).toEqual(to("/candidate/dashboard"));
  });

  it("never loops when the users service still says pending but the token says candidate: one redirect at most", () => {
    // The token's realm role is the truth; the users service's copy is not read here at all, so whichever page
    // the browser is sent to first (the dashboard's old client redirect went to /select-role), it lands home.
    const mismatch = as("candidate");
    for (const start of ["/select-role", "/dashboard", "/candidate/dashboard", "/hr/dashboard"]) {
      const hops: string[] = [];
      let path = start;
      for (let i = 0; i < 5; i++) {
        const { status, location } = visit(path, mismatch);
        if (status !== 307 || !location) break;
        path = new URL(location).pathname;
        hops.push(path);
      }
      expect(hops.length, `${start} → ${hops.join(" → ")}`).toBeLessThanOrEqual(1);
      expect(path, start).toBe("/candidate/dashboard");
    }
  });

  it("reads the gateway's __Host- session cookies, which it sets over https", () => {
    expect(visit("/hr/dashboard", {}, "app.example.test", as("hr"))).toEqual(passes);
    expect(visit("/hr/dashboard", {}, "app.example.test", as("candidate"))).toEqual(to("/candidate/dashboard", "app.example.test"));
    expect(visit("/hr/dashboard", {}, "app.example.test", { refresh: "r" })).toEqual(passes);
  });

  it("believes the __Host- access token over a plain-named one (which a sibling subdomain could have planted)", () => {
    expect(visit("/hr/dashboard", as("hr"), "app.example.test", as("candidate"))).toEqual(to("/candidate/dashboard", "app.example.test"));
    expect(visit("/candidate/dashboard", as("hr"), "app.example.test", as("candidate"))).toEqual(passes);
  });

  it("keeps the Content-Security-Policy on pages it lets through and on its redirects", () => {
    const page = middleware(new NextRequest("http://localhost:3000/about"));
    const redirect = middleware(new NextRequest("http://localhost:3000/hr/dashboard"));
    expect(page.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(redirect.status).toBe(307);
    expect(redirect.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  });
});
