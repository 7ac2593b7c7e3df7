import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import * as React from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("next/navigation", () => ({
  useSearchParams: () => new URLSearchParams(),
  useRouter: () => ({ push: vi.fn(), replace: vi.fn(), back: vi.fn() }),
  usePathname: () => "/hr/analytics",
}));

import AdminAnalyticsPage from "@/app/(app)/admin/analytics/page";
import HrAnalyticsPage from "@/app/(app)/hr/analytics/page";
import HrDashboard from "@/app/(app)/hr/dashboard/page";
import { byPlan } from "@/components/analytics/usage-card";
import { ToastProvider } from "@/components/ui/toast";
import { ApiError, configureApi, setFetch } from "@/lib/api";
import {
  agreementGrid,
  analyticsError,
  csvFileName,
  formatBytes,
  formatDuration,
  formatPercent,
  LOAD_ERROR,
  presetRange,
  rangeProblem,
  type Funnel,
  type NotificationStats,
  type Overview,
  type PlatformUsage,
  type Questions,
  type Scores,
} from "@/lib/analytics";
import { profileKeys, type Me } from "@/lib/profile";
import { a11yFindings } from "./a11y";

// Rendering whole pages and running axe over them takes seconds on a busy machine: no test here is about speed.
vi.setConfig({ testTimeout: 60_000 });

// -- fixtures -------------------------------------------------------------------------------------------------

const TODAY = new Date("2026-12-05T10:00:00Z");

const HR: Me = {
  id: "u1",
  externalAuthId: "kc1",
  email: "hr@example.com",
  firstName: "Hana",
  lastName: "Ruiz",
  avatarUrl: null,
  bio: null,
  phone: null,
  timezone: "UTC",
  language: "en",
  status: "active",
  role: "hr",
  version: 1,
};

const step = (name: string, count: number, conversion: number | null, seconds: number | null) => ({
  step: name,
  count,
  conversion,
  medianSecondsFromPrevious: seconds,
});

const FUNNEL: Funnel = {
  from: "2026-11-06",
  to: "2026-12-05",
  steps: [
    step("invited", 10, null, null),
    step("opened", 8, 0.8, 3600),
    step("started", 6, 0.75, 600),
    step("completed", 5, 5 / 6, 1500),
    step("analysed", 5, 1, 90),
    step("decided", 4, 0.8, 2 * 86400 + 3 * 3600),
  ],
  templates: [
    { templateId: "t1", templateTitle: "Backend engineer", steps: [step("invited", 7, null, null), step("decided", 3, 0.43, 100)] },
    { templateId: "t2", templateTitle: "Designer", steps: [step("invited", 3, null, null), step("decided", 1, 0.33, 100)] },
  ],
};

const EMPTY_FUNNEL: Funnel = { ...FUNNEL, steps: FUNNEL.steps.map((s) => ({ ...s, count: 0, conversion: null, medianSecondsFromPrevious: null })), templates: [] };

const QUESTIONS: Questions = {
  questions: [
    { questionId: "q2", order: 2, text: "Describe a hard bug you fixed.", reached: 6, answered: 5, abandonedHere: 1, medianAnswerLength: 420, retakes: 2 },
    { questionId: "q1", order: 1, text: "Tell us about yourself.", reached: 6, answered: 6, abandonedHere: 0, medianAnswerLength: 300, retakes: 0 },
  ],
};

const SCORES: Scores = {
  criteria: [
    {
      criterion: "communication_skills",
      median: 72,
      buckets: [
        { from: 0, to: 50, count: 1 },
        { from: 50, to: 100, count: 4 },
      ],
    },
  ],
  agreement: {
    matrix: [
      { ai: "hire", human: "approved", count: 3 },
      { ai: "reject", human: "approved", count: 1 },
      { ai: "reject", human: "rejected", count: 2 },
    ],
    agreementRate: 5 / 6,
    total: 6,
  },
  decisions: {
    medianHours: 26,
    p90Hours: 50,
    reviewers: [
      { reviewerId: "someone-else", decisions: 2, medianHours: 30 },
      { reviewerId: "u1", decisions: 4, medianHours: 20.5 },
    ],
  },
};

