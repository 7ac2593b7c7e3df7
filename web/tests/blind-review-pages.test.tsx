import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import ReportPage from "@/app/(app)/hr/review/[id]/report/page";
import ComparePage from "@/app/(app)/hr/review/compare/page";
import { ApiError, configureApi, setFetch } from "@/lib/api";
import { isAiHidden } from "@/lib/analysis";
import { a11yFindings } from "./a11y";

vi.setConfig({ testTimeout: 60_000 });

const route = { id: "inv-blind", ids: ["inv-blind", "inv-open"] };
vi.mock("next/navigation", () => ({
  useRouter: () => ({ replace: vi.fn(), push: vi.fn() }),
  usePathname: () => "/hr/review",
  useParams: () => ({ id: route.id }),
  useSearchParams: () => ({ getAll: () => route.ids, get: () => null }),
}));

const HIDDEN = { code: "AI_HIDDEN_UNTIL_RATED", error: "The AI's analysis of this interview is shown once you have submitted your own ratings", details: { reason: "blind_review" } };
let asked: string[] = [];

function invitation(id: string) {
  return {
    id,
    templateId: "t1",
    templateTitle: "Backend engineer",
    candidateId: `cand-${id}`,
    companyName: "Acme",
    invitedBy: "hr1",
    status: "completed",
    allowPause: true,
    showTimer: true,
    expiresAt: "2030-01-20T00:00:00Z",
    completedAt: "2030-01-10T00:00:00Z",
    progress: { answered: 1, total: 1, percentage: 100 },
    responses: [{ id: `r-${id}`, questionId: "q1", responseType: "text", textAnswer: "We added a canary stage.", duration: 30 }],
    questions: [{ id: "q1", text: "Tell us about a release", type: "text", order: 1 }],
    decision: null,
    createdAt: "2030-01-01T00:00:00Z",
    updatedAt: "2030-01-10T00:00:00Z",
  };
}

function analysis(id: string) {
  return {
    id: `a-${id}`,
    invitationId: id,
    status: "completed",
    overallScore: 87,
    summary: "Strong release story",
    recommendation: "hire",
    engine: "offline",
    strengths: [],
    weaknesses: [],
    questionAnalyses: [],
  };
}

function gateway() {
  asked = [];
  setFetch(async (input) => {
    const url = new URL(String(input));
    asked.push(url.pathname);
    const [, , kind, id] = url.pathname.split("/");
    const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
    if (kind === "invitations") return json(200, invitation(id!));
    if (kind === "reviews") return json(200, { invitationId: id, stage: "new", others: [], othersHidden: 0, aiHidden: id === "inv-blind", candidateName: id === "inv-blind" ? "Blind Candidate" : "Open Candidate" });
    if (kind === "analysis") return id === "inv-blind" ? json(403, HIDDEN) : json(200, analysis(id!));
    return json(404, { code: "NOT_MOCKED", error: url.pathname });
  });
}

function show(ui: React.ReactElement) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(<QueryClientProvider client={client}>{ui}</QueryClientProvider>);
}

beforeEach(() => {
  configureApi("http://gateway.test");
  gateway();
});
afterEach(() => setFetch((...args) => fetch(...args)));

describe("blind review on the pages that show the AI's analysis", () => {
  it("knows the gateway's refusal of a blind reviewer from any other error", () => {
    expect(isAiHidden(new ApiError(403, "AI_HIDDEN_UNTIL_RATED", "rate first"))).toBe(true);
    expect(isAiHidden(new ApiError(403, "FORBIDDEN", "not yours"))).toBe(false);
    expect(isAiHidden(new Error("network"))).toBe(false);
  });

  it("the printable report of an interview the reader has not rated shows no AI score and never asks for it", async () => {
    route.id = "inv-blind";
    show(<ReportPage />);

    expect(await screen.findByText("shown once you submit your ratings")).toBeTruthy();
    expect(screen.queryByText(/87/)).toBeNull();
    expect(screen.queryByText("Strong release story")).toBeNull();
    expect(asked).not.toContain("/api/analysis/inv-blind");
    expect(await a11yFindings()).toEqual([]);
  });

  it("the printable report shows the AI score once the reader may see it", async () => {
    route.id = "inv-open";
    show(<ReportPage />);

    expect(await screen.findByText("87 / 100")).toBeTruthy();
    expect(screen.getByText("Strong release story")).toBeTruthy();
  });

  it("the comparison shows the score of the interview the reader may see and not of the one they must rate first", async () => {
    show(<ComparePage />);

    const blind = (await screen.findByRole("link", { name: "Blind Candidate" })).closest("div")!;
    const open = screen.getByRole("link", { name: "Open Candidate" }).closest("div")!;
    expect(within(blind as HTMLElement).getByText(/AI score shown once you rate/)).toBeTruthy();
    expect(within(open as HTMLElement).getByText(/Score 87/)).toBeTruthy();
    expect(screen.queryByText("Could not load these candidates")).toBeNull();
    expect(await a11yFindings()).toEqual([]);
  });
});
