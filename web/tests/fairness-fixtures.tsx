import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import { setFetch } from "@/lib/api";
import type { FairnessReport, GroupRow } from "@/lib/fairness";
import { profileKeys, type Me } from "@/lib/profile";

/** What the adverse-impact tests share: the gateway they talk to, the signed-in user and the report it serves.
 *  (Each test file mocks `next/navigation` itself: Vitest hoists a mock only within the file that declares it.) */

export type Call = { key: string; body?: unknown };
type Answer = { status?: number; json?: unknown; text?: string };

/** Serves each request "METHOD /path?query" with what `answer` returns for it (404 NOT_MOCKED when nothing) and
 *  returns the list of requests made, filled in as they come. */
export function gateway(answer: (key: string, body: unknown) => Answer | undefined): Call[] {
  const calls: Call[] = [];
  setFetch(async (input, init) => {
    const url = new URL(String(input));
    const key = `${init?.method ?? "GET"} ${url.pathname}${url.search}`;
    const body = typeof init?.body === "string" ? JSON.parse(init.body) : undefined;
    calls.push({ key, body });
    const found = answer(key, body);
    if (!found) return new Response(JSON.stringify({ code: "NOT_MOCKED", error: key }), { status: 404 });
    if (found.status === 204) return new Response(null, { status: 204 });
    if (found.text !== undefined) return new Response(found.text, { status: 200, headers: { "content-type": "text/csv" } });
    return new Response(JSON.stringify(found.json), { status: found.status ?? 200, headers: { "content-type": "application/json" } });
  });
  return calls;
}

/** Renders `ui` for a signed-in user of this role and language. */
export function show(ui: React.ReactElement, { role = "hr", language = "en" }: { role?: string; language?: string } = {}) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  client.setQueryData(profileKeys.me, { id: "u1", email: "u@example.com", firstName: "U", lastName: "V", role, language } as Me);
  return render(<QueryClientProvider client={client}>{ui}</QueryClientProvider>);
}

export function row(over: Partial<GroupRow>): GroupRow {
  return {
    category: "male",
    label: "Male",
    applicants: 50,
    selected: 30,
    selectionRate: 0.6,
    selectionImpactRatio: 1,
    scored: 50,
    aboveMedian: 30,
    scoringRate: 0.6,
    scoringImpactRatio: 1,
    excluded: false,
    flagged: false,
    smallGroup: false,
    ...over,
  };
}

const unknown = row({ category: "unknown", label: "Unknown / not provided", applicants: 9, selected: 3, selectionRate: 3 / 9, selectionImpactRatio: null, scoringImpactRatio: null });

/** A company's report on 100 decided interviews: women flagged below 0.8, one category too small to compare. */
export function report(over: Partial<FairnessReport> = {}): FairnessReport {
  return {
    companyId: "acme",
    templateId: null,
    templateTitle: null,
    generatedAt: "2030-01-15T09:00:00Z",
    decided: 100,
    scored: 96,
    medianScore: 60,
    exclusionShare: 0.02,
    minimumSample: 50,
    minimumGroup: 10,
    sampleTooSmall: false,
    tables: [
      {
        dimension: "sex",
        rows: [
          row({}),
          row({ category: "female", label: "Female", applicants: 40, selected: 18, selectionRate: 0.45, selectionImpactRatio: 0.75, flagged: true }),
          row({ category: "another", label: "Another sex", applicants: 1, selected: 1, selectionRate: 1, selectionImpactRatio: null, scoringImpactRatio: null, excluded: true }),
        ],
        unknown,
      },
      { dimension: "raceEthnicity", rows: [row({ category: "white", label: "White" })], unknown },
      { dimension: "intersectional", rows: [row({ category: "male:white", label: "Male · White" })], unknown },
    ],
    templates: [{ id: "t-1", title: "Backend engineer", decided: 100 }],
    ...over,
  };
}