const NOTIFICATIONS: NotificationStats = { invitationEmails: { sent: 9, failed: 1 }, openToStart: { opened: 8, started: 6, conversion: 0.75 } };

const OVERVIEW: Overview = { invitations: 10, started: 6, completed: 5, analysed: 5, decided: 4, completionRate: 0.5, medianHoursToDecision: 26 };

const USAGE: PlatformUsage = {
  series: [
    { period: "2026-12-01", companyId: "c1", plan: "free", invitations: 2, analyses: 1, storageBytes: 1024 * 1024, llmTokens: 1200 },
    { period: "2026-12-01", companyId: "c2", plan: "pro", invitations: 5, analyses: 4, storageBytes: 3 * 1024 * 1024, llmTokens: 9000 },
    { period: "2026-12-02", companyId: "c1", plan: "free", invitations: 1, analyses: 1, storageBytes: 2 * 1024 * 1024, llmTokens: 800 },
  ],
};

// -- a fake gateway -------------------------------------------------------------------------------------------

const BASE = "http://gateway.test";
type Call = { method: string; path: string; query: URLSearchParams; headers: Record<string, string> };
let calls: Call[] = [];

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

const UNAVAILABLE = () => json(503, { success: false, statusCode: 503, code: "UPSTREAM_UNAVAILABLE", error: "analytics upstream failed: ConnectError" });

/** Answers `GET /path` from the table (a value is a 200 with it as JSON, a function gets the query); else a 404. */
function gateway(routes: Record<string, unknown | ((query: URLSearchParams) => Response | unknown)>) {
  calls = [];
  setFetch(async (input, init) => {
    const url = new URL(String(input));
    const method = init?.method ?? "GET";
    calls.push({ method, path: url.pathname, query: url.searchParams, headers: (init?.headers ?? {}) as Record<string, string> });
    const answer = routes[`${method} ${url.pathname}`];
    if (answer === undefined) return json(404, { statusCode: 404, code: "NOT_FOUND", error: "Not found" });
    const value = typeof answer === "function" ? (answer as (q: URLSearchParams) => unknown)(url.searchParams) : answer;
    return value instanceof Response ? value : json(200, value);
  });
}

const HR_ROUTES = {
  "GET /api/analytics/overview": OVERVIEW,
  "GET /api/analytics/funnel": FUNNEL,
  "GET /api/analytics/questions": QUESTIONS,
  "GET /api/analytics/scores": SCORES,
  "GET /api/analytics/notifications": NOTIFICATIONS,
  "GET /api/templates": {
    items: [
      { id: "t1", title: "Backend engineer" },
      { id: "t2", title: "Designer" },
    ],
    total: 2,
    page: 1,
    limit: 100,
    totalPages: 1,
  },
};

const callsTo = (path: string) => calls.filter((c) => c.path === path);
const lastCallTo = (path: string) => callsTo(path).at(-1);

function show(ui: React.ReactElement, me: Me = HR) {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  qc.setQueryData(profileKeys.me, me);
  return render(
    <QueryClientProvider client={qc}>
      <ToastProvider>{ui}</ToastProvider>
    </QueryClientProvider>,
  );
}

const card = (name: string) => screen.getByRole("region", { name });
const rowTexts = (table: HTMLElement) =>
  within(table)
    .getAllByRole("row")
    .map((r) => [...r.querySelectorAll("th, td")].map((c) => (c.textContent ?? "").trim()).join(" "));

beforeEach(() => {
  configureApi(BASE);
  // Only the clock is faked: the date presets count back from "today"; promises and timers run as usual.
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(TODAY);
  // jsdom has no layout: charts are sized by observing their container.
  vi.stubGlobal(
    "ResizeObserver",
    class {
      observe() {}
      unobserve() {}
      disconnect() {}
    },
  );
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  setFetch((...args) => fetch(...args));
});

// == words and figures ========================================================================================

