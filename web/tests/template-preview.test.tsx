import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import * as React from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CandidatePreview, previewBriefing } from "@/components/templates/candidate-preview";
import { VersionHistory } from "@/components/templates/template-versions";
import { ToastProvider } from "@/components/ui/toast";
import { configureApi, setFetch } from "@/lib/api";
import { describeVersionChanges, draftFromTemplate, type Template, type TemplateVersion } from "@/lib/templates";
import { a11yFindings } from "./a11y";

vi.mock("next/navigation", () => ({ useRouter: () => ({ replace: vi.fn(), push: vi.fn() }), usePathname: () => "/", useSearchParams: () => new URLSearchParams() }));

// axe over whole screens is slow on a loaded machine; the limit is the harness's, not a check on speed.
vi.setConfig({ testTimeout: 60_000 });

let calls: string[] = [];

function gateway(answers: Record<string, unknown> = {}) {
  calls = [];
  configureApi("http://gateway.test");
  setFetch(async (input, init) => {
    const key = `${init?.method ?? "GET"} ${new URL(String(input)).pathname}`;
    calls.push(key);
    return new Response(JSON.stringify(answers[key] ?? {}), { status: 200, headers: { "content-type": "application/json" } });
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

const template: Template = {
  id: "t1",
  title: "Software Engineer",
  internalName: "SWE Berlin Q1, batch 2",
  description: "Backend work in Python.",
  status: "draft",
  createdBy: "hr-1",
  questionsCount: 3,
  createdAt: "2026-12-01T10:00:00Z",
  updatedAt: "2026-12-01T10:00:00Z",
  version: 3,
  settings: { allowPause: false, totalTimeLimit: 20, allowRetakes: true, maxRetakes: 2 },
  questions: [
    { id: "q2", text: "Which HTTP method is idempotent?", type: "multiple_choice", order: 2, timeLimit: 60, required: true,
      options: [{ id: "o1", text: "POST", isCorrect: false }, { id: "o2", text: "PUT", isCorrect: true }], createdAt: "2026-12-01T10:00:00Z" },
    { id: "q1", text: "Describe an outage you led.", type: "text", order: 1, timeLimit: 120, required: true, hints: "Situation, action, result", createdAt: "2026-12-01T10:00:00Z" },
    { id: "q3", text: "Introduce yourself on camera.", type: "video", order: 3, timeLimit: 90, thinkTime: 30, required: true, createdAt: "2026-12-01T10:00:00Z" },
  ],
};

afterEach(() => setFetch(fetch));

describe("preview as candidate", () => {
  it("builds the candidate's briefing from the template: order, limits, think time, pauses and retakes", () => {
    const b = previewBriefing(template, "Acme", Date.UTC(2026, 11, 5));

    expect(b.questions.map((q) => [q.order, q.type, q.timeLimit, q.thinkTime])).toEqual([
      [1, "text", 120, 0],
      [2, "multiple_choice", 60, 0],
      [3, "video", 90, 30],
    ]);
    expect([b.expectedDuration, b.totalTimeLimit, b.allowPause, b.retakesAllowed, b.needsCamera]).toEqual([300, 20, false, 2, true]);
    expect(b.templateTitle).toBe("Software Engineer");
  });

  it("walks HR through the briefing and every question with usable answer forms, and never calls the server", async () => {
    gateway();
    show(<CandidatePreview template={template} companyName="Acme" />);

    expect(screen.getByText(/Nothing is timed and nothing is saved or sent/)).toBeTruthy();
    expect(screen.getByRole("heading", { name: "Software Engineer" })).toBeTruthy();
    expect(screen.queryByText(/SWE Berlin/)).toBeNull();
    expect(await a11yFindings()).toEqual([]);

    fireEvent.click(screen.getByRole("button", { name: "Start interview (preview)" }));
    expect(screen.getByText("Question 1 of 3")).toBeTruthy();
    expect(screen.getByTestId("preview-limits").textContent).toContain("2:00 to answer");
    fireEvent.change(screen.getByLabelText("Your answer"), { target: { value: "We rolled back." } });
    fireEvent.click(screen.getByRole("button", { name: /Submit answer/ }));
    expect(screen.getByText("Answer not saved: this is a preview.")).toBeTruthy();

    fireEvent.click(screen.getByRole("button", { name: /Next question/ }));
    fireEvent.click(screen.getByLabelText("PUT"));
    fireEvent.click(screen.getByRole("button", { name: /Submit answer/ }));
    expect(screen.getByText("Answer not saved: this is a preview.")).toBeTruthy();

    fireEvent.click(screen.getByRole("button", { name: /Next question/ }));
    expect(screen.getByTestId("preview-limits").textContent).toContain("0:30 to think, then 1:30 to answer");
    expect(await a11yFindings()).toEqual([]);
    fireEvent.click(screen.getByRole("button", { name: /Finish preview/ }));
    expect(screen.getByRole("heading", { name: "End of the preview" })).toBeTruthy();

    expect(calls).toEqual([]);
  });
});

describe("template versions in the builder", () => {
  const v = (over: Partial<TemplateVersion>): TemplateVersion => ({
    number: 1, title: "Software Engineer", publishedBy: "hr-1", publishedAt: "2026-12-01T10:00:00Z", questionsCount: 3,
    questionsAdded: 3, questionsRemoved: 0, questionsEdited: 0, detailsChanged: false, invitations: 0, ...over,
  });

  it("says what changed in each version", () => {
    expect(describeVersionChanges(v({}), true)).toBe("First version: 3 questions");
    expect(describeVersionChanges(v({ number: 2, questionsAdded: 1, questionsRemoved: 2, questionsEdited: 1 }), false)).toBe(
      "1 question added, 2 questions removed, 1 question edited",
    );
    expect(describeVersionChanges(v({ number: 3, questionsAdded: 0, detailsChanged: true }), false)).toBe(
      "title, description or settings changed",
    );
  });

  it("lists the versions newest first with who published them and the invitations each was sent with", async () => {
    gateway({
      "GET /api/templates/t1/versions": {
        versions: [
          v({ number: 2, publishedBy: "hr-2", questionsAdded: 1, questionsEdited: 1, invitations: 0 }),
          v({ number: 1, invitations: 4 }),
        ],
      },
    });
    show(<VersionHistory templateId="t1" currentUserId="hr-1" />);

    const newest = await screen.findByTestId("template-version-2");
    expect(newest.textContent).toContain("by a teammate");
    expect(newest.textContent).toContain("1 question added, 1 question edited");
    expect(newest.textContent).toContain("new invitations get this one");
    const first = screen.getByTestId("template-version-1");
    expect(first.textContent).toContain("by you");
    expect(first.textContent).toContain("4 invitations sent with this version");
    await waitFor(async () => expect(await a11yFindings()).toEqual([]));
  });

  it("keeps the job title of a copy and tells it apart by its internal name", () => {
    const copy = draftFromTemplate(template, { copy: true });
    expect(copy.title).toBe("Software Engineer");
    expect(copy.internalName).toBe("SWE Berlin Q1, batch 2 (copy)");
  });
});
