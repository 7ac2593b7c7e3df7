import { afterEach, describe, expect, it, vi } from "vitest";
import { setFetch } from "@/lib/api";
import { afterSignIn, sameOriginPath } from "@/lib/redirect";
import { startAuth } from "@/lib/session";

describe("sameOriginPath", () => {
  it("keeps a path of this app with its query and fragment", () => {
    expect(sameOriginPath("/hr/review/42?tab=scores#q2")).toBe("/hr/review/42?tab=scores#q2");
    expect(sameOriginPath("/")).toBe("/");
    expect(sameOriginPath("/candidate/results/%E2%9C%93")).toBe("/candidate/results/%E2%9C%93");
  });

  it.each([
    ["a backslash the browser reads as a slash", "/\\example.org"],
    ["a protocol-relative URL", "//x"],
    ["a protocol-relative URL with a path", "//evil.example/login"],
    ["an absolute URL", "https://x"],
    ["an absolute URL of another scheme", "http://evil.example/"],
    ["encoded slashes that decode to another host", "/%2F%2Fx"],
    ["an encoded backslash", "/%5Cexample.org"],
    ["a mixed-case encoded slash", "/%2f/x"],
    ["a javascript: URL", "javascript:alert(1)"],
    ["a javascript: URL behind a slash-less space", " javascript:alert(1)"],
    ["a data: URL", "data:text/html,<script>alert(1)</script>"],
    ["a tab the URL parser drops", "/\t/example.org"],
    ["a newline the URL parser drops", "/\n/example.org"],
    ["a relative path", "dashboard"],
    ["a leading space", " /dashboard"],
    ["an empty string", ""],
    ["a path past the length limit", `/${"a".repeat(2048)}`],
    ["malformed percent-encoding", "/%E0%A4%A"],
  ])("refuses %s", (_why, candidate) => {
    expect(sameOriginPath(candidate)).toBeNull();
  });

  it("refuses what is not a string", () => {
    expect(sameOriginPath(null)).toBeNull();
    expect(sameOriginPath(undefined)).toBeNull();
  });
});

describe("afterSignIn", () => {
  it("sends a user without a role to choose one, whatever they came for", () => {
    expect(afterSignIn("pending", "/hr/templates")).toBe("/select-role");
  });

  it("returns an account just made from an invitation link to that link, which makes it a candidate's", () => {
    expect(afterSignIn("pending", "/join?token=abc.sig")).toBe("/join?token=abc.sig");
    expect(afterSignIn("pending", "/joined")).toBe("/select-role");
    expect(afterSignIn("pending", "//evil.example/join?token=x")).toBe("/select-role");
  });

  it("returns a signed-in user to the page they came from when it is this app's", () => {
    expect(afterSignIn("hr", "/hr/templates?page=2")).toBe("/hr/templates?page=2");
  });

  it("sends anyone else home for their role instead of off the site", () => {
    expect(afterSignIn("hr", "//evil.example")).toBe("/hr/dashboard");
    expect(afterSignIn("candidate", "/\\evil.example")).toBe("/candidate/dashboard");
    expect(afterSignIn("admin", null)).toBe("/admin/dashboard");
  });
});

describe("startAuth", () => {
  afterEach(() => {
    setFetch((...args) => fetch(...args));
    vi.unstubAllGlobals();
    sessionStorage.clear();
  });

  async function start(from: string): Promise<string | null> {
    setFetch(async () => new Response(JSON.stringify({ authUrl: "http://127.0.0.1:8090/auth" }), { status: 200 }));
    vi.stubGlobal("location", { ...window.location, origin: "http://127.0.0.1:3000", assign: vi.fn() });
    await startAuth("login", from);
    return sessionStorage.getItem("auth:from");
  }

  it("remembers a page of this app to return to after sign-in", async () => {
    expect(await start("/hr/review/42")).toBe("/hr/review/42");
  });

  it("forgets a foreign target, including one an earlier sign-in left behind", async () => {
    sessionStorage.setItem("auth:from", "/candidate/dashboard");
    expect(await start("/\\evil.example")).toBeNull();
  });
});
