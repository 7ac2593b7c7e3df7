import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AuditTrail } from "@/components/audit/audit-trail";
import { ConsentRecordNote, HumanOnlyBadge } from "@/components/hr/review/consent-record";
import { ToastProvider } from "@/components/ui/toast";
import { configureApi, setFetch } from "@/lib/api";
import { auditQuery, type AuditEntry } from "@/lib/audit";
import { a11yFindings } from "./a11y";

vi.mock("next/navigation", () => ({ useRouter: () => ({ replace: vi.fn(), push: vi.fn() }), usePathname: () => "/hr/audit", useSearchParams: () => new URLSearchParams() }));
vi.setConfig({ testTimeout: 60_000 });

let requests: URL[] = [];

const rows: AuditEntry[] = [
  {
    id: "a1",
    at: "2030-01-15T10:00:00Z",
    companyId: "c1",
    actorId: "11111111-aaaa-bbbb-cccc-000000000000",
    actorRole: "hr",
    action: "decision.approved",
    invitationId: "22222222-aaaa-bbbb-cccc-000000000000",
    subjectType: "invitation",
    subjectId: "22222222-aaaa-bbbb-cccc-000000000000",
    reason: "approved without a written reason",
  },
  {
    id: "a2",
    at: "2030-01-15T09:00:00Z",
    actorRole: "share_link",
    action: "shared_link.viewed",
    invitationId: "22222222-aaaa-bbbb-cccc-000000000000",
    subjectType: "share_link",
    subjectId: "33333333-aaaa-bbbb-cccc-000000000000",
  },
];

function gateway(status = 200) {
  requests = [];
  setFetch(async (input) => {
    const url = new URL(String(input));
    requests.push(url);
    if (status !== 200)
      return new Response(JSON.stringify({ success: false, statusCode: status, code: "AUDIT_UNAVAILABLE", error: "internal words" }), {
        status,
        headers: { "content-type": "application/json" },
      });
    return new Response(JSON.stringify({ items: rows, total: 30, page: Number(url.searchParams.get("page")), limit: 25, totalPages: 2 }), {
      status: 200,
      headers: { "content-type": "application/json" },
    });
  });
}

function show() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <ToastProvider>
        <AuditTrail />
      </ToastProvider>
    </QueryClientProvider>,
  );
}

beforeEach(() => configureApi("http://gateway.test"));
afterEach(() => setFetch((...args) => fetch(...args)));

describe("the audit trail page", () => {
  it("lists who did what and why as a table and as cards, filters and pages through the API", async () => {
    gateway();
    show();

    const table = await screen.findByRole("table", { name: "Audit trail" });
    expect(within(table).getByText("Approved")).toBeTruthy();
    expect(within(table).getByText(/approved without a written reason/)).toBeTruthy();
    expect(within(table).getByText("Someone with the share link")).toBeTruthy();
    expect(within(screen.getByRole("list", { name: "Audit trail" })).getByText("Share link opened")).toBeTruthy();
    expect(screen.getByText("Page 1 of 2 (30 entries)")).toBeTruthy();
    expect(await a11yFindings()).toEqual([]);

    fireEvent.change(screen.getByLabelText("Action"), { target: { value: "decision.approved" } });
    fireEvent.change(screen.getByLabelText("From"), { target: { value: "2030-01-01" } });
    fireEvent.click(screen.getByRole("button", { name: "Apply" }));
    await waitFor(() => expect(requests.at(-1)?.searchParams.get("action")).toBe("decision.approved"));
    expect(requests.at(-1)?.searchParams.get("from")).toBe(new Date("2030-01-01T00:00:00").toISOString());

    fireEvent.click(screen.getByRole("button", { name: "Next" }));
    await waitFor(() => expect(requests.at(-1)?.searchParams.get("page")).toBe("2"));
    expect(requests.every((u) => u.pathname === "/api/hr/audit")).toBe(true);
  });

  it("refuses an end date before the start date in words, without asking the server", async () => {
    gateway();
    show();
    await screen.findByRole("table", { name: "Audit trail" });
    const before = requests.length;

    fireEvent.change(screen.getByLabelText("From"), { target: { value: "2030-02-01" } });
    fireEvent.change(screen.getByLabelText("To"), { target: { value: "2030-01-01" } });

    expect(screen.getByText("The end date must not be before the start date.")).toBeTruthy();
    expect((screen.getByRole("button", { name: "Apply" }) as HTMLButtonElement).disabled).toBe(true);
    expect(requests.length).toBe(before);
  });

  it("says plainly when the trail is not available, without the server's internal words", async () => {
    gateway(503);
    show();

    expect(await screen.findByText("The audit trail is not available right now. Please try again in a moment.")).toBeTruthy();
    expect(document.body.textContent).not.toContain("internal words");
  });

  it("leaves empty filters out of the query", () => {
    expect(auditQuery({ actor: " ", action: "", invitationId: "" })).toEqual({});
  });
});

describe("the consent record on the review", () => {
  it("shows the accepted notice's version and time and the human-only request", async () => {
    render(
      <>
        <ConsentRecordNote
          consent={{ noticeVersion: "2026-12-05", noticeHash: "a".repeat(64), acceptedAt: "2030-01-15T09:00:00Z", humanReviewRequested: true }}
          humanReviewRequested
        />
        <HumanOnlyBadge requested />
      </>,
    );
    expect(screen.getByText(/Accepted the AI-use notice \(version 2026-12-05\)/)).toBeTruthy();
    expect(screen.getByText(/asked for a human-only review/)).toBeTruthy();
    expect(screen.getByText("Human-only review")).toBeTruthy();
    expect(await a11yFindings()).toEqual([]);
  });

  it("says when no acceptance is on record", () => {
    render(<ConsentRecordNote consent={null} />);
    expect(screen.getByText(/No acceptance of the AI-use notice is on record/)).toBeTruthy();
  });
});
