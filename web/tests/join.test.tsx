import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import * as React from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import JoinPage from "@/app/join/page";
import { configureApi, setFetch } from "@/lib/api";
import { a11yFindings } from "./a11y";

const replace = vi.fn();
let search = new URLSearchParams("token=abc.sig");
vi.mock("next/navigation", () => ({ useRouter: () => ({ replace, push: vi.fn() }), usePathname: () => "/join", useSearchParams: () => search }));

const BASE = "http://gateway.test";
const invitation = {
  invitationId: "i1",
  companyName: "Acme",
  templateTitle: "Support specialist",
  candidateEmail: "ada@example.com",
  expiresAt: "2030-01-20T23:59:59Z",
  status: "pending",
  claimed: false,
};

/** The gateway's answers; returns the calls the page made, in order (method and path). */
function gateway(answers: Record<string, { status?: number; json: unknown }>): string[] {
  const calls: string[] = [];
  setFetch(async (input, init) => {
    const key = `${init?.method ?? "GET"} ${new URL(String(input)).pathname}`;
    calls.push(key);
    const found = answers[key] ?? { status: 404, json: { code: "NOT_FOUND", error: "Not found" } };
    return new Response(JSON.stringify(found.json), { status: found.status ?? 200, headers: { "content-type": "application/json" } });
  });
  return calls;
}

function show() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <JoinPage />
    </QueryClientProvider>,
  );
}

describe("the invitation link page", () => {
  beforeEach(() => {
    configureApi(BASE);
    replace.mockReset();
    search = new URLSearchParams("token=abc.sig");
  });
  afterEach(() => {
    vi.restoreAllMocks();
    window.localStorage.clear();
  });

  it("shows who invited a signed-out person and offers an account with the invited address", async () => {
    gateway({
      "GET /api/invites/join": { json: invitation },
      "POST /api/invites/claim": { status: 401, json: { code: "UNAUTHORIZED", error: "Sign in" } },
      "POST /auth/refresh": { status: 401, json: { code: "UNAUTHORIZED", error: "No session" } },
    });
    show();

    expect(await screen.findByRole("heading", { name: "Acme invited you to an interview" })).toBeTruthy();
    expect(await screen.findByRole("button", { name: "Create my account" })).toBeTruthy();
    expect(screen.getByText("ada@example.com")).toBeTruthy();
    expect(replace).not.toHaveBeenCalled();
    expect(await a11yFindings()).toEqual([]);
  });

  it("takes a signed-in person straight to the interview's briefing once their account claimed it", async () => {
    const calls = gateway({
      "GET /api/invites/join": { json: invitation },
      "POST /api/invites/claim": { json: { id: "i1" } },
      "GET /api/users/me": { json: { id: "u1", role: "candidate", email: "ada@example.com" } },
    });
    show();

    await waitFor(() => expect(replace).toHaveBeenCalledWith("/interview/i1"));
    expect(calls).not.toContain("POST /api/users/me/select-role");
  });

  it("makes an account just created from the link a candidate's before the briefing, so it is not sent to the role choice", async () => {
    const calls = gateway({
      "GET /api/invites/join": { json: invitation },
      "POST /api/invites/claim": { json: { id: "i1" } },
      "GET /api/users/me": { json: { id: "u1", role: "pending", email: "ada@example.com" } },
      "POST /api/users/me/select-role": { status: 201, json: { message: "ok", role: "candidate" } },
      "POST /auth/refresh": { json: {} },
    });
    show();

    await waitFor(() => expect(replace).toHaveBeenCalledWith("/interview/i1"));
    // The role is chosen after the claim, and the session refreshed so the new token carries it.
    expect(calls.filter((c) => c !== "GET /api/invites/join")).toEqual([
      "POST /api/invites/claim",
      "GET /api/users/me",
      "POST /api/users/me/select-role",
      "POST /auth/refresh",
    ]);
  });

  it("names the tab and marks the page in the page's language", async () => {
    window.localStorage.setItem("aivi.language", "de");
    gateway({ "GET /api/invites/join": { json: invitation }, "POST /api/invites/claim": { status: 401, json: { code: "UNAUTHORIZED", error: "x" } } });
    show();

    await waitFor(() => expect(document.title).toBe("Ihre Interview-Einladung · AI Video Interview"));
    expect(document.querySelector("main")?.getAttribute("lang")).toBe("de");
  });

  it("lets a person whose address is not confirmed yet ask for the confirmation e-mail", async () => {
    gateway({
      "GET /api/invites/join": { json: invitation },
      "POST /api/invites/claim": { status: 403, json: { code: "EMAIL_NOT_VERIFIED", error: "x" } },
      "POST /api/users/me/verify-email": { status: 202, json: { message: "We sent you an e-mail: open its link to confirm your address" } },
    });
    show();

    fireEvent.click(await screen.findByRole("button", { name: "Send the confirmation e-mail" }));

    expect(await screen.findByText("We sent you an e-mail: open its link to confirm your address")).toBeTruthy();
    expect(screen.getByRole("button", { name: "I have confirmed it, continue" })).toBeTruthy();
    expect(await a11yFindings()).toEqual([]);
  });

  it("says in plain words why another address or an expired link cannot be used", async () => {
    gateway({
      "GET /api/invites/join": { json: invitation },
      "POST /api/invites/claim": { status: 403, json: { code: "EMAIL_MISMATCH", error: "x" } },
    });
    const { unmount } = show();
    expect(await screen.findByText(/sent to a different e-mail address/)).toBeTruthy();
    unmount();

    gateway({ "GET /api/invites/join": { status: 410, json: { code: "INVITE_LINK_EXPIRED", error: "x" } } });
    show();
    expect(await screen.findByText(/has expired. Ask the company to send you a new one/)).toBeTruthy();
    expect(document.body.textContent).not.toMatch(/INVITE_LINK|token|API/);
  });
});
