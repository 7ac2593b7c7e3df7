import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import * as React from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import CandidateOutcome from "@/app/(app)/candidate/results/[id]/page";
import { BriefingScreen } from "@/components/interview/briefing";
import { ThankYou } from "@/components/interview/interview-runner";
import { ThinkCountdown, TimeLeft } from "@/components/interview/timers";
import { ToastProvider } from "@/components/ui/toast";
import { configureApi, setFetch } from "@/lib/api";
import { describeDuration, secondsUntil } from "@/lib/interview";
import type { Briefing, Invitation } from "@/lib/invitations";
import { a11yFindings } from "./a11y";

vi.mock("next/navigation", () => ({ useRouter: () => ({ replace: vi.fn(), push: vi.fn() }), usePathname: () => "/", useSearchParams: () => new URLSearchParams() }));

const BASE = "http://gateway.test";
let calls: string[] = [];

function gateway(answer: (key: string) => { status?: number; json: unknown } | undefined) {
  calls = [];
  setFetch(async (input, init) => {
    const key = `${init?.method ?? "GET"} ${new URL(String(input)).pathname}`;
    calls.push(key);
    const found = answer(key);
    if (!found) return new Response(JSON.stringify({ success: true }), { status: 200, headers: { "content-type": "application/json" } });
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

const briefing: Briefing = {
  invitationId: "i1",
  status: "pending",
  companyName: "Acme",
  templateTitle: "Support specialist",
  templateDescription: "First-line support in English.",
  expiresAt: "2030-01-20T23:59:59Z",
  questions: [
    { order: 1, type: "text", timeLimit: 120, thinkTime: 0 },
    { order: 2, type: "multiple_choice", timeLimit: 60, thinkTime: 0 },
  ],
  expectedDuration: 180,
  totalTimeLimit: 20,
  allowPause: false,
  retakesAllowed: 0,
  needsCamera: false,
  needsMicrophone: false,
  candidateFeedback: "decision_and_feedback",
  expectedReplyTime: "within 5 working days",
  graceSeconds: 10,
  notice: {
    version: "2026-12-05",
    hash: "a".repeat(64),
    paragraphs: [],
    companyName: "Acme",
    criteria: ["relevance", "clarity"],
    contactEmail: "jobs@acme.example",
  },
  consent: null,
};

beforeEach(() => configureApi(BASE));
afterEach(() => {
  setFetch((...args) => fetch(...args));
  vi.useRealTimers();
});
vi.setConfig({ testTimeout: 60_000 });

describe("the briefing", () => {
  it("tells the candidate the time, the rules and who decides, and starts only from its own button", async () => {
    gateway((key) => (key === "POST /api/invitations/i1/briefing" ? { json: briefing } : undefined));
    const started = vi.fn();
    show(<BriefingScreen invitationId="i1" stream={null} onStream={vi.fn()} onStarted={started} />);

    expect(await screen.findByRole("heading", { level: 1, name: "Support specialist" })).toBeTruthy();
    expect(screen.getByText(/2 questions, about 3 minutes in all/)).toBeTruthy();
    expect(screen.getByText(/you have 20 minutes in total/)).toBeTruthy();
    expect(screen.getByText(/a person at Acme reads or watches them and makes the decision/)).toBeTruthy();
    expect(screen.getByText(/with a few words of feedback/)).toBeTruthy();
    // Nothing is recorded here, so no device check and no practice.
    expect(screen.queryByText(/Check your camera/)).toBeNull();
    expect(screen.queryByText(/Practice/)).toBeNull();
    expect(calls).toEqual(["POST /api/invitations/i1/briefing"]);
    expect(await a11yFindings()).toEqual([]);

    // Starting needs the AI-use notice accepted.
    expect((screen.getByRole("button", { name: "Start interview" }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByRole("checkbox", { name: /I have read this notice/ }));
    fireEvent.click(screen.getByRole("button", { name: "Start interview" }));
    await waitFor(() => expect(started).toHaveBeenCalled());
    expect(calls).toContain("POST /api/invitations/i1/start");
  });

  it("asks for the devices before starting when the interview records video", async () => {
    gateway((key) => (key === "POST /api/invitations/i1/briefing" ? { json: { ...briefing, needsCamera: true, needsMicrophone: true } } : undefined));
    show(<BriefingScreen invitationId="i1" stream={null} onStream={vi.fn()} onStarted={vi.fn()} />);

    expect(await screen.findByRole("button", { name: "Check camera and microphone" })).toBeTruthy();
    expect((screen.getByRole("button", { name: "Start interview" }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText("Check your devices first.")).toBeTruthy();
    expect(await a11yFindings()).toEqual([]);
  });

  it("says plainly when the interview cannot be opened", async () => {
    gateway(() => ({ status: 409, json: { success: false, statusCode: 409, code: "INVALID_INVITATION_STATE", error: "This invitation was withdrawn" } }));
    show(<BriefingScreen invitationId="i1" stream={null} onStream={vi.fn()} onStarted={vi.fn()} />);

    expect(await screen.findByText("Could not open this interview")).toBeTruthy();
    expect(screen.getByText(/This invitation was withdrawn/)).toBeTruthy();
  });
});

describe("the timers", () => {
  it("count down to the server's instant with one wording, warning in the last ten seconds", async () => {
    const now = Date.parse("2030-01-15T09:00:00Z");
    const { rerender } = render(<TimeLeft until="2030-01-15T09:01:05Z" now={now} />);
    expect(screen.getByRole("timer").textContent).toBe("Time left: 1:05");
    expect(screen.queryByRole("status")).toBeNull();

    rerender(<TimeLeft until="2030-01-15T09:01:05Z" now={now + 58_000} />);
    expect(screen.getByRole("timer").textContent).toBe("Time left: 0:07");
    expect(screen.getByRole("status").textContent).toBe("Ten seconds left");
    expect(await a11yFindings()).toEqual([]);

    rerender(<TimeLeft until="2030-01-15T09:01:05Z" now={now + 90_000} />);
    expect(screen.getByRole("timer").textContent).toBe("Time left: 0:00");
    expect(screen.getByRole("status").textContent).toBe("Time is up");
  });

  it("start recording when the think time ends, or earlier when the candidate asks", async () => {
    const now = Date.parse("2030-01-15T09:00:00Z");
    const done = vi.fn();
    const { rerender } = render(<ThinkCountdown until="2030-01-15T09:00:30Z" now={now} onDone={done} canStart />);
    expect(screen.getByRole("timer").textContent).toBe("0:30");
    expect(done).not.toHaveBeenCalled();
    expect(await a11yFindings()).toEqual([]);

    rerender(<ThinkCountdown until="2030-01-15T09:00:30Z" now={now + 30_000} onDone={done} canStart />);
    expect(done).toHaveBeenCalledTimes(1);
    rerender(<ThinkCountdown until="2030-01-15T09:00:30Z" now={now + 31_000} onDone={done} canStart />);
    expect(done).toHaveBeenCalledTimes(1);

    const early = vi.fn();
    render(<ThinkCountdown until="2030-01-15T09:00:30Z" now={now} onDone={early} canStart />);
    act(() => fireEvent.click(screen.getAllByRole("button", { name: "Start recording now" })[1]));
    expect(early).toHaveBeenCalledTimes(1);
  });

  it("read durations and instants as the briefing and countdowns need them", () => {
    expect(describeDuration(45)).toBe("45 seconds");
    expect(describeDuration(180)).toBe("3 minutes");
    expect(describeDuration(5400)).toBe("1 hour 30 minutes");
    expect(secondsUntil("2030-01-15T09:00:10Z", Date.parse("2030-01-15T09:00:00.500Z"))).toBe(10);
    expect(secondsUntil("2030-01-15T09:00:10Z", Date.parse("2030-01-15T09:01:00Z"))).toBe(0);
  });
});

const completed: Invitation = {
  id: "i1",
  templateId: "t1",
  candidateId: "c1",
  companyName: "Acme",
  invitedBy: "h1",
  status: "completed",
  allowPause: true,
  showTimer: true,
  expiresAt: "2030-01-20T23:59:59Z",
  completedAt: "2030-01-15T10:00:00Z",
  progress: { answered: 2, total: 2, percentage: 100 },
  responses: [],
  createdAt: "2030-01-14T10:00:00Z",
  updatedAt: "2030-01-15T10:00:00Z",
  templateTitle: "Support specialist",
  templateSettings: { candidateFeedback: "decision", expectedReplyTime: "within 5 working days" },
};

describe("what a candidate sees after finishing", () => {
  it("says what happens next with the company's expected reply time", async () => {
    show(<ThankYou invitation={completed} />);
    expect(screen.getByRole("heading", { name: "What happens next" })).toBeTruthy();
    expect(screen.getByText("Acme expects to reply within 5 working days.")).toBeTruthy();
    expect(screen.getByText("You will see their decision here.")).toBeTruthy();
    expect(await a11yFindings()).toEqual([]);
  });

  it("shows the decision and the company's feedback, never a score or a verdict, and never asks for the analysis", async () => {
    gateway((key) =>
      key === "GET /api/invitations/i1" ? { json: { ...completed, decision: "rejected", decisionAt: "2030-01-16T10:00:00Z", candidateFeedback: "We chose a more senior profile." } } : undefined,
    );
    const params = Promise.resolve({ id: "i1" });
    await act(async () => {
      show(
        <React.Suspense fallback={null}>
          <CandidateOutcome params={params} />
        </React.Suspense>,
      );
    });

    expect(await screen.findByText("Not selected")).toBeTruthy();
    expect(screen.getByText(/We chose a more senior profile\./)).toBeTruthy();
    expect(document.body.textContent).not.toMatch(/score|Worth considering|Not recommended|Areas to improve/i);
    expect(calls.every((c) => !c.includes("/api/analysis"))).toBe(true);
    expect(await a11yFindings()).toEqual([]);
  });
});
