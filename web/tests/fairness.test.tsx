import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import FairnessPage from "@/app/(app)/hr/fairness/page";
import FairnessPrintPage from "@/app/(app)/hr/fairness/print/page";
import { SelfIdentificationCard } from "@/components/fairness/self-identification-card";
import { configureApi, setFetch } from "@/lib/api";
import { formatRate, formatRatio, rowNotes } from "@/lib/fairness";
import { a11yFindings } from "./a11y";
import { gateway, report, row, show } from "./fairness-fixtures";

vi.setConfig({ testTimeout: 60_000 });

const search = { params: new URLSearchParams() };
const replace = vi.fn();
vi.mock("next/navigation", () => ({
  useRouter: () => ({ replace, push: vi.fn() }),
  usePathname: () => "/hr/fairness",
  useSearchParams: () => search.params,
}));

beforeEach(() => {
  configureApi("http://gateway.test");
  search.params = new URLSearchParams();
  replace.mockReset();
});
afterEach(() => setFetch((...args) => fetch(...args)));

describe("the report's numbers in words", () => {
  it("show rates as percentages, ratios with two decimals and a dash for what was not computed", () => {
    expect([formatRate(0.45), formatRate(1 / 3), formatRate(null)]).toEqual(["45.0%", "33.3%", "–"]);
    expect([formatRatio(0.75), formatRatio(null)]).toEqual(["0.75", "–"]);
  });

  it("name a flag, an exclusion and a small group in plain words", () => {
    expect(rowNotes(row({ flagged: true, smallGroup: true }))).toEqual(["Below 0.8: possible adverse impact", "Small group: read with care"]);
    expect(rowNotes(row({ excluded: true }))).toEqual(["Under 2% of the sample: not compared"]);
    expect(rowNotes(row({}))).toEqual([]);
  });
});

describe("the voluntary self-identification card", () => {
  it("offers each question with 'prefer not to say', saves the answers as chosen, and is axe clean", async () => {
    const calls = gateway((key, body) => {
      if (key === "GET /api/self-identification") return { json: { provided: false, sex: null, raceEthnicity: null, updatedAt: null } };
      if (key === "PUT /api/self-identification") return { json: { provided: true, ...(body as object), updatedAt: "2030-01-15T09:00:00Z" } };
      return undefined;
    });
    show(<SelfIdentificationCard />, { role: "candidate" });

    await screen.findByRole("group", { name: "Sex" });
    const share = screen.getByRole("button", { name: "Share my answers" });
    expect((share as HTMLButtonElement).disabled).toBe(true);
    expect(within(screen.getByRole("group", { name: "Sex" })).getAllByRole("radio").map((r) => r.getAttribute("value"))).toEqual([
      "female",
      "male",
      "another",
      "prefer_not_to_say",
    ]);
    expect(within(screen.getByRole("group", { name: "Race/ethnicity" })).getAllByRole("radio")).toHaveLength(8);
    expect(await a11yFindings()).toEqual([]);

    fireEvent.click(within(screen.getByRole("group", { name: "Sex" })).getByRole("radio", { name: "Prefer not to say" }));
    fireEvent.click(screen.getByRole("radio", { name: "Two or More Races" }));
    fireEvent.click(share);

    await screen.findByText(/Your answers are saved/);
    expect(calls.find((c) => c.key === "PUT /api/self-identification")?.body).toEqual({ sex: "prefer_not_to_say", raceEthnicity: "two_or_more_races" });
    expect(screen.getByRole("button", { name: "Withdraw my answers" })).toBeTruthy();
  });

  it("withdraws the answers already shared", async () => {
    const calls = gateway((key) => {
      if (key === "GET /api/self-identification") return { json: { provided: true, sex: "female", raceEthnicity: null, updatedAt: "2030-01-15T09:00:00Z" } };
      if (key === "DELETE /api/self-identification") return { status: 204 };
      return undefined;
    });
    show(<SelfIdentificationCard />, { role: "candidate" });

    const female = await screen.findByRole("radio", { name: "Female" });
    expect((female as HTMLInputElement).checked).toBe(true);
    fireEvent.click(screen.getByRole("button", { name: "Withdraw my answers" }));

    await screen.findByText("Your answers were deleted.");
    expect(calls.map((c) => c.key)).toContain("DELETE /api/self-identification");
    expect((screen.getByRole("radio", { name: "Female" }) as HTMLInputElement).checked).toBe(false);
  });

  it("is in German for a German profile, and says plainly when saving failed", async () => {
    gateway((key) => {
      if (key === "GET /api/self-identification") return { json: { provided: false, sex: null, raceEthnicity: null, updatedAt: null } };
      if (key === "PUT /api/self-identification") return { status: 503, json: { code: "UNAVAILABLE", error: "Service unavailable" } };
      return undefined;
    });
    show(<SelfIdentificationCard />, { role: "candidate", language: "de" });

    await screen.findByRole("group", { name: "Geschlecht" });
    expect(screen.getByRole("heading", { name: "Freiwillige Selbstauskunft" })).toBeTruthy();
    fireEvent.click(screen.getByRole("radio", { name: "Weiblich" }));
    fireEvent.click(screen.getByRole("button", { name: "Angaben teilen" }));

    await screen.findByText("Das hat nicht geklappt. Bitte versuchen Sie es erneut.");
    expect(screen.queryByText(/UNAVAILABLE/)).toBeNull();
    expect(await a11yFindings()).toEqual([]);
  });
});

