import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import * as React from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TeamReview } from "@/components/hr/review/team-review";
import { CalibrationView, reviewerLabels } from "@/components/templates/calibration";
import { RubricEditor } from "@/components/templates/rubric-editor";
import { ToastProvider } from "@/components/ui/toast";
import { configureApi, setFetch } from "@/lib/api";
import type { ReviewBoard } from "@/lib/reviews";
import { rubricErrors, weightShares, weightedRating, type Calibration, type Criterion, type Rubric } from "@/lib/rubrics";
import { a11yFindings } from "./a11y";

// A generous ceiling, not a threshold: axe over a whole form is slow on a loaded machine.
vi.setConfig({ testTimeout: 60_000 });

const BASE = "http://gateway.test";
beforeEach(() => configureApi(BASE));
afterEach(() => setFetch((...args) => fetch(...args)));

type Call = { method: string; path: string; body: unknown };
type Answer = unknown | ((call: Call) => { status: number; body: unknown });

/** A gateway stand-in: answers by "METHOD path" (a value, or a function of the call) and records every call. */
function gateway(routes: Record<string, Answer>): Call[] {
  const calls: Call[] = [];
  setFetch(async (input, init) => {
    const url = new URL(String(input));
    const call = { method: init?.method ?? "GET", path: url.pathname, body: init?.body ? JSON.parse(String(init.body)) : undefined };
    calls.push(call);
    const answer = routes[`${call.method} ${call.path}`];
    if (answer === undefined) return new Response(JSON.stringify({ code: "NOT_FOUND", error: "Not found" }), { status: 404 });
    const { status, body } = typeof answer === "function" ? answer(call) : { status: 200, body: answer };
    return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
  });
  return calls;
}

function renderWithClient(ui: React.ReactElement) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <ToastProvider>{ui}</ToastProvider>
    </QueryClientProvider>,
  );
}

const STORY: Criterion = { name: "Story", weight: 2, good: "Situation, action, result", poor: "Vague" };
const OWNERSHIP: Criterion = { name: "Ownership", weight: 1, good: "Says what they did", poor: "Only 'we'" };

describe("rubric checks", () => {
  it("name each missing or duplicate field like the service does, and weigh criteria as shares of the score", () => {
    expect(rubricErrors([STORY, OWNERSHIP])).toEqual({});
    expect(rubricErrors([STORY, { ...OWNERSHIP, name: " story ", weight: 0, good: "" }])).toEqual({
      "criteria.1.name": "Each criterion needs its own name",
      "criteria.1.weight": "A weight above 0, at most 100",
      "criteria.1.good": "Say what a good answer looks like",
    });
    expect(rubricErrors(Array.from({ length: 9 }, (_, i) => ({ ...STORY, name: `C${i}` }))).criteria).toBe("At most 8 criteria");
    expect(weightShares([STORY, OWNERSHIP])).toEqual([67, 33]);
    expect(weightedRating({ Story: 5, Ownership: 2 }, [STORY, OWNERSHIP])).toBe(4);
    expect(weightedRating({}, [STORY])).toBeNull();
  });
});

const rubric = (criteria?: Criterion[]): Rubric => ({
  templateId: "t1",
  criteria,
  blindToAi: false,
  questions: [{ questionId: "q1", order: 1, text: "Tell us about an incident.", effective: criteria }],
});

describe("the rubric editor", () => {
  it("adds criteria, refuses an incomplete one before saving, saves the rubric and stays axe-clean", async () => {
    const calls = gateway({
      "GET /api/templates/t1/rubric": rubric(),
      "PUT /api/templates/t1/rubric": (call: Call) => ({ status: 200, body: rubric((call.body as { criteria: Criterion[] }).criteria) }),
    });
    renderWithClient(<RubricEditor templateId="t1" editable />);
    const group = await screen.findByRole("group", { name: "Criteria for every question" });
    fireEvent.click(within(group).getByRole("button", { name: /Add criterion/ }));
    fireEvent.change(within(group).getByLabelText("Name"), { target: { value: "Story" } });
    fireEvent.click(within(group).getByRole("button", { name: "Save criteria" }));
    expect(await within(group).findByText("Say what a good answer looks like")).toBeTruthy();
    expect(calls.filter((c) => c.method === "PUT")).toHaveLength(0);

    fireEvent.change(within(group).getByLabelText("A good answer"), { target: { value: "Situation, action, result" } });
    fireEvent.change(within(group).getByLabelText("A poor answer"), { target: { value: "Vague" } });
    fireEvent.change(within(group).getByLabelText("Weight"), { target: { value: "2" } });
    fireEvent.click(within(group).getByRole("button", { name: "Save criteria" }));
    await waitFor(() => expect(calls.some((c) => c.method === "PUT")).toBe(true));
    expect(calls.find((c) => c.method === "PUT")?.body).toEqual({ criteria: [{ name: "Story", weight: 2, good: "Situation, action, result", poor: "Vague" }] });
    expect(await screen.findByRole("button", { name: "Remove the rubric" })).toBeTruthy();
    expect(await a11yFindings()).toEqual([]);
  });

  it("shows the server's field errors in plain words when it refuses", async () => {
    gateway({
      "GET /api/templates/t1/rubric": rubric([STORY]),
      "PUT /api/templates/t1/rubric": () => ({
        status: 422,
        body: { statusCode: 422, code: "INVALID_TEMPLATE_STATE", error: "Cannot change the rubric of template in active state" },
      }),
    });
    renderWithClient(<RubricEditor templateId="t1" editable />);
    const group = await screen.findByRole("group", { name: "Criteria for every question" });
    fireEvent.click(within(group).getByRole("button", { name: "Save criteria" }));
    expect(await screen.findByText("The rubric was not saved")).toBeTruthy();
  });

  it("is read-only for a published template", async () => {
    gateway({ "GET /api/templates/t1/rubric": rubric([STORY, OWNERSHIP]) });
    renderWithClient(<RubricEditor templateId="t1" editable={false} />);
    const list = await screen.findByRole("list", { name: "Criteria for every question" });
    expect(within(list).getByText(/weight 2 \(67%\)/)).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Save criteria" })).toBeNull();
    expect(await a11yFindings()).toEqual([]);
  });
});

