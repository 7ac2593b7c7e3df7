import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import type * as React from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { accountNav } from "@/components/layout/app-shell";
import { ErasureReportView } from "@/components/profile/erasure-report";
import { PrivacyPanel } from "@/components/profile/privacy-panel";
import { RetentionSetting } from "@/components/profile/retention-setting";
import { configureApi, setFetch } from "@/lib/api";
import { a11yFindings } from "./a11y";

const BASE = "http://gateway.test";
type Call = { method: string; path: string; query: string; body: unknown };
let calls: Call[] = [];

/** A gateway standing in: `answer` maps "METHOD /path" to a body (status 200 unless given). */
function gateway(answer: (key: string) => { status?: number; json?: unknown; text?: string } | undefined) {
  calls = [];
  setFetch(async (input, init) => {
    const url = new URL(String(input));
    const method = init?.method ?? "GET";
    const body = typeof init?.body === "string" ? JSON.parse(init.body) : undefined;
    calls.push({ method, path: url.pathname, query: url.search, body });
    const found = answer(`${method} ${url.pathname}`) ?? { status: 404, json: { code: "NOT_FOUND", error: "Not found" } };
    const text = found.text ?? JSON.stringify(found.json);
    const type = found.text ? "text/html" : "application/json";
    return new Response(text, { status: found.status ?? 200, headers: { "content-type": type } });
  });
}

function refusal(status: number, code: string, error: string, details?: unknown) {
  return { status, json: { success: false, statusCode: status, code, error, details } };
}

function withQueries(ui: React.ReactNode) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(<QueryClientProvider client={client}>{ui}</QueryClientProvider>);
}

const REPORT = {
  erasureId: "e1",
  requestedAt: "2026-12-05T04:00:00Z",
  status: "in_progress",
  completedAt: null,
  services: [
    { service: "users", counts: { accounts: 1 }, reportedAt: "2026-12-05T04:00:00Z" },
    { service: "interviews", counts: { invitations: 2, answers: 5 }, reportedAt: "2026-12-05T04:00:01Z" },
  ],
  waitingFor: ["media"],
};

beforeEach(() => {
  configureApi(BASE);
  URL.createObjectURL = vi.fn(() => "blob:export");
  URL.revokeObjectURL = vi.fn();
});
afterEach(() => {
  setFetch((...args) => fetch(...args));
  vi.unstubAllGlobals();
});

describe("the candidate's privacy page", () => {
  it("links from the account menu for candidates only", () => {
    expect(accountNav("candidate").map((i) => i.href)).toContain("/profile/privacy");
    expect(accountNav("hr").map((i) => i.href)).not.toContain("/profile/privacy");
  }, 30_000);

  it("downloads the export as a file and opens the readable page", async () => {
    const open = vi.fn();
    vi.stubGlobal("open", open);
    // jsdom cannot follow a download link; the click is what the browser turns into a saved file.
    const save = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => undefined);
    gateway((key) => (key === "GET /api/users/me/data-export" ? { json: { users: {} } } : undefined));
    withQueries(<PrivacyPanel email="cara@example.com" />);

    fireEvent.click(screen.getByRole("button", { name: "Download as a file (JSON)" }));
    await waitFor(() => expect(calls).toHaveLength(1));
    fireEvent.click(await screen.findByRole("button", { name: "Open as a readable page" }));
    await waitFor(() => expect(open).toHaveBeenCalledWith("blob:export", "_blank", "noopener"));

    expect(calls.map((c) => c.query)).toEqual(["", "?format=html"]);
    expect(save).toHaveBeenCalledTimes(1);
    save.mockRestore();
  }, 30_000);

  it("says in plain words when the export would be incomplete and made no file", async () => {
    gateway(() => refusal(503, "EXPORT_INCOMPLETE", "media did not answer"));
    withQueries(<PrivacyPanel email="cara@example.com" />);

    fireEvent.click(screen.getByRole("button", { name: "Download as a file (JSON)" }));

    expect(await screen.findByText(/could not be collected just now, so no file was made/)).toBeTruthy();
    expect(document.body.textContent).not.toContain("media did not answer");
  }, 30_000);

  it("erases only after the account's address is typed, then shows the report", async () => {
    gateway((key) => {
      if (key === "POST /api/users/me/erasure") return { status: 202, json: { erasureId: "e1", reportPath: "/privacy/erasure/e1?token=t0k" } };
      if (key === "GET /api/privacy/erasure-reports/e1") return { json: REPORT };
      return undefined;
    });
    withQueries(<PrivacyPanel email="cara@example.com" />);
    expect(await a11yFindings()).toEqual([]);

    fireEvent.change(screen.getByLabelText("Type cara@example.com to confirm"), { target: { value: "someone@example.com" } });
    fireEvent.click(screen.getByRole("button", { name: "Erase my account and data" }));
    expect(await screen.findByText("Type the e-mail address of your account exactly as shown")).toBeTruthy();
    expect(calls).toEqual([]);

    fireEvent.change(screen.getByLabelText("Type cara@example.com to confirm"), { target: { value: "Cara@Example.com" } });
    fireEvent.click(screen.getByRole("button", { name: "Erase my account and data" }));

    expect(await screen.findByText("Your account is erased")).toBeTruthy();
    expect(await screen.findByText("2 interview invitations")).toBeTruthy();
    expect(calls[0].body).toEqual({ confirmEmail: "Cara@Example.com" });
    expect(calls[1].query).toBe("?token=t0k");
    expect(screen.getByText(/Still to confirm: Recordings/)).toBeTruthy();
    expect(await a11yFindings()).toEqual([]);
  }, 30_000);

  it("shows the server's refusal of the confirmation on the field", async () => {
    gateway(() => refusal(422, "ERASURE_NOT_CONFIRMED", "Type the e-mail address", [{ field: "confirmEmail", message: "does not match" }]));
    withQueries(<PrivacyPanel email="cara@example.com" />);

    fireEvent.change(screen.getByLabelText("Type cara@example.com to confirm"), { target: { value: "cara@example.com" } });
    fireEvent.click(screen.getByRole("button", { name: "Erase my account and data" }));

    expect(await screen.findByText("Type the e-mail address of your account exactly as shown")).toBeTruthy();
  });
});

