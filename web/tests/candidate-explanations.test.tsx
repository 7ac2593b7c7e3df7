import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, render, screen, within } from "@testing-library/react";
import * as React from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import CandidateOutcome from "@/app/(app)/candidate/results/[id]/page";
import { configureApi, setFetch } from "@/lib/api";
import type { Explanation } from "@/lib/explanations";
import { invitationKeys, type Invitation } from "@/lib/invitations";
import { profileKeys, type Me } from "@/lib/profile";
import { draftFromTemplate, emptyDraft, settingsBody, type Template } from "@/lib/templates";
import { a11yFindings } from "./a11y";

vi.mock("next/navigation", () => ({
  useRouter: () => ({ replace: vi.fn(), push: vi.fn() }),
  usePathname: () => "/candidate/results/i1",
  useSearchParams: () => new URLSearchParams(),
}));
vi.setConfig({ testTimeout: 60_000 });

const REASON = "The answers did not show hands-on experience with release pipelines.";
const EXPLANATION: Explanation = {
  invitationId: "i1",
  answers: [
    {
      questionId: "q1",
      questionText: "Tell us about a release that went wrong.",
      criteria: [
        { criterion: "Story", band: "strong", lookedFor: "Situation, action and result, with numbers", evidence: "We rolled back within 4 minutes" },
        { criterion: "Ownership", band: "needs_work", lookedFor: "Says what they did themselves", evidence: null },
      ],
    },
    { questionId: "q2", questionText: "How do you test a migration?", criteria: [{ criterion: "clarity", band: "adequate" }] },
  ],
};

const rejected = {
  id: "i1",
  status: "completed",
  companyName: "Acme",
  completedAt: "2030-01-15T10:00:00Z",
  decision: "rejected",
  decisionAt: "2030-01-16T10:00:00Z",
  rejectionReason: REASON,
  explanationsReleased: true,
  responses: [],
  createdAt: "2030-01-14T10:00:00Z",
  templateTitle: "Support specialist",
  templateSettings: {},
} as unknown as Invitation;

let asked: string[] = [];

function gateway(explanation: { status: number; json: unknown }) {
  asked = [];
  setFetch(async (input) => {
    const path = new URL(String(input)).pathname;
    asked.push(path);
    const found = path === "/api/invitations/i1/explanation" ? explanation : { status: 404, json: { code: "NOT_FOUND", error: "Not found" } };
    return new Response(JSON.stringify(found.json), { status: found.status, headers: { "content-type": "application/json" } });
  });
}

async function showOutcome(invitation: Invitation, language = "en") {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
  client.setQueryData(profileKeys.me, { id: "c1", email: "c@example.com", role: "candidate", language } as Me);
  client.setQueryData(invitationKeys.withTemplate("i1"), invitation);
  const params = Promise.resolve({ id: "i1" });
  await act(async () => {
    render(
      <QueryClientProvider client={client}>
        <React.Suspense fallback={null}>
          <CandidateOutcome params={params} />
        </React.Suspense>
      </QueryClientProvider>,
    );
  });
}

beforeEach(() => configureApi("http://gateway.test"));
afterEach(() => setFetch((...args) => fetch(...args)));

describe("the outcome explained to the candidate", () => {
  it("gives a rejection's recorded reason and each answer's criteria as bands with what was looked for and a quote, and is axe clean", async () => {
    gateway({ status: 200, json: EXPLANATION });
    await showOutcome(rejected);

    expect(await screen.findByText(REASON)).toBeTruthy();
    expect(screen.getByText("The reviewer's reason:")).toBeTruthy();
    const section = await screen.findByRole("region", { name: "Your answers explained" });
    const answers = within(section).getAllByRole("listitem").filter((li) => li.querySelector("h3"));
    expect(answers).toHaveLength(2);
    expect(within(answers[0]!).getByText("strong")).toBeTruthy();
    expect(within(answers[0]!).getByText("needs work")).toBeTruthy();
    expect(within(answers[0]!).getByText("What we looked for: Situation, action and result, with numbers")).toBeTruthy();
    expect(within(answers[0]!).getByText("We rolled back within 4 minutes")).toBeTruthy();
    expect(within(answers[1]!).getByText("adequate")).toBeTruthy();
    // No score, percentage or verdict anywhere on the page.
    expect(section.textContent).not.toMatch(/\d+ ?\/ ?100|\d+ ?%|score:|hire|reject/i);
    expect(await a11yFindings()).toEqual([]);
  });

  it("is in German for a German profile (the company's own criteria and quotes as written)", async () => {
    gateway({ status: 200, json: EXPLANATION });
    await showOutcome(rejected, "de");

    expect(await screen.findByRole("region", { name: "Ihre Antworten erklärt" })).toBeTruthy();
    expect(screen.getByText("Die Begründung der prüfenden Person:")).toBeTruthy();
    expect(screen.getByText("stark")).toBeTruthy();
    expect(screen.getByText("ausbaufähig")).toBeTruthy();
    expect(screen.getByText("angemessen")).toBeTruthy();
    expect(screen.getByText("Klarheit")).toBeTruthy();
    expect(screen.getByText("Worauf wir geachtet haben: Says what they did themselves")).toBeTruthy();
    expect(await a11yFindings()).toEqual([]);
  });

  it("says plainly when the explanation is not ready yet", async () => {
    gateway({ status: 404, json: { code: "EXPLANATION_NOT_READY", error: "The explanation of this interview is not ready yet" } });
    await showOutcome(rejected);
    expect(await screen.findByText("The explanation of your answers is not ready yet. Please look again later.")).toBeTruthy();
  });

  it("neither asks for nor shows an explanation or reason the company does not share", async () => {
    gateway({ status: 200, json: EXPLANATION });
    await showOutcome({ ...rejected, explanationsReleased: false, rejectionReason: null } as unknown as Invitation);

    expect(await screen.findByText("Not selected")).toBeTruthy();
    expect(screen.queryByRole("region", { name: "Your answers explained" })).toBeNull();
    expect(screen.queryByText("The reviewer's reason:")).toBeNull();
    expect(asked).not.toContain("/api/invitations/i1/explanation");
  });
});

describe("the template's setting that explains outcomes", () => {
  it("is off by default, sent only when on, and read back from a saved template", () => {
    const draft = emptyDraft();
    expect(draft.settings.candidateExplanations).toBe(false);
    expect(settingsBody(draft.settings)).not.toHaveProperty("candidateExplanations");
    expect(settingsBody({ ...draft.settings, candidateExplanations: true }).candidateExplanations).toBe(true);
    const saved = { title: "T", description: "", questions: [], settings: { candidateExplanations: true } } as unknown as Template;
    expect(draftFromTemplate(saved).settings.candidateExplanations).toBe(true);
  });
});
