import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import * as React from "react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CandidateReport } from "@/components/hr/review/report";
import { ReviewList } from "@/components/hr/review/review-list";
import { TeamReview } from "@/components/hr/review/team-review";
import { SharedInterviewView } from "@/components/shared/shared-interview";
import { ToastProvider } from "@/components/ui/toast";
import { ApiError, configureApi, setFetch } from "@/lib/api";
import type { Analysis } from "@/lib/analysis";
import type { Invitation } from "@/lib/invitations";
import { meanRating, sharedError, stageError, type ReviewBoard, type ReviewListItem } from "@/lib/reviews";
import { a11yFindings } from "./a11y";

const BASE = "http://gateway.test";
beforeEach(() => configureApi(BASE));
afterEach(() => setFetch((...args) => fetch(...args)));

type Call = { method: string; url: URL; body: unknown };

/** A gateway stand-in: answers by "METHOD path" and records every call. */
function gateway(routes: Record<string, unknown>): Call[] {
  const calls: Call[] = [];
  setFetch(async (input, init) => {
    const url = new URL(String(input));
    const method = init?.method ?? "GET";
    calls.push({ method, url, body: init?.body ? JSON.parse(String(init.body)) : undefined });
    const answer = routes[`${method} ${url.pathname}`];
    if (answer === undefined) return new Response(JSON.stringify({ code: "NOT_FOUND", error: "Not found" }), { status: 404 });
    return new Response(JSON.stringify(answer), { status: 200, headers: { "Content-Type": "application/json" } });
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

const item = (id: string, name: string, score: number): ReviewListItem => ({
  id,
  templateId: "t1",
  templateTitle: "Backend engineer",
  candidateName: name,
  candidateEmail: `${name.toLowerCase()}@example.com`,
  completedAt: "2026-11-29T10:00:00Z",
  score,
  stage: "new",
  reviews: 0,
});

const page = (items: ReviewListItem[]) => ({ items, total: items.length, page: 1, limit: 20, totalPages: 1 });

describe("the review list", () => {
  it("asks the server to sort and filter, moves the selected candidates in bulk, and stays axe-clean", async () => {
    const calls = gateway({
      "GET /api/reviews": page([item("a", "Ada", 91), item("b", "Bob", 40)]),
      "GET /api/templates": { items: [{ id: "t1", title: "Backend engineer" }], total: 1, page: 1, limit: 100, totalPages: 1 },
      "POST /api/reviews/stage": { stage: "shortlisted", changed: 2 },
    });
    renderWithClient(<ReviewList />);
    const table = await screen.findByRole("table", { name: "Completed interviews" });
    expect(within(table).getAllByRole("row")).toHaveLength(3);

    fireEvent.change(screen.getByLabelText("Sort by"), { target: { value: "score:desc" } });
    await waitFor(() => expect(calls.some((c) => c.url.searchParams.get("sort") === "score" && c.url.searchParams.get("order") === "desc")).toBe(true));
    fireEvent.change(screen.getByLabelText("Stage"), { target: { value: "shortlisted" } });
    await waitFor(() => expect(calls.some((c) => c.url.searchParams.get("stage") === "shortlisted")).toBe(true));

    // The list is back after the filter: select both (the table's boxes) and move them.
    await screen.findByRole("table", { name: "Completed interviews" });
    for (const box of within(screen.getByRole("table", { name: "Completed interviews" })).getAllByRole("checkbox")) fireEvent.click(box);
    expect(screen.getByText("2 selected")).toBeTruthy();
    expect(screen.getByRole("link", { name: "Compare 2" }).getAttribute("href")).toBe("/hr/review/compare?id=a&id=b");
    fireEvent.click(screen.getByRole("button", { name: "Move" }));
    await waitFor(() => expect(calls.find((c) => c.method === "POST")?.body).toEqual({ invitationIds: ["a", "b"], stage: "shortlisted" }));
    expect(await screen.findByText("2 moved to Shortlisted")).toBeTruthy();
    expect(await a11yFindings()).toEqual([]);
  });

  it("asks for a note before a bulk rejection and exports only once an interview is chosen", async () => {
    gateway({ "GET /api/reviews": page([item("a", "Ada", 91)]), "GET /api/templates": page([]) });
    renderWithClient(<ReviewList />);
    await screen.findByRole("table", { name: "Completed interviews" });
    expect((screen.getByRole("button", { name: "Export CSV" }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(within(screen.getByRole("table", { name: "Completed interviews" })).getByRole("checkbox"));
    fireEvent.change(screen.getByLabelText("Move to"), { target: { value: "rejected" } });
    expect((screen.getByRole("button", { name: "Move" }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(screen.getByLabelText("Note for your team (required)"), { target: { value: "Too junior" } });
    expect((screen.getByRole("button", { name: "Move" }) as HTMLButtonElement).disabled).toBe(false);
  });
});

const questions = [
  { id: "q1", order: 1, text: "Describe an incident." },
  { id: "q2", order: 2, text: "Which method is idempotent?" },
];

describe("the team review", () => {
  it("keeps teammates' reviews hidden until the reviewer submits, then saves and submits the ratings and note", async () => {
    const board: ReviewBoard = { invitationId: "inv-1", stage: "new", others: [], othersHidden: 1 };
    const calls = gateway({
      "GET /api/reviews/inv-1": board,
      "PUT /api/reviews/inv-1/mine": { reviewerId: "me", ratings: {}, updatedAt: "2026-11-29T10:00:00Z" },
      "POST /api/reviews/inv-1/mine/submit": { reviewerId: "me", ratings: {}, updatedAt: "2026-11-29T10:00:00Z" },
    });
    renderWithClient(<TeamReview invitationId="inv-1" questions={questions} />);
    expect(await screen.findByText("1 teammate has reviewed. Submit your review to see theirs.")).toBeTruthy();
    expect((screen.getByRole("button", { name: "Submit review" }) as HTMLButtonElement).disabled).toBe(true);

    const first = screen.getByRole("group", { name: "Question 1: Describe an incident." });
    fireEvent.click(within(first).getByRole("radio", { name: "4 of 5" }));
    fireEvent.change(screen.getByLabelText("Private note"), { target: { value: "Ask @sam about on-call" } });
    fireEvent.click(screen.getByRole("button", { name: "Submit review" }));
    await waitFor(() => expect(calls.map((c) => `${c.method} ${c.url.pathname}`)).toContain("POST /api/reviews/inv-1/mine/submit"));
    expect(calls.find((c) => c.method === "PUT")?.body).toEqual({ ratings: { q1: 4 }, note: "Ask @sam about on-call" });
    expect(await a11yFindings()).toEqual([]);
  });

  it("shows teammates' ratings and notes once they may be seen", async () => {
    gateway({
      "GET /api/reviews/inv-1": {
        invitationId: "inv-1",
        stage: "shortlisted",
        mine: { reviewerId: "me", ratings: { q1: 3 }, submittedAt: "2026-11-29T10:00:00Z", updatedAt: "2026-11-29T10:00:00Z" },
        others: [{ reviewerId: "sam", ratings: { q1: 5, q2: 4 }, note: "Strong", submittedAt: "2026-11-29T11:00:00Z", updatedAt: "2026-11-29T11:00:00Z" }],
        othersHidden: 0,
      } satisfies ReviewBoard,
    });
    renderWithClient(<TeamReview invitationId="inv-1" questions={questions} />);
    expect(await screen.findByText("Teammate 1 · 4.5 / 5")).toBeTruthy();
    expect(screen.getByText("Q1: 5 · Q2: 4")).toBeTruthy();
    expect(screen.getByText("Strong")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Update review" })).toBeTruthy();
  });
});

describe("words", () => {
  it("explains refusals in plain words, without codes", () => {
    expect(sharedError(new ApiError(410, "SHARE_LINK_EXPIRED", "x"))).toBe("This link has expired. Ask the person who shared it for a new one.");
    expect(sharedError(new ApiError(410, "SHARE_LINK_REVOKED", "x"))).toBe("This link was withdrawn by the company that shared it.");
    expect(sharedError(new ApiError(404, "SHARE_LINK_NOT_FOUND", "x"))).toMatch(/not valid/);
    expect(stageError(new ApiError(409, "STAGE_CHANGE_REFUSED", "x"))).toMatch(/nothing was changed/);
    expect(meanRating({ a: 4, b: 5 })).toBe(4.5);
    expect(meanRating({})).toBeNull();
  });
});

describe("the shared interview and the printable report", () => {
  it("shows a shared interview read-only and axe-clean", async () => {
    render(
      <SharedInterviewView
        interview={{
          candidateName: "Ada",
          templateTitle: "Backend engineer",
          companyName: "Acme",
          completedAt: "2026-11-29T10:00:00Z",
          score: 77,
          stage: "next_round",
          expiresAt: "2026-12-06T10:00:00Z",
          answers: [
            { questionId: "q2", order: 2, question: "Which method?", type: "multiple_choice", responseType: "text", answer: "PUT", duration: 5 },
            { questionId: "q1", order: 1, question: "Tell us.", type: "video", responseType: "video", duration: 75 },
          ],
        }}
      />,
    );
    expect(screen.getByRole("heading", { level: 1, name: "Ada" })).toBeTruthy();
    expect(screen.getAllByRole("heading", { level: 2 }).map((h) => h.textContent)).toEqual(["Question 1: Tell us.", "Question 2: Which method?"]);
    expect(screen.getByText(/A recorded answer of 1:15/)).toBeTruthy();
    expect(screen.getByText("Next round")).toBeTruthy();
    expect(screen.queryByRole("button")).toBeNull();
    expect(await a11yFindings()).toEqual([]);
  });

  it("prints each criterion's evidence quote with its timestamp", async () => {
    const invitation = {
      id: "inv-1",
      templateId: "t1",
      templateTitle: "Backend engineer",
      candidateId: "c1",
      companyName: "Acme",
      invitedBy: "hr1",
      status: "completed",
      allowPause: true,
      showTimer: true,
      expiresAt: "2026-12-06T00:00:00Z",
      completedAt: "2026-11-29T10:00:00Z",
      progress: { answered: 1, total: 1, percentage: 100 },
      questions: [{ id: "q1", order: 1, text: "Tell us about an incident.", type: "video" }],
      responses: [],
      decision: null,
      createdAt: "2026-11-29T00:00:00Z",
      updatedAt: "2026-11-29T00:00:00Z",
    } as unknown as Invitation;
    const analysis = {
      overallScore: 72,
      engine: "llm",
      summary: "Solid.",
      questionAnalyses: [
        {
          questionId: "q1",
          score: 72,
          responseText: "We rolled back the migration.",
          feedback: "Clear.",
          criteriaScores: [{ criterion: "problem_solving", score: 80, weight: 1, evidence: "rolled back the migration", evidenceStatus: "verified", evidenceStartS: 64 }],
        },
      ],
    } as unknown as Analysis;
    render(<CandidateReport candidate="Ada" invitation={invitation} analysis={analysis} board={{ invitationId: "inv-1", stage: "selected", others: [], othersHidden: 0 }} />);
    const row = screen.getByRole("row", { name: /problem solving/i });
    expect(row.textContent).toContain("“rolled back the migration” at 1:04");
    expect(screen.getByText("72 / 100")).toBeTruthy();
    expect(screen.getByText("Selected")).toBeTruthy();
    expect(await a11yFindings()).toEqual([]);
  });
});