describe("the adverse-impact report page", () => {
  it("shows each table with rates, ratios and notes, as a table and as phone cards, and is axe clean", async () => {
    gateway((key) => (key === "GET /api/fairness/report" ? { json: report() } : undefined));
    show(<FairnessPage />);

    const sex = await screen.findByRole("table", { name: /^Sex:/ });
    const female = within(sex).getByRole("row", { name: /Female/ });
    expect(within(female).getByText("45.0%")).toBeTruthy();
    expect(within(female).getByText("0.75")).toBeTruthy();
    expect(within(female).getByText("Below 0.8: possible adverse impact")).toBeTruthy();
    expect(within(within(sex).getByRole("row", { name: /Another sex/ })).getByText("Under 2% of the sample: not compared")).toBeTruthy();
    expect(within(sex).getByRole("row", { name: /Unknown \/ not provided/ })).toBeTruthy();
    const cards = screen.getByRole("list", { name: "Sex: categories" });
    expect(within(cards).getAllByRole("listitem")).toHaveLength(4);
    expect(screen.getByRole("option", { name: "Backend engineer (100 decided)" })).toBeTruthy();
    expect(screen.queryByText("Too few decisions to conclude anything")).toBeNull();
    expect(screen.getByRole("heading", { name: "How this report is worked out" })).toBeTruthy();
    expect(await a11yFindings()).toEqual([]);
  });

  it("warns plainly when the sample is too small", async () => {
    gateway((key) => (key === "GET /api/fairness/report" ? { json: report({ decided: 12, sampleTooSmall: true }) } : undefined));
    show(<FairnessPage />);

    expect(await screen.findByText("Too few decisions to conclude anything")).toBeTruthy();
    expect(screen.getByText(/rests on 12 decided interviews, fewer than 50/)).toBeTruthy();
  });

  it("filters by template through the address and downloads the CSV of that scope", async () => {
    search.params = new URLSearchParams({ templateId: "t-1" });
    const clicked = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => undefined);
    URL.createObjectURL = vi.fn(() => "blob:report");
    URL.revokeObjectURL = vi.fn();
    const calls = gateway((key) => {
      if (key === "GET /api/fairness/report?templateId=t-1") return { json: report({ templateId: "t-1", templateTitle: "Backend engineer" }) };
      if (key === "GET /api/fairness/report.csv?templateId=t-1") return { text: "table,category\n" };
      return undefined;
    });
    show(<FairnessPage />);

    await screen.findByRole("table", { name: /^Sex:/ });
    expect(screen.getByRole("link", { name: /Printable page/ }).getAttribute("href")).toBe("/hr/fairness/print?templateId=t-1");
    fireEvent.change(screen.getByLabelText("Template"), { target: { value: "" } });
    expect(replace).toHaveBeenCalledWith("/hr/fairness");
    await act(async () => fireEvent.click(screen.getByRole("button", { name: /Download CSV/ })));

    await waitFor(() => expect(clicked).toHaveBeenCalled());
    expect(calls.map((c) => c.key)).toContain("GET /api/fairness/report.csv?templateId=t-1");
    clicked.mockRestore();
  });

  it("says plainly when the report cannot be loaded", async () => {
    gateway((key) =>
      key === "GET /api/fairness/report" ? { status: 403, json: { code: "FAIRNESS_SCOPE_DENIED", error: "You can only see your own company's adverse-impact report" } } : undefined,
    );
    show(<FairnessPage />);

    expect(await screen.findByText("Could not load the report")).toBeTruthy();
    expect(screen.getByText("You can only see your own company's adverse-impact report")).toBeTruthy();
  });
});

describe("the printable report", () => {
  it("holds the tables, the method and a sign-off block for the auditor, and is axe clean", async () => {
    gateway((key) => (key === "GET /api/fairness/report" ? { json: report() } : undefined));
    show(<FairnessPrintPage />);

    expect(await screen.findByRole("heading", { name: "Adverse-impact report", level: 1 })).toBeTruthy();
    expect(screen.getAllByRole("table")).toHaveLength(3);
    expect(screen.queryByRole("list", { name: "Sex: categories" })).toBeNull();
    // Wider than a phone, each table scrolls inside a frame a keyboard can reach (on paper it wraps instead).
    const frame = screen.getByRole("region", { name: "Sex: table" });
    expect([frame.tabIndex, frame.className.includes("overflow-x-auto")]).toEqual([0, true]);
    expect(within(frame).getByRole("table", { name: /^Sex:/ })).toBeTruthy();
    const signOff = screen.getByRole("region", { name: "Auditor sign-off" });
    for (const line of ["Auditor name", "Organisation", "Date", "Signature"]) expect(within(signOff).getByText(line)).toBeTruthy();
    expect(screen.getByRole("button", { name: /Print or save as PDF/ })).toBeTruthy();
    expect(await a11yFindings()).toEqual([]);
  });
});