describe("analytics figures", () => {
  it("count a preset back from today in whole UTC days, today included", () => {
    expect(presetRange(7, TODAY)).toEqual({ from: "2026-11-29", to: "2026-12-05" });
    expect(presetRange(30, new Date("2026-12-05T23:59:00Z"))).toEqual({ from: "2026-11-06", to: "2026-12-05" });
  });

  it("say what is wrong with a custom range", () => {
    expect(rangeProblem({ to: "2026-12-01" })).toEqual({ field: "from", message: "Choose a start date." });
    expect(rangeProblem({ from: "2026-12-01" })).toEqual({ field: "to", message: "Choose an end date." });
    expect(rangeProblem({ from: "2026-12-02", to: "2026-12-01" })).toEqual({ field: "to", message: "The end date must be on or after the start date." });
    expect(rangeProblem({ from: "2026-02-30x", to: "2026-12-01" })).toEqual({ field: "from", message: "The start date is not a valid date." });
    expect(rangeProblem({ from: "2025-11-30", to: "2026-12-01" })).toEqual({ field: "from", message: "Choose a period of at most 366 days." });
    expect(rangeProblem({ from: "2025-12-01", to: "2026-12-01" })).toBeNull();
    expect(rangeProblem({ from: "2026-12-01", to: "2026-12-01" })).toBeNull();
  });

  it("write durations, shares and sizes as people say them", () => {
    expect(formatDuration(45)).toBe("45 s");
    expect(formatDuration(25 * 60)).toBe("25 min");
    expect(formatDuration(3 * 3600 + 20 * 60)).toBe("3 h 20 min");
    expect(formatDuration(2 * 86400 + 3 * 3600)).toBe("2 days 3 h");
    expect(formatDuration(null)).toBe("—");
    expect(formatPercent(5 / 6)).toBe("83%");
    expect(formatPercent(0.045)).toBe("4.5%");
    expect(formatPercent(null)).toBe("—");
    expect(formatBytes(3 * 1024 * 1024)).toBe("3 MB");
    expect(csvFileName("Usage per week", { from: "2026-11-06", to: "2026-12-05" })).toBe("usage-per-week-2026-11-06-to-2026-12-05.csv");
  });

  it("fill the agreement matrix with zeros for pairs nobody decided", () => {
    expect(agreementGrid(SCORES.agreement.matrix)).toEqual([
      { ai: "hire", counts: { approved: 3, rejected: 0 }, total: 3 },
      { ai: "consider", counts: { approved: 0, rejected: 0 }, total: 0 },
      { ai: "reject", counts: { approved: 1, rejected: 2 }, total: 3 },
    ]);
  });

  it("sum usage per period and plan over the companies on it", () => {
    expect(byPlan(USAGE.series, "invitations")).toEqual({
      plans: ["free", "pro"],
      data: [
        { period: "2026-12-01", free: 2, pro: 5 },
        { period: "2026-12-02", free: 1, pro: 0 },
      ],
    });
  });

  it("explain a failure without the server's internal words", () => {
    expect(analyticsError(new ApiError(503, "UPSTREAM_UNAVAILABLE", "analytics upstream failed"))).toBe(LOAD_ERROR);
    expect(analyticsError(new ApiError(403, "FORBIDDEN", "role hr required"))).toBe("You don't have access to these analytics.");
    expect(analyticsError(new ApiError(422, "VALIDATION_ERROR", "from: invalid date"))).toBe("These filters can't be used. Check the dates and try again.");
    expect(analyticsError(new Error("boom"))).toBe(LOAD_ERROR);
  });
});

// == HR's analytics page ======================================================================================

