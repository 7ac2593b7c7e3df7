import axe from "axe-core";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import * as React from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import ApplyPage from "@/app/apply/[token]/page";
import { ApplyLinkDialog } from "@/components/hr/apply-link-dialog";
import { configureApi, setFetch } from "@/lib/api";

vi.setConfig({ testTimeout: 60_000 });
vi.mock("next/navigation", () => ({
  useParams: () => ({ token: "tpl.nonce.sig" }),
  useRouter: () => ({ replace: vi.fn(), push: vi.fn() }),
  usePathname: () => "/apply/tpl.nonce.sig",
  useSearchParams: () => new URLSearchParams(),
}));

type Route = (url: URL, body: unknown) => { status?: number; body: unknown };
const sent: { method: string; path: string; body: unknown }[] = [];

function gateway(routes: Record<string, Route>) {
  sent.length = 0;
  setFetch(async (input, init) => {
    const url = new URL(String(input));
    const method = init?.method ?? "GET";
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    sent.push({ method, path: url.pathname, body });
    const route = routes[`${method} ${url.pathname}`];
    const answer = route ? route(url, body) : { status: 404, body: { code: "NOT_FOUND", error: "Not found" } };
    return new Response(JSON.stringify(answer.body), { status: answer.status ?? 200, headers: { "content-type": "application/json" } });
  });
}

const ROLE = { companyName: "Acme", templateTitle: "Support specialist", templateDescription: "Help our customers.", questions: 3, expectedDuration: 600 };

function renderWithClient(ui: React.ReactElement) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(<QueryClientProvider client={client}>{ui}</QueryClientProvider>);
}

async function noAxeViolations() {
  const findings = await axe.run(document.body, { rules: { "color-contrast": { enabled: false } } });
  expect(findings.violations.map((v) => v.id)).toEqual([]);
}

describe("the public apply page", () => {
  beforeEach(() => configureApi("http://gateway.test"));
  afterEach(() => vi.unstubAllGlobals());

  it("shows the role and its duration, names a bad field, then says to check the inbox", async () => {
    let tries = 0;
    gateway({
      "GET /api/invites/apply": () => ({ body: ROLE }),
      "POST /api/invites/apply": () =>
        ++tries === 1
          ? { status: 422, body: { code: "VALIDATION_ERROR", error: "Invalid request", details: [{ field: "email", message: "This is not a valid e-mail address" }] } }
          : { status: 202, body: { message: "Thank you." } },
    });
    renderWithClient(<ApplyPage />);

    expect(await screen.findByRole("heading", { name: "Support specialist" })).toBeTruthy();
    expect(screen.getByText(/3 questions, about 10 minutes in all/)).toBeTruthy();
    fireEvent.change(screen.getByLabelText("Your name"), { target: { value: "Ada Lovelace" } });
    fireEvent.change(screen.getByLabelText("Your e-mail address"), { target: { value: "ada@" } });
    fireEvent.click(screen.getByRole("button", { name: "Send me the link" }));
    expect(await screen.findByText("Please enter a valid e-mail address.")).toBeTruthy();
    await noAxeViolations();

    fireEvent.change(screen.getByLabelText("Your e-mail address"), { target: { value: "ada@example.com" } });
    fireEvent.click(screen.getByRole("button", { name: "Send me the link" }));

    expect(await screen.findByText("Check your inbox")).toBeTruthy();
    expect(sent.filter((r) => r.method === "POST").at(-1)?.body).toEqual({ token: "tpl.nonce.sig", name: "Ada Lovelace", email: "ada@example.com" });
    await noAxeViolations();
  });

  it("says in plain words that a replaced or closed link is no longer open", async () => {
    gateway({ "GET /api/invites/apply": () => ({ status: 410, body: { code: "APPLY_LINK_CLOSED", error: "closed" } }) });
    renderWithClient(<ApplyPage />);

    expect(await screen.findByText("This application link is no longer open. Please ask the company for their current link.")).toBeTruthy();
    expect(screen.queryByLabelText("Your name")).toBeNull();
  });

  it("speaks German to a German browser", async () => {
    vi.stubGlobal("navigator", { ...navigator, language: "de-DE" });
    gateway({ "GET /api/invites/apply": () => ({ body: ROLE }) });
    renderWithClient(<ApplyPage />);

    expect(await screen.findByRole("button", { name: "Link zusenden" })).toBeTruthy();
    expect(screen.getByText(/3 Fragen, insgesamt etwa 10 Minuten/)).toBeTruthy();
    expect(document.querySelector("main")?.getAttribute("lang")).toBe("de");
    expect(document.title).toBe("Auf eine Stelle bewerben · AI Video Interview");
  });
});

describe("HR's apply link", () => {
  beforeEach(() => configureApi("http://gateway.test"));

  it("opens a template's link, shows the address to share, replaces it and closes it", async () => {
    let state: { enabled: boolean; token?: string; companyName?: string } = { enabled: false };
    gateway({
      "GET /api/templates": () => ({ body: { items: [{ id: "t1", title: "Support specialist" }], total: 1, page: 1, limit: 100, totalPages: 1 } }),
      "GET /api/hr/companies": () => ({ body: { success: true, data: [{ id: "c1", name: "Acme" }], pagination: {} } }),
      "GET /api/invites/apply-links/t1": () => ({ body: state }),
      "PUT /api/invites/apply-links/t1": (_url, body) => {
        const change = body as { enabled: boolean; rotate?: boolean };
        state = change.enabled ? { enabled: true, token: change.rotate ? "t1.second.sig" : "t1.first.sig", companyName: "Acme" } : { enabled: false };
        return { body: state };
      },
    });
    renderWithClient(<ApplyLinkDialog open onOpenChange={() => {}} />);

    fireEvent.click(await screen.findByRole("button", { name: "Open an apply link" }));
    const address = (await screen.findByLabelText("Anyone with this link can apply")) as HTMLInputElement;
    expect(address.value).toBe(`${window.location.origin}/apply/t1.first.sig`);
    await noAxeViolations();
    fireEvent.click(screen.getByRole("button", { name: "Replace with a new link" }));
    await waitFor(() => expect((screen.getByLabelText("Anyone with this link can apply") as HTMLInputElement).value).toContain("t1.second.sig"));
    fireEvent.click(screen.getByRole("button", { name: "Close the link" }));

    expect(await screen.findByText("This interview has no open apply link.")).toBeTruthy();
    expect(sent.filter((r) => r.method === "PUT").map((r) => r.body)).toEqual([
      { enabled: true, companyName: "Acme" },
      { enabled: true, rotate: true, companyName: "Acme" },
      { enabled: false, companyName: "Acme" },
    ]);
  });
});
