import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TeamMembers } from "@/components/hr/team-members";
import { ToastProvider } from "@/components/ui/toast";
import { configureApi, setFetch } from "@/lib/api";
import { a11yFindings } from "./a11y";

const BASE = "http://gateway.test";
beforeEach(() => configureApi(BASE));
afterEach(() => setFetch((...args) => fetch(...args)));

const team = [
  { userId: "u1", email: "owner@acme.test", name: "Olive Owner", isOwner: true, joinedAt: "2026-11-01T00:00:00Z" },
  { userId: "u2", email: "sam@acme.test", name: "Sam Reviewer", isOwner: false, joinedAt: "2026-11-20T00:00:00Z" },
];

function renderTeam() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <ToastProvider>
        <TeamMembers companyId="c1" />
      </ToastProvider>
    </QueryClientProvider>,
  );
}

describe("the hiring team", () => {
  it("lists the team, explains a refusal in plain words, removes a member, and stays axe-clean", async () => {
    const calls: { method: string; url: string; body?: string }[] = [];
    setFetch(async (input, init) => {
      const method = init?.method ?? "GET";
      calls.push({ method, url: String(input), body: init?.body ? String(init.body) : undefined });
      if (method === "GET") return Response.json(team);
      if (method === "POST")
        return Response.json({ statusCode: 402, code: "QUOTA_EXCEEDED", error: "Your Free plan allows 1 team members" }, { status: 402 });
      return new Response(null, { status: 204 });
    });
    renderTeam();
    expect(await screen.findByText("Sam Reviewer")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Remove Olive Owner from the team" })).toBeNull();

    fireEvent.change(screen.getByLabelText("HR user's e-mail"), { target: { value: " new@acme.test " } });
    fireEvent.click(screen.getByRole("button", { name: "Add to team" }));
    expect(await screen.findByText("Your plan has no team seat left. Upgrade your plan in Billing to add more people.")).toBeTruthy();
    expect(JSON.parse(calls.find((c) => c.method === "POST")!.body!)).toEqual({ email: "new@acme.test" });
    expect(await a11yFindings()).toEqual([]);

    fireEvent.click(screen.getByRole("button", { name: "Remove Sam Reviewer from the team" }));
    await waitFor(() => expect(calls.some((c) => c.method === "DELETE" && c.url === `${BASE}/api/hr/companies/c1/members/u2`)).toBe(true));
  });
});
