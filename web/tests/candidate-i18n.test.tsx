import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import CandidateDashboard from "@/app/(app)/candidate/dashboard/page";
import { BriefingScreen } from "@/components/interview/briefing";
import { configureApi, setFetch } from "@/lib/api";
import { invitationKeys, type Briefing, type InvitationListItem } from "@/lib/invitations";
import { profileKeys, type Me } from "@/lib/profile";
import { a11yFindings } from "./a11y";

vi.setConfig({ testTimeout: 60_000 });

const FUTURE = new Date(Date.now() + 7 * 86_400_000).toISOString();

function invitation(over: Partial<InvitationListItem>): InvitationListItem {
  return {
    id: "inv-1",
    templateId: "t1",
    templateTitle: "Support Agent",
    candidateId: "c1",
    companyName: "Acme",
    status: "pending",
    allowPause: true,
    expiresAt: FUTURE,
    progress: { answered: 0, total: 3, percentage: 0 },
    createdAt: new Date().toISOString(),
    ...over,
  } as InvitationListItem;
}

function renderDashboard(language: string, items: InvitationListItem[]) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
  client.setQueryData(profileKeys.me, { id: "c1", email: "c@example.com", firstName: "C", lastName: "D", role: "candidate", language } as Me);
  client.setQueryData(invitationKeys.candidate, { items, total: items.length, page: 1, limit: 100, totalPages: 1 });
  return render(
    <QueryClientProvider client={client}>
      <CandidateDashboard />
    </QueryClientProvider>,
  );
}

describe("the candidate's interviews in the profile's language", () => {
  it("are in German for a German profile, with counts, badges, progress and actions, and axe clean", async () => {
    renderDashboard("de", [
      invitation({}),
      invitation({ id: "inv-2", status: "completed", decision: "rejected", progress: { answered: 3, total: 3, percentage: 100 } }),
    ]);
    expect(screen.getByRole("heading", { name: "Meine Interviews" })).toBeTruthy();
    expect(screen.getByRole("link", { name: /Interview starten/ }).getAttribute("href")).toBe("/interview/inv-1");
    expect(screen.getByRole("link", { name: /Ergebnis ansehen/ })).toBeTruthy();
    expect(screen.getByText("Nicht ausgewählt")).toBeTruthy();
    expect(screen.getByText("3/3 beantwortet")).toBeTruthy();
    expect(screen.getAllByText("Abgeschlossen").length).toBeGreaterThan(0);
    expect(screen.queryByText("Start interview")).toBeNull();
    expect(await a11yFindings()).toEqual([]);
  });

  it("stay English for an English profile", () => {
    renderDashboard("en", [invitation({})]);
    expect(screen.getByRole("heading", { name: "My interviews" })).toBeTruthy();
    expect(screen.getByRole("link", { name: /Start interview/ })).toBeTruthy();
  });
});

describe("the briefing in the language of the profile already loaded", () => {
  afterEach(() => setFetch((...args) => fetch(...args)));

  it("is in German without asking the server for the profile again", async () => {
    const calls: string[] = [];
    configureApi("http://gateway.test");
    const briefing = {
      invitationId: "i1",
      status: "pending",
      companyName: "Acme",
      templateTitle: "Support specialist",
      templateDescription: null,
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
      notice: { version: "v1", hash: "0".repeat(64), paragraphs: [], companyName: "Acme", criteria: ["clarity"] },
      consent: null,
    } as unknown as Briefing;
    setFetch(async (input, init) => {
      calls.push(`${init?.method ?? "GET"} ${new URL(String(input)).pathname}`);
      return new Response(JSON.stringify(briefing), { status: 200, headers: { "content-type": "application/json" } });
    });
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    client.setQueryData(profileKeys.me, { id: "c1", email: "c@example.com", role: "candidate", language: "de" } as Me);
    render(
      <QueryClientProvider client={client}>
        <BriefingScreen invitationId="i1" stream={null} onStream={vi.fn()} onStarted={vi.fn()} />
      </QueryClientProvider>,
    );
    expect(await screen.findByRole("button", { name: "Interview starten" })).toBeTruthy();
    expect(screen.getByRole("link", { name: "Nicht jetzt" })).toBeTruthy();
    expect(screen.getByText(/Die Zeit läuft erst/)).toBeTruthy();
    expect(screen.getByRole("heading", { name: "Wie Ihre Antworten verwendet werden" })).toBeTruthy();
    expect(screen.getByText(/nach diesen Kriterien: Klarheit/)).toBeTruthy();
    expect(calls).toEqual(["POST /api/invitations/i1/briefing"]);
  });
});
