import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import * as React from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import AdminUsersPage from "@/app/(app)/admin/users/page";
import ProfilePage from "@/app/(app)/profile/page";
import SelectRole from "@/app/select-role/page";
import { ToastProvider } from "@/components/ui/toast";
import { configureApi, setFetch } from "@/lib/api";
import { a11yFindings } from "./a11y";

const replace = vi.fn();
vi.mock("next/navigation", () => ({ useRouter: () => ({ replace, push: vi.fn() }), usePathname: () => "/", useSearchParams: () => new URLSearchParams() }));

const BASE = "http://gateway.test";
type Call = { method: string; path: string; body: unknown };
let calls: Call[] = [];

/** A gateway standing in: `answer` maps "METHOD /path" to a JSON body (status 200 unless given). */
function gateway(answer: (key: string, body: unknown) => { status?: number; json: unknown } | undefined) {
  calls = [];
  setFetch(async (input, init) => {
    const url = new URL(String(input));
    const method = init?.method ?? "GET";
    const body = typeof init?.body === "string" ? JSON.parse(init.body) : undefined;
    calls.push({ method, path: url.pathname, body });
    const found = answer(`${method} ${url.pathname}`, body);
    if (!found) return new Response(JSON.stringify({ success: true }), { status: 200 });
    return new Response(JSON.stringify(found.json), { status: found.status ?? 200, headers: { "content-type": "application/json" } });
  });
}

function show(ui: React.ReactElement) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <ToastProvider>{ui}</ToastProvider>
    </QueryClientProvider>,
  );
}

const me = {
  id: "u1",
  externalAuthId: "kc1",
  email: "hanna@example.com",
  firstName: "Hanna",
  lastName: "Recruiter",
  avatarUrl: null,
  bio: null,
  phone: null,
  timezone: "UTC",
  language: "en",
  status: "active",
  role: "pending",
  discoverable: false,
  hrAccessRequestedAt: null as string | null,
  version: 1,
};

beforeEach(() => {
  configureApi(BASE);
  replace.mockReset();
});
afterEach(() => setFetch((...args) => fetch(...args)));

// axe walks the whole rendered document, which takes seconds on a busy machine.
vi.setConfig({ testTimeout: 60_000 });

describe("choosing a role", () => {
  it("shows the waiting state when choosing HR only records a request, without refreshing the session", async () => {
    let requested = false;
    gateway((key) => {
      if (key === "GET /api/users/me") return { json: { ...me, hrAccessRequestedAt: requested ? "2026-12-04T22:00:00Z" : null } };
      if (key === "POST /api/users/me/select-role") {
        requested = true;
        return { status: 202, json: { message: "An administrator must approve HR access", role: "pending" } };
      }
    });
    show(<SelectRole />);

    fireEvent.click(await screen.findByRole("button", { name: "Continue as HR Manager" }));

    expect(await screen.findByRole("heading", { name: "Waiting for HR access" })).toBeTruthy();
    expect(screen.getByText(/An administrator must approve HR access/)).toBeTruthy();
    expect(calls.some((c) => c.path === "/auth/refresh")).toBe(false);
    expect(replace).not.toHaveBeenCalled();
    expect(await a11yFindings()).toEqual([]);
  });

  it("takes the user to the HR dashboard once an administrator approved", async () => {
    let approved = false;
    gateway((key) => {
      if (key === "GET /api/users/me") return { json: { ...me, role: approved ? "hr" : "pending", hrAccessRequestedAt: approved ? null : "2026-12-04T22:00:00Z" } };
    });
    show(<SelectRole />);
    const check = await screen.findByRole("button", { name: "Check again" });

    fireEvent.click(check);
    expect(await screen.findByText("Not approved yet.")).toBeTruthy();
    approved = true;
    fireEvent.click(check);

    await waitFor(() => expect(replace).toHaveBeenCalledWith("/hr/dashboard"));
    expect(calls.filter((c) => c.path === "/auth/refresh")).toHaveLength(2);
  });
});

describe("the candidate's profile", () => {
  it("turns on being discoverable by recruiters, which is off until then", async () => {
    gateway((key, body) => {
      if (key === "GET /api/users/me") return { json: { ...me, role: "candidate" } };
      if (key === "PUT /api/users/me") return { json: { ...me, role: "candidate", ...(body as object), version: 2 } };
    });
    show(<ProfilePage />);

    const toggle = await screen.findByRole("switch", { name: "Discoverable by recruiters" });
    expect(toggle.getAttribute("aria-checked")).toBe("false");
    fireEvent.click(toggle);

    await waitFor(() => expect(toggle.getAttribute("aria-checked")).toBe("true"));
    expect(calls.find((c) => c.method === "PUT")?.body).toEqual({ discoverable: true });
    // The new card only: the rest of the page (a long time-zone list) is slow to check and not changed here.
    expect(await a11yFindings(toggle.closest("div.max-w-2xl > div") ?? document.body)).toEqual([]);
  });
});

describe("the admins' user list", () => {
  it("approves a user's request for HR access by granting hr", async () => {
    const account = { id: "kc-9", username: "hanna", firstName: "Hanna", lastName: "Recruiter", email: "hanna@example.com", enabled: true, lastLoginAt: null };
    gateway((key) => {
      if (key === "GET /api/users/me") return { json: { ...me, role: "admin", externalAuthId: "kc-admin" } };
      if (key === "GET /api/admin/users") return { json: { success: true, count: 1, data: [{ ...account, hrAccessRequestedAt: "2026-12-04T22:00:00Z" }] } };
      if (key === "GET /api/admin/users/kc-9/roles") return { json: { data: [{ id: "r", name: "pending" }] } };
    });
    show(<AdminUsersPage />);

    const approve = await screen.findByRole("button", { name: "Approve HR access for Hanna Recruiter" });
    expect(screen.getByText(/Asked for HR access/)).toBeTruthy();
    expect(await a11yFindings()).toEqual([]);
    fireEvent.click(approve);
    const dialog = await screen.findByRole("dialog");
    fireEvent.click(within(dialog).getByRole("button", { name: "Approve HR access" }));

    await waitFor(() => expect(calls.find((c) => c.method === "POST")).toEqual({ method: "POST", path: "/api/admin/users/kc-9/roles", body: { roleName: "hr" } }));
  });

  it("names the assign-role button with its visible words first, as speech input expects", async () => {
    const account = { id: "kc-7", username: "bu", firstName: "B", lastName: "U", email: "bu@example.com", enabled: true, lastLoginAt: null };
    gateway((key) => {
      if (key === "GET /api/users/me") return { json: { ...me, role: "admin", externalAuthId: "kc-admin" } };
      if (key === "GET /api/admin/users") return { json: { success: true, count: 1, data: [account] } };
      if (key === "GET /api/admin/users/kc-7/roles") return { json: { data: [{ id: "r", name: "pending" }] } };
    });
    show(<AdminUsersPage />);

    const assign = await screen.findByRole("button", { name: "Assign role to B U" });
    expect(assign.textContent).toBe("Assign role");
  });
});