describe("HR's analytics page", () => {
  it("asks for the last 30 days and shows the funnel with conversions and median times, its table on request, and stays axe-clean", async () => {
    gateway(HR_ROUTES);
    show(<HrAnalyticsPage />);

    const funnel = await screen.findByRole("region", { name: "Funnel" });
    await within(funnel).findByRole("img", { name: /Invited 10, Opened 8, Started 6, Completed 5, Analysed 5, Decided 4/ });
    const steps = within(funnel).getByRole("table", { name: "Funnel steps" });
    expect(rowTexts(steps)).toEqual([
      "Step Candidates Conversion from previous step Median time from previous step",
      "Invited 10 — —",
      "Opened 8 80% 1 h",
      "Started 6 75% 10 min",
      "Completed 5 83% 25 min",
      "Analysed 5 100% 2 min",
      "Decided 4 80% 2 days 3 h",
    ]);
    // The table is read by screen readers all along and shown to everyone on request.
    const toggle = within(funnel).getByRole("button", { name: "Show table" });
    expect(steps.closest(".sr-only")).not.toBeNull();
    fireEvent.click(toggle);
    expect(within(funnel).getByRole("button", { name: "Hide table" }).getAttribute("aria-expanded")).toBe("true");
    expect(steps.closest(".sr-only")).toBeNull();
    expect(rowTexts(within(funnel).getByRole("table", { name: "Funnel by template" }))).toEqual([
      "Template Invited Opened Started Completed Analysed Decided",
      "Backend engineer 7 — — — — 3",
      "Designer 3 — — — — 1",
    ]);

    for (const path of ["/api/analytics/overview", "/api/analytics/funnel", "/api/analytics/scores", "/api/analytics/notifications"]) {
      const query = lastCallTo(path)?.query;
      expect(Object.fromEntries(query ?? [])).toEqual({ from: "2026-11-06", to: "2026-12-05" });
    }
    // Questions differ per template: nothing is asked until one is chosen.
    expect(callsTo("/api/analytics/questions")).toEqual([]);
    expect(within(card("Drop-off per question")).getByText("Choose a template")).toBeTruthy();

    await screen.findByText("83%", { selector: "span" });
    expect(await a11yFindings()).toEqual([]);
  });

  it("sends the chosen period and template to every chart and then shows each question's drop-off", async () => {
    gateway(HR_ROUTES);
    show(<HrAnalyticsPage />);
    await screen.findByRole("option", { name: "Designer" });

    fireEvent.change(screen.getByLabelText("Period"), { target: { value: "7" } });
    fireEvent.change(screen.getByLabelText("Template"), { target: { value: "t1" } });

    const questions = await screen.findByRole("table", { name: "Drop-off per question" });
    expect(rowTexts(questions)).toEqual([
      "# Question Reached Answered Stopped here Median answer length Retakes",
      "Q1 Tell us about yourself. 6 6 0 5 min 0",
      "Q2 Describe a hard bug you fixed. 6 5 1 7 min 2",
    ]);
    for (const path of ["/api/analytics/funnel", "/api/analytics/questions", "/api/analytics/scores", "/api/analytics/notifications"]) {
      expect(Object.fromEntries(lastCallTo(path)?.query ?? [])).toEqual({ from: "2026-11-29", to: "2026-12-05", templateId: "t1" });
    }
    // Per-template rows would repeat the one template chosen.
    expect(screen.queryByRole("table", { name: "Funnel by template" })).toBeNull();
  });

  it("asks for a custom range only once it makes sense, and says at the field what is wrong", async () => {
    gateway(HR_ROUTES);
    show(<HrAnalyticsPage />);
    await screen.findByRole("table", { name: "Funnel steps" });

    fireEvent.change(screen.getByLabelText("Period"), { target: { value: "custom" } });
    fireEvent.change(screen.getByLabelText("To"), { target: { value: "2026-12-01" } });
    fireEvent.change(screen.getByLabelText("From"), { target: { value: "2026-12-03" } });

    const to = screen.getByLabelText("To");
    expect(to.getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByRole("alert").textContent).toBe("The end date must be on or after the start date.");
    expect(calls.some((c) => c.query.get("from") === "2026-12-03")).toBe(false);

    fireEvent.change(to, { target: { value: "2026-12-04" } });
    await waitFor(() => expect(Object.fromEntries(lastCallTo("/api/analytics/funnel")?.query ?? [])).toEqual({ from: "2026-12-03", to: "2026-12-04" }));
    expect(to.getAttribute("aria-invalid")).toBeNull();
  });

  it("says in plain words when the period has nothing to show", async () => {
    gateway({
      ...HR_ROUTES,
      "GET /api/analytics/overview": { ...OVERVIEW, invitations: 0, started: 0, completed: 0, analysed: 0, decided: 0, completionRate: null, medianHoursToDecision: null },
      "GET /api/analytics/funnel": EMPTY_FUNNEL,
      "GET /api/analytics/scores": { criteria: [], agreement: { matrix: [], agreementRate: null, total: 0 }, decisions: { medianHours: null, p90Hours: null, reviewers: [] } },
      "GET /api/analytics/notifications": { invitationEmails: { sent: 0, failed: 0 }, openToStart: { opened: 0, started: 0, conversion: null } },
    });
    show(<HrAnalyticsPage />);

    expect(await within(card("Funnel")).findByText("No candidates in this period")).toBeTruthy();
    expect(await within(card("At a glance")).findByText("No invitations in this period")).toBeTruthy();
    expect(await within(card("Score distributions")).findByText("No scored interviews in this period")).toBeTruthy();
    expect(within(card("AI and human agreement")).getByText("No decided interviews with an AI recommendation yet")).toBeTruthy();
    expect(within(card("Time to decision")).getByText("No decisions in this period")).toBeTruthy();
    expect(await within(card("Invitation e-mails")).findByText("No invitation e-mails in this period")).toBeTruthy();
    // Nothing to download either.
    expect(screen.queryByRole("link", { name: /Download CSV/ })).toBeNull();
    expect(await a11yFindings()).toEqual([]);
  });

  it("says it couldn't load the analytics, without the server's words, and loads them when asked again", async () => {
    let up = false;
    gateway({ ...HR_ROUTES, "GET /api/analytics/funnel": () => (up ? FUNNEL : UNAVAILABLE()) });
    show(<HrAnalyticsPage />);

    const funnel = await screen.findByRole("region", { name: "Funnel" });
    const alert = await within(funnel).findByRole("alert");
    expect(alert.textContent).toContain("We couldn't load the analytics. Try again.");
    expect(alert.textContent).not.toMatch(/upstream|ConnectError|503/);

    up = true;
    fireEvent.click(within(alert).getByRole("button", { name: "Try again" }));
    expect(await within(funnel).findByRole("table", { name: "Funnel steps" })).toBeTruthy();
    expect(await a11yFindings()).toEqual([]);
  });

  it("lays AI recommendations against human decisions and names reviewers without ids", async () => {
    gateway(HR_ROUTES);
    show(<HrAnalyticsPage />);

    const agreement = await screen.findByRole("region", { name: "AI and human agreement" });
    expect((await within(agreement).findByText("83%")).textContent).toBe("83%");
    expect(rowTexts(within(agreement).getByRole("table"))).toEqual(["AI recommended Approved Rejected Total", "Hire 3 0 3", "Consider 0 0 0", "Reject 1 2 3"]);
    const reviewers = within(card("Time to decision")).getByRole("table", { name: "Decisions per reviewer" });
    expect(rowTexts(reviewers)).toEqual(["Reviewer Decisions Median time", "You 4 20 h 30 min", "Reviewer 1 2 30 h"]);
    expect(within(card("Time to decision")).getByText("26 h")).toBeTruthy();
    const scores = card("Score distributions");
    expect(within(scores).getByRole("img", { name: "Communication skills scores: 0–50: 1, 50–100: 4." })).toBeTruthy();
    const emails = card("Invitation e-mails");
    const figure = (label: string) => within(emails).getByText(label).parentElement?.textContent;
    expect(figure("E-mails sent")).toBe("E-mails sent9");
    expect(figure("Could not be sent")).toBe("Could not be sent110% of all");
    expect(figure("Open to start")).toBe("Open to start75%");
  });

  it("offers each chart's data as CSV at the gateway's address and downloads it with the session", async () => {
    gateway({ ...HR_ROUTES, "GET /api/analytics/funnel": (q: URLSearchParams) => (q.get("format") === "csv" ? new Response("step,count\ninvited,10\n", { status: 200, headers: { "Content-Type": "text/csv" } }) : FUNNEL) });
    const saved: { name: string; href: string }[] = [];
    vi.stubGlobal("URL", Object.assign(URL, { createObjectURL: () => "blob:csv", revokeObjectURL: () => undefined }));
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      saved.push({ name: this.download, href: this.getAttribute("href") ?? "" });
    });
    show(<HrAnalyticsPage />);

    const link = await within(await screen.findByRole("region", { name: "Funnel" })).findByRole("link", { name: "Download CSV of Funnel" });
    const href = new URL(link.getAttribute("href") ?? "");
    expect(`${href.origin}${href.pathname}`).toBe(`${BASE}/api/analytics/funnel`);
    expect(Object.fromEntries(href.searchParams)).toEqual({ from: "2026-11-06", to: "2026-12-05", format: "csv" });

    fireEvent.click(link);
    await waitFor(() => expect(saved).toEqual([{ name: "funnel-2026-11-06-to-2026-12-05.csv", href: "blob:csv" }]));
    const download = calls.find((c) => c.query.get("format") === "csv");
    expect(download?.headers.Accept).toBe("text/csv");
    click.mockRestore();
  });

  it("says so when a CSV cannot be downloaded", async () => {
    gateway({ ...HR_ROUTES, "GET /api/analytics/notifications": (q: URLSearchParams) => (q.get("format") === "csv" ? UNAVAILABLE() : NOTIFICATIONS) });
    show(<HrAnalyticsPage />);

    const emails = await screen.findByRole("region", { name: "Invitation e-mails" });
    fireEvent.click(await within(emails).findByRole("link", { name: "Download CSV of Invitation e-mails" }));
    expect((await within(emails).findByRole("alert")).textContent).toBe("The CSV could not be downloaded. Try again.");
  });
});

