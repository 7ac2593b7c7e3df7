import axe from "axe-core";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import * as React from "react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { EmailInviteDialog } from "@/components/hr/email-invite-dialog";
import { configureApi, setFetch } from "@/lib/api";
import { parseInvitees } from "@/lib/invites";

vi.mock("next/navigation", () => ({ useRouter: () => ({ replace: vi.fn(), push: vi.fn() }), usePathname: () => "/hr/invitations", useSearchParams: () => new URLSearchParams() }));

const bodies: Record<string, unknown>[] = [];

function gateway({ companies = [{ id: "c1", name: "Acme" }] }: { companies?: { id: string; name: string }[] } = {}) {
  bodies.length = 0;
  setFetch(async (input, init) => {
    const url = new URL(String(input));
    const json = (value: unknown) => new Response(JSON.stringify(value), { status: 200, headers: { "content-type": "application/json" } });
    if (url.pathname === "/api/templates") {
      return json({ items: [{ id: "t1", title: "Support specialist" }, { id: "t2", title: "Sales" }], total: 2, page: 1, limit: 100, totalPages: 1 });
    }
    if (url.pathname === "/api/hr/companies") return json({ success: true, data: companies, pagination: {} });
    if (url.pathname === "/api/invites/bulk") {
      const body = JSON.parse(String(init?.body)) as { dryRun: boolean; candidates: { email: string }[] };
      bodies.push(body);
      const good = body.dryRun ? "ready" : "invited";
      return json({
        invited: 1,
        refused: 1,
        rows: [
          { row: 1, email: body.candidates[0].email, name: "Ada Lovelace", status: good },
          { row: 2, email: body.candidates[1].email, status: "invalid_email", message: "This is not a valid e-mail address." },
        ],
      });
    }
    return json({});
  });
}

describe("inviting by e-mail", () => {
  beforeEach(() => configureApi("http://gateway.test"));

  it("reads names and addresses from a pasted list or a CSV, skipping its header", () => {
    expect(parseInvitees("Ada Lovelace <ada@example.com>\n\n grace@example.com ")).toEqual([
      { email: "ada@example.com", name: "Ada Lovelace" },
      { email: "grace@example.com" },
    ]);
    expect(parseInvitees('name,email\n"Lovelace, Ada",ada@example.com\nAlan;alan@example.com\nnot an address')).toEqual([
      { email: "ada@example.com", name: "Lovelace, Ada" },
      { email: "alan@example.com", name: "Alan" },
      { email: "not an address" },
    ]);
  });

  it("checks every line before sending, names each line's problem and sends for the template it was opened with", async () => {
    gateway();
    const onInvited = vi.fn();
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <QueryClientProvider client={client}>
        <EmailInviteDialog open templateId="t2" onOpenChange={() => {}} onInvited={onInvited} />
      </QueryClientProvider>,
    );

    const list = await screen.findByLabelText("Name and e-mail, one person a line");
    fireEvent.change(list, { target: { value: "Ada Lovelace <ada@example.com>\nnot-an-address" } });
    fireEvent.click(screen.getByRole("button", { name: "Check the list" }));

    expect(await screen.findByText("Not a valid e-mail address")).toBeTruthy();
    expect(screen.getByText("Ready to send")).toBeTruthy();
    expect(bodies[0]).toMatchObject({ templateId: "t2", dryRun: true, companyName: "Acme" });
    const findings = await axe.run(document.body, { rules: { "color-contrast": { enabled: false } } });
    expect(findings.violations.map((v) => v.id)).toEqual([]);

    fireEvent.click(screen.getByRole("button", { name: "Send 1 invitation" }));
    expect(await screen.findByText("1 invitation sent")).toBeTruthy();
    expect(bodies[1]).toMatchObject({ templateId: "t2", dryRun: false });
    await waitFor(() => expect(onInvited).toHaveBeenCalled());
  });

  it("asks an HR user without a company for the name candidates see, and sends it", async () => {
    gateway({ companies: [] });
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <QueryClientProvider client={client}>
        <EmailInviteDialog open templateId="t1" onOpenChange={() => {}} onInvited={() => {}} />
      </QueryClientProvider>,
    );

    fireEvent.change(await screen.findByLabelText("Name and e-mail, one person a line"), { target: { value: "ada@example.com\nx@example.com" } });
    fireEvent.click(screen.getByRole("button", { name: "Check the list" }));
    expect(await screen.findByText("Enter the company the invitation comes from.")).toBeTruthy();
    expect(bodies).toEqual([]);

    fireEvent.change(screen.getByLabelText("Company"), { target: { value: "Solo Hiring" } });
    fireEvent.click(screen.getByRole("button", { name: "Check the list" }));
    await waitFor(() => expect(bodies[0]).toMatchObject({ companyName: "Solo Hiring", dryRun: true }));
  });
});