describe("the erasure report opened from its link", () => {
  it("reads as sentences without internal names and says when a link is not valid", async () => {
    gateway((key) =>
      key === "GET /api/privacy/erasure-reports/e1" ? { json: { ...REPORT, status: "complete", waitingFor: [] } } : refusal(404, "ERASURE_REPORT_NOT_FOUND", "There is no erasure report at this link"),
    );
    const { unmount } = withQueries(<ErasureReportView erasureId="e1" token="t0k" />);
    expect(await screen.findByText("Erasure complete")).toBeTruthy();
    expect(screen.getByText("Interviews and answers")).toBeTruthy();
    expect(document.body.textContent).not.toMatch(/interviews\b|invitationProjections/);
    expect(await a11yFindings()).toEqual([]);
    unmount();

    withQueries(<ErasureReportView erasureId="nope" token="bad" />);
    expect(await screen.findByText("This erasure report could not be shown")).toBeTruthy();
  });
});

describe("HR's retention setting", () => {
  beforeEach(() => {
    // jsdom has no layout: the switch measures itself with a ResizeObserver.
    vi.stubGlobal(
      "ResizeObserver",
      class {
        observe() {}
        unobserve() {}
        disconnect() {}
      },
    );
  }, 30_000);

  it("is off by default, checks the bounds before saving, then saves the days", async () => {
    gateway((key) => {
      if (key === "GET /api/retention") return { json: { retentionDays: null, minDays: 1, maxDays: 3650 } };
      if (key === "PUT /api/retention") return { json: { retentionDays: 90, minDays: 1, maxDays: 3650 } };
      return undefined;
    });
    withQueries(<RetentionSetting />);
    const toggle = await screen.findByRole("switch", { name: /Erase candidate data after a decision/ });
    expect(toggle.getAttribute("aria-checked")).toBe("false");
    expect(await a11yFindings()).toEqual([]);

    fireEvent.click(toggle);
    fireEvent.change(screen.getByLabelText("Days after the decision"), { target: { value: "0" } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("Enter a whole number of days from 1 to 3650")).toBeTruthy();
    expect(calls.filter((c) => c.method === "PUT")).toEqual([]);

    fireEvent.change(screen.getByLabelText("Days after the decision"), { target: { value: "90" } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));

    expect(await screen.findByText("Saved.")).toBeTruthy();
    expect(calls.find((c) => c.method === "PUT")?.body).toEqual({ retentionDays: 90 });
    expect(await a11yFindings()).toEqual([]);
  }, 30_000);

  it("shows the server's bounds refusal on the field", async () => {
    gateway((key) => {
      if (key === "GET /api/retention") return { json: { retentionDays: 30, minDays: 1, maxDays: 3650 } };
      return refusal(422, "VALIDATION_ERROR", "Invalid", [{ field: "retentionDays", message: "too large" }]);
    });
    withQueries(<RetentionSetting />);
    fireEvent.click(await screen.findByRole("button", { name: "Save" }));
    expect(await screen.findByText("Enter a whole number of days from 1 to 3650")).toBeTruthy();
  });
});