describe("blind review on rubric criteria", () => {
  it("rates each criterion, hides the AI and teammates until submitted, then shows everything side by side", async () => {
    let submitted = false;
    const before: ReviewBoard = {
      invitationId: "i1",
      stage: "new",
      others: [],
      othersHidden: 1,
      rubric: [{ questionId: "q1", criteria: [STORY, OWNERSHIP] }],
      aiHidden: true,
    };
    const after = (): ReviewBoard => ({
      ...before,
      othersHidden: 0,
      aiHidden: false,
      mine: { reviewerId: "me", ratings: { q1: 4 }, criteriaRatings: { q1: { Story: 5, Ownership: 2 } }, submittedAt: "2026-12-05T04:00:00Z", updatedAt: "2026-12-05T04:00:00Z" },
      others: [{ reviewerId: "t", ratings: { q1: 3 }, criteriaRatings: { q1: { Story: 3, Ownership: 3 } }, submittedAt: "2026-12-05T03:00:00Z", updatedAt: "2026-12-05T03:00:00Z" }],
      ai: { score: 72, criteria: { Story: 80, Ownership: 55 } },
    });
    const calls = gateway({
      "GET /api/reviews/i1": () => ({ status: 200, body: submitted ? after() : before }),
      "PUT /api/reviews/i1/mine": { reviewerId: "me", ratings: {}, updatedAt: "2026-12-05T04:00:00Z" },
      "POST /api/reviews/i1/mine/submit": () => {
        submitted = true;
        return { status: 200, body: {} };
      },
    });
    renderWithClient(<TeamReview invitationId="i1" questions={[{ id: "q1", order: 1, text: "Tell us about an incident." }]} />);
    expect(await screen.findByText(/Rate this interview first/)).toBeTruthy();
    expect(screen.getByText(/Submit your review to see theirs/)).toBeTruthy();
    expect(screen.queryByRole("table")).toBeNull();

    const story = screen.getByRole("group", { name: "Story (weight 2)" });
    fireEvent.click(within(story).getByLabelText("5 of 5"));
    const ownership = screen.getByRole("group", { name: "Ownership (weight 1)" });
    fireEvent.click(within(ownership).getByLabelText("2 of 5"));
    expect(await a11yFindings()).toEqual([]);
    fireEvent.click(screen.getByRole("button", { name: "Submit review" }));

    await waitFor(() => expect(calls.find((c) => c.method === "PUT")?.body).toEqual({ ratings: {}, criteriaRatings: { q1: { Story: 5, Ownership: 2 } }, note: null }));
    const table = await screen.findByRole("table");
    const rows = within(table).getAllByRole("row").map((r) => r.textContent);
    expect(rows).toEqual(["Rated onYouTeammate 1AI", "Q1 · Story5380", "Q1 · Ownership2355"]);
    expect(screen.getByText(/its overall score is 72\/100/)).toBeTruthy();
    expect(await a11yFindings()).toEqual([]);
  });
});

const calibration: Calibration = {
  templateId: "t1",
  interviewsRated: 7,
  minInterviews: 5,
  aiMapping: "AI score 0-19 is 1, 20-39 is 2, 40-59 is 3, 60-79 is 4, 80-100 is 5",
  team: { kappa: null, icc: 0.91, interviews: 6, reading: "almost perfect agreement" },
  pairs: [{ reviewerA: "me", reviewerB: "t", kappa: 0.873, icc: 0.9, interviews: 6, reading: "almost perfect agreement" }],
  ai: [
    { reviewer: "me", kappa: 1, icc: 1, interviews: 7, reading: "almost perfect agreement" },
    { reviewer: "t", kappa: 0.2, icc: 0.3, interviews: 3, reading: "too few interviews to tell" },
  ],
};

describe("the calibration view", () => {
  it("names reviewers in words, gives each figure with its interviews and reading, and stays axe-clean", async () => {
    expect([...reviewerLabels(calibration, ["me"]).values()]).toEqual(["You", "Reviewer 1"]);
    render(<CalibrationView calibration={calibration} myIds={["me"]} />);
    const pairs = screen.getByRole("table", { name: "Between reviewers" });
    expect(within(pairs).getByRole("rowheader", { name: "You and Reviewer 1" })).toBeTruthy();
    expect(within(pairs).getByText("0.87")).toBeTruthy();
    expect(screen.getAllByText("Too few interviews to tell.").length).toBeGreaterThan(0);
    expect(screen.getByText("0.91")).toBeTruthy();
    expect(screen.queryByText(/\bme\b/)).toBeNull();
    expect(await a11yFindings()).toEqual([]);
  });

  it("says so when nobody has rated yet", () => {
    render(<CalibrationView calibration={{ ...calibration, interviewsRated: 0, pairs: [], ai: [] }} myIds={[]} />);
    expect(screen.getByText("No ratings yet")).toBeTruthy();
  });
});