// == the admins' page =========================================================================================

describe("the admins' analytics page", () => {
  const ADMIN: Me = { ...HR, id: "a1", role: "admin" };
  const ACCOUNTS = {
    success: true,
    data: [
      { companyId: "c1", accountName: "Acme", billingEmail: "billing@acme.test" },
      { companyId: "c2", accountName: null, billingEmail: "ops@globex.test" },
    ],
    pagination: { total: 2, page: 1, limit: 1000, totalPages: 1 },
  };

  it("shows usage per period, company and plan, and sends the interval and company chosen", async () => {
    gateway({ "GET /api/admin/analytics/usage": USAGE, "GET /api/admin/billing/accounts": ACCOUNTS });
    show(<AdminAnalyticsPage />, ADMIN);

    const table = await screen.findByRole("table", { name: "Usage per day, company and plan" });
    expect(rowTexts(table)).toEqual([
      "Period Company Plan Invitations Analyses Storage AI tokens",
      "2026-12-01 Acme Free 2 1 1 MB 1,200",
      "2026-12-01 ops@globex.test Pro 5 4 3 MB 9,000",
      "2026-12-02 Acme Free 1 1 2 MB 800",
    ]);
    expect(screen.getByRole("img", { name: /Invitations per day by plan: 2026-12-01: Free 2, Pro 5; 2026-12-02: Free 1, Pro 0\./ })).toBeTruthy();
    expect(Object.fromEntries(lastCallTo("/api/admin/analytics/usage")?.query ?? [])).toEqual({ from: "2026-11-06", to: "2026-12-05", interval: "day" });
    expect(await a11yFindings()).toEqual([]);

    fireEvent.click(screen.getByRole("radio", { name: "Week" }));
    await screen.findByRole("option", { name: "Acme" });
    fireEvent.change(screen.getByLabelText("Company"), { target: { value: "c1" } });
    await waitFor(() =>
      expect(Object.fromEntries(lastCallTo("/api/admin/analytics/usage")?.query ?? [])).toEqual({ from: "2026-11-06", to: "2026-12-05", interval: "week", companyId: "c1" }),
    );
    const csv = new URL(screen.getByRole("link", { name: "Download CSV of Platform usage" }).getAttribute("href") ?? "");
    expect(csv.searchParams.get("interval")).toBe("week");
    expect(csv.searchParams.get("companyId")).toBe("c1");
    expect(csv.searchParams.get("format")).toBe("csv");

    fireEvent.click(screen.getByRole("radio", { name: "Storage" }));
    expect(screen.getByRole("img", { name: /Storage per week by plan: 2026-12-01: Free 1 MB, Pro 3 MB/ })).toBeTruthy();
  });

  it("says plainly that there is no usage, or that it could not be loaded", async () => {
    gateway({ "GET /api/admin/analytics/usage": { series: [] }, "GET /api/admin/billing/accounts": ACCOUNTS });
    show(<AdminAnalyticsPage />, ADMIN);
    expect(await screen.findByText("No usage in this period")).toBeTruthy();

    gateway({ "GET /api/admin/analytics/usage": UNAVAILABLE, "GET /api/admin/billing/accounts": ACCOUNTS });
    fireEvent.click(screen.getByRole("radio", { name: "Month" }));
    expect((await screen.findByRole("alert")).textContent).toContain("We couldn't load the analytics. Try again.");
    expect(await a11yFindings()).toEqual([]);
  });

  it("still shows usage for every company when the companies' names cannot be read", async () => {
    gateway({ "GET /api/admin/analytics/usage": USAGE, "GET /api/admin/billing/accounts": UNAVAILABLE });
    show(<AdminAnalyticsPage />, ADMIN);

    expect(await screen.findByText("Companies could not be loaded; showing all of them.")).toBeTruthy();
    expect((screen.getByLabelText("Company") as HTMLSelectElement).disabled).toBe(true);
    const table = await screen.findByRole("table", { name: "Usage per day, company and plan" });
    expect(rowTexts(table)[1]).toBe("2026-12-01 Unnamed account Free 2 1 1 MB 1,200");
  });
});

