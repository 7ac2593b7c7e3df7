import axe from "axe-core";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import * as React from "react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { InvitationsList } from "@/components/hr/invitations-list";
import { ToastProvider } from "@/components/ui/toast";
import { configureApi, setFetch } from "@/lib/api";
import { careActions } from "@/lib/invitations";

// axe over a whole list with a dialog open takes a while on a busy machine.
vi.setConfig({ testTimeout: 60_000 });

vi.mock("next/navigation", () => ({ useRouter: () => ({ replace: vi.fn(), push: vi.fn() }), usePathname: () => "/hr/invitations", useSearchParams: () => new URLSearchParams() }));

const progress = { answered: 0, total: 3, percentage: 0 };
const ITEMS = [
  { id: "i-pending", candidateName: "Ada Lovelace", status: "pending" },
  { id: "i-started", candidateName: "Grace Hopper", status: "in_progress" },
  { id: "i-done", candidateName: "Alan Turing", status: "completed", decision: null },
].map((item) => ({
  templateId: "t1",
  templateTitle: "Support specialist",
  candidateId: `c-${item.id}`,
  companyName: "Acme",
  allowPause: true,
  expiresAt: "2031-03-01T12:00:00Z",
  createdAt: "2031-02-01T12:00:00Z",
  progress,
  ...item,
}));

const calls: { path: string; body: unknown }[] = [];

function gateway(refuse?: { path: string; status: number; code: string; error: string }) {
  calls.length = 0;
  setFetch(async (input, init) => {
    const url = new URL(String(input));
    const json = (value: unknown, status = 200) => new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json" } });
    if (url.pathname === "/api/invitations/hr") return json({ items: ITEMS, total: 3, page: 1, limit: 20, totalPages: 1 });
    calls.push({ path: url.pathname, body: init?.body ? JSON.parse(String(init.body)) : undefined });
    if (refuse && url.pathname === refuse.path) {
      return json({ success: false, statusCode: refuse.status, code: refuse.code, error: refuse.error }, refuse.status);
    }
    return json({ success: true });
  });
}

function renderList() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <ToastProvider>
        <InvitationsList status="" onStatusChange={() => {}} page={1} onPageChange={() => {}} />
      </ToastProvider>
    </QueryClientProvider>,
  );
}

async function openActions(name: string) {
  fireEvent.click(await screen.findByRole("button", { name: `Actions for ${name} – Support specialist` }));
  return screen.getByRole("list", { name: `Actions for ${name} – Support specialist` });
}

async function noAxeViolations() {
  const findings = await axe.run(document.body, { rules: { "color-contrast": { enabled: false } } });
  expect(findings.violations.map((v) => v.id)).toEqual([]);
}

describe("HR's actions on each invitation", () => {
  beforeEach(() => configureApi("http://gateway.test"));

  it("offers only the steps an invitation's state allows", () => {
    expect(careActions({ status: "pending" })).toEqual(["resend", "extend", "cancel"]);
    expect(careActions({ status: "in_progress" })).toEqual(["extend", "reset"]);
    expect(careActions({ status: "completed", decision: null })).toEqual(["reset"]);
    expect(careActions({ status: "completed", decision: "approved" })).toEqual([]);
    expect(careActions({ status: "expired" })).toEqual(["extend"]);
    expect(careActions({ status: "cancelled" })).toEqual([]);
  });

  it("lists a pending invitation's actions and resends it with a new link", async () => {
    gateway();
    renderList();

    const menu = await openActions("Ada Lovelace");
    expect(within(menu).getAllByRole("button").map((b) => b.textContent)).toEqual([
      "Send the invitation again",
      "Extend the deadline",
      "Cancel invitation",
    ]);
    await noAxeViolations();
    fireEvent.click(within(menu).getByRole("button", { name: "Send the invitation again" }));
    const dialog = await screen.findByRole("dialog", { name: "Send the invitation again?" });
    fireEvent.click(within(dialog).getByLabelText(/Send a new link/));
    await noAxeViolations();
    fireEvent.click(within(dialog).getByRole("button", { name: "Send again" }));

    await waitFor(() => expect(calls).toContainEqual({ path: "/api/invitations/i-pending/resend", body: { rotateLink: true } }));
    expect(await screen.findByText("Invitation sent again")).toBeTruthy();
  });

  it("extends the deadline to the end of the chosen day", async () => {
    gateway();
    renderList();

    fireEvent.click(within(await openActions("Grace Hopper")).getByRole("button", { name: "Extend the deadline" }));
    const dialog = await screen.findByRole("dialog", { name: "Extend the deadline" });
    fireEvent.change(within(dialog).getByLabelText("New deadline"), { target: { value: "2031-03-10" } });
    await noAxeViolations();
    fireEvent.click(within(dialog).getByRole("button", { name: "Extend deadline" }));

    await waitFor(() => expect(calls.map((c) => c.path)).toContain("/api/invitations/i-started/extend"));
    const sent = new Date((calls[0].body as { expiresAt: string }).expiresAt);
    expect([sent.getFullYear(), sent.getMonth(), sent.getDate(), sent.getHours(), sent.getMinutes()]).toEqual([2031, 2, 10, 23, 59]);
  });

  it("says what a reset discards, asks what went wrong, and shows a refusal in plain words", async () => {
    gateway({
      path: "/api/invitations/i-done/reset",
      status: 409,
      code: "INVALID_INVITATION_STATE",
      error: "A decision was already made on this interview; it cannot be reset.",
    });
    renderList();

    fireEvent.click(within(await openActions("Alan Turing")).getByRole("button", { name: "Reset after a technical problem" }));
    const dialog = await screen.findByRole("dialog", { name: "Reset this interview?" });
    expect(dialog.textContent).toContain("their answers and recordings, their time, and the AI analysis");
    expect(dialog.textContent).toContain("This cannot be undone.");
    fireEvent.click(within(dialog).getByRole("button", { name: "Discard answers and reset" }));
    expect(await within(dialog).findByText(/Say what went wrong/)).toBeTruthy();
    expect(calls).toEqual([]);

    fireEvent.change(within(dialog).getByLabelText("What went wrong"), { target: { value: "Camera froze on question 2" } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Discard answers and reset" }));

    expect(await within(dialog).findByText("Only a started or finished interview without a decision can be reset.")).toBeTruthy();
    expect(calls).toEqual([{ path: "/api/invitations/i-done/reset", body: { reason: "Camera froze on question 2", confirm: true } }]);
    expect(dialog.textContent).not.toContain("INVALID_INVITATION_STATE");
    await noAxeViolations();
  });

  it("cancels a pending invitation only after confirming", async () => {
    gateway();
    renderList();

    fireEvent.click(within(await openActions("Ada Lovelace")).getByRole("button", { name: "Cancel invitation" }));
    const dialog = await screen.findByRole("dialog", { name: "Cancel this invitation?" });
    expect(calls).toEqual([]);
    fireEvent.click(within(dialog).getByRole("button", { name: "Cancel invitation" }));

    await waitFor(() => expect(calls.map((c) => c.path)).toEqual(["/api/invitations/i-pending/cancel"]));
  });
});
