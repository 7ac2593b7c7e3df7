import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BriefingScreen } from "@/components/interview/briefing";
import { configureApi, setFetch } from "@/lib/api";
import type { Briefing } from "@/lib/invitations";
import { a11yFindings } from "./a11y";

vi.mock("next/navigation", () => ({ useRouter: () => ({ replace: vi.fn(), push: vi.fn() }), usePathname: () => "/", useSearchParams: () => new URLSearchParams() }));
vi.setConfig({ testTimeout: 60_000 });

type Call = { key: string; body: unknown };
let calls: Call[] = [];

function gateway(answer: (call: Call) => { status?: number; json: unknown }) {
  calls = [];
  setFetch(async (input, init) => {
    const call = { key: `${init?.method ?? "GET"} ${new URL(String(input)).pathname}`, body: init?.body ? JSON.parse(String(init.body)) : undefined };
    calls.push(call);
    const { status, json } = answer(call);
    return new Response(JSON.stringify(json), { status: status ?? 200, headers: { "content-type": "application/json" } });
  });
}

const briefing: Briefing = {
  invitationId: "i1",
  status: "pending",
  companyName: "Acme",
  templateTitle: "Support specialist",
  templateDescription: "",
  expiresAt: "2030-01-20T23:59:59Z",
  questions: [{ order: 1, type: "text", timeLimit: 120, thinkTime: 0 }],
  expectedDuration: 120,
  totalTimeLimit: null,
  allowPause: true,
  retakesAllowed: 0,
  needsCamera: false,
  needsMicrophone: false,
  candidateFeedback: "decision",
  expectedReplyTime: null,
  graceSeconds: 10,
  notice: {
    version: "2026-12-05",
    hash: "b".repeat(64),
    paragraphs: [],
    companyName: "Acme",
    criteria: ["empathy", "accuracy"],
    retentionDays: 90,
    contactEmail: "jobs@acme.example",
  },
  consent: null,
};

function show() {
  const started = vi.fn();
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <BriefingScreen invitationId="i1" stream={null} onStream={vi.fn()} onStarted={started} />
    </QueryClientProvider>,
  );
  return started;
}

beforeEach(() => configureApi("http://gateway.test"));
afterEach(() => setFetch((...args) => fetch(...args)));

describe("the AI-use notice on the briefing", () => {
  it("names the company, the rubric's criteria, the human decision, retention and a contact, and starts only once accepted", async () => {
    gateway(() => ({ json: briefing }));
    const started = show();

    expect(await screen.findByRole("heading", { name: "How your answers are used" })).toBeTruthy();
    expect(screen.getByText(/scores them on these criteria: empathy, accuracy\./)).toBeTruthy();
    expect(screen.getByText(/The AI does not decide\. A person at Acme reviews your answers/)).toBeTruthy();
    expect(screen.getByText(/kept for 90 days after the decision, then deleted/)).toBeTruthy();
    expect(screen.getByRole("link", { name: "jobs@acme.example" }).getAttribute("href")).toBe("mailto:jobs@acme.example");
    expect(screen.getByText("Notice version 2026-12-05")).toBeTruthy();
    const start = screen.getByRole("button", { name: "Start interview" }) as HTMLButtonElement;
    expect(start.disabled).toBe(true);
    expect(screen.getByText("Accept the notice above to start.")).toBeTruthy();
    expect(await a11yFindings()).toEqual([]);

    fireEvent.click(screen.getByRole("checkbox", { name: /I have read this notice/ }));
    fireEvent.click(screen.getByRole("checkbox", { name: /I ask for a human-only review/ }));
    fireEvent.click(start);

    await waitFor(() => expect(started).toHaveBeenCalled());
    expect(calls.map((c) => c.key)).toEqual([
      "POST /api/invitations/i1/briefing",
      "POST /api/invitations/i1/briefing",
      "POST /api/invitations/i1/start",
    ]);
    expect(calls[1].body).toEqual({
      consent: { accepted: true, noticeVersion: "2026-12-05", noticeHash: "b".repeat(64), humanReviewRequested: true },
    });
  });

  it("says so in plain words when the notice changed meanwhile, and shows it again to accept", async () => {
    gateway((call) =>
      (call.body as { consent?: unknown } | undefined)?.consent
        ? { status: 409, json: { success: false, statusCode: 409, code: "NOTICE_OUTDATED", error: "The notice has changed" } }
        : { json: briefing },
    );
    const started = show();

    fireEvent.click(await screen.findByRole("checkbox", { name: /I have read this notice/ }));
    fireEvent.click(screen.getByRole("button", { name: "Start interview" }));

    expect(await screen.findByText("The notice changed while this page was open. Please read it again and accept it.")).toBeTruthy();
    expect(started).not.toHaveBeenCalled();
    expect((screen.getByRole("checkbox", { name: /I have read this notice/ }) as HTMLInputElement).checked).toBe(false);
    expect(calls.filter((c) => c.key.endsWith("/start"))).toEqual([]);
  });

  it("keeps an earlier acceptance (a reload) and falls back to a plain retention sentence", async () => {
    const accepted = {
      ...briefing,
      notice: { ...briefing.notice, retentionDays: null, contactEmail: null },
      consent: { noticeVersion: "2026-12-05", noticeHash: "b".repeat(64), acceptedAt: "2030-01-15T09:00:00Z", humanReviewRequested: true },
    };
    gateway(() => ({ json: accepted }));
    show();

    expect(await screen.findByText(/kept until Acme deletes them or you ask for them to be deleted/)).toBeTruthy();
    expect(screen.getByText(/reply to Acme's invitation/)).toBeTruthy();
    expect((screen.getByRole("checkbox", { name: /I have read this notice/ }) as HTMLInputElement).checked).toBe(true);
    expect((screen.getByRole("checkbox", { name: /I ask for a human-only review/ }) as HTMLInputElement).checked).toBe(true);
    expect((screen.getByRole("button", { name: "Start interview" }) as HTMLButtonElement).disabled).toBe(false);
  });
});