// == the HR dashboard's counters ==============================================================================

describe("the HR dashboard's counters", () => {
  const LISTS = {
    "GET /api/templates": { items: [], total: 3, page: 1, limit: 1, totalPages: 3 },
    "GET /api/invitations/hr": (q: URLSearchParams) => ({ items: [], total: { pending: 4, in_progress: 2, completed: 7 }[q.get("status") ?? ""] ?? 13, page: 1, limit: 1, totalPages: 1 }),
  };

  it("come from the analytics of the last 30 days", async () => {
    gateway({ ...LISTS, "GET /api/analytics/overview": OVERVIEW });
    show(<HrDashboard />);

    const figures = await screen.findByRole("region", { name: "Figures" });
    await within(figures).findByText("50%");
    const tile = (label: string) => within(figures).getByText(label).closest("a") as HTMLElement;
    expect(tile("Invitations").textContent).toBe("Invitations10last 30 days");
    expect(tile("Completed").textContent).toBe("Completed5last 30 days");
    expect(tile("Completion rate").getAttribute("href")).toBe("/hr/analytics");
    expect(tile("Median time to decision").textContent).toContain("26 h");
    expect(Object.fromEntries(lastCallTo("/api/analytics/overview")?.query ?? [])).toEqual({ from: "2026-11-06", to: "2026-12-05" });
    // The invitation lists are not counted while the analytics answer.
    expect(calls.filter((c) => c.path === "/api/invitations/hr" && c.query.get("limit") === "1")).toEqual([]);
    expect(await a11yFindings()).toEqual([]);
  });

  it("fall back to counting the invitation lists, with a plain message, when the analytics are unavailable", async () => {
    gateway({ ...LISTS, "GET /api/analytics/overview": UNAVAILABLE });
    show(<HrDashboard />);

    const figures = await screen.findByRole("region", { name: "Figures" });
    const note = await within(figures).findByRole("status");
    expect(note.textContent).toContain("Hiring figures for the last 30 days are unavailable right now, so these are counted from your invitations.");
    expect(note.textContent).not.toMatch(/analytics upstream|503|ConnectError/);
    await within(figures).findByText("13");
    const tile = (label: string) => within(figures).getByText(label).closest("a") as HTMLElement;
    expect(tile("Pending").textContent).toContain("4");
    expect(tile("In progress").textContent).toContain("2");
    expect(tile("Completed").textContent).toBe("Completed7all time");
    expect(await a11yFindings()).toEqual([]);
  });
});
