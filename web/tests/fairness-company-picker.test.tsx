import { act, fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import FairnessPage from "@/app/(app)/hr/fairness/page";
import FairnessPrintPage from "@/app/(app)/hr/fairness/print/page";
import { configureApi, setFetch } from "@/lib/api";
import type { FairnessReport } from "@/lib/fairness";
import { a11yFindings } from "./a11y";
import { gateway, report, show } from "./fairness-fixtures";

vi.setConfig({ testTimeout: 60_000 });

const search = { params: new URLSearchParams() };
const replace = vi.fn();
vi.mock("next/navigation", () => ({
  useRouter: () => ({ replace, push: vi.fn() }),
  usePathname: () => "/hr/fairness",
  useSearchParams: () => search.params,
}));

/** An account whose report holds no decision yet, with one template three interviews were decided on. */
function empty(over: Partial<FairnessReport> = {}): FairnessReport {
  const none = { decided: 0, scored: 0, medianScore: null, sampleTooSmall: true, tables: [] };
  return report({ companyId: null, ...none, templates: [{ id: "t-1", title: "Backend engineer", decided: 3 }], ...over });
}

const COMPANIES = {
  success: true,
  data: [
    { id: "c-acme", name: "Acme", industry: null, size: null, location: null, isActive: true, createdAt: "2030-01-01T00:00:00Z" },
    { id: "c-globex", name: "Globex", industry: null, size: null, location: null, isActive: true, createdAt: "2030-01-01T00:00:00Z" },
  ],
  pagination: { total: 2, page: 1, limit: 100, totalPages: 1 },
};

beforeEach(() => {
  configureApi("http://gateway.test");
  search.params = new URLSearchParams();
  replace.mockReset();
});
afterEach(() => setFetch((...args) => fetch(...args)));

describe("the adverse-impact report's company picker", () => {
  it("lets an admin pick any company, which starts the template choice again, and is axe clean", async () => {
    gateway((key) => {
      if (key === "GET /api/hr/companies?page=1&limit=100") return { json: COMPANIES };
      if (key === "GET /api/fairness/report") return { json: empty() };
      return undefined;
    });
    show(<FairnessPage />, { role: "admin" });

    const picker = (await screen.findByLabelText("Company")) as HTMLSelectElement;
    await screen.findByRole("option", { name: "Globex" });
    expect(Array.from(picker.options).map((o) => o.text)).toEqual(["All companies", "Acme", "Globex"]);
    expect(picker.value).toBe("");
    expect(await a11yFindings()).toEqual([]);

    fireEvent.change(picker, { target: { value: "c-globex" } });
    expect(replace).toHaveBeenLastCalledWith("/hr/fairness?companyId=c-globex");
  });

  it("asks for the chosen company's report, keeps it in the template choice, the CSV and the printable page", async () => {
    search.params = new URLSearchParams({ companyId: "c-acme" });
    const clicked = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => undefined);
    URL.createObjectURL = vi.fn(() => "blob:report");
    URL.revokeObjectURL = vi.fn();
    const calls = gateway((key) => {
      if (key === "GET /api/hr/companies?page=1&limit=100") return { json: COMPANIES };
      if (key === "GET /api/fairness/report?companyId=c-acme") return { json: empty({ companyId: "c-acme" }) };
      if (key === "GET /api/fairness/report.csv?companyId=c-acme") return { text: "table,category\n" };
      return undefined;
    });
    show(<FairnessPage />, { role: "admin" });

    await screen.findByRole("option", { name: "Backend engineer (3 decided)" });
    await waitFor(() => expect((screen.getByLabelText("Company") as HTMLSelectElement).value).toBe("c-acme"));
    expect(screen.getByRole("link", { name: /Printable page/ }).getAttribute("href")).toBe("/hr/fairness/print?companyId=c-acme");
    fireEvent.change(screen.getByLabelText("Template"), { target: { value: "t-1" } });
    expect(replace).toHaveBeenLastCalledWith("/hr/fairness?companyId=c-acme&templateId=t-1");
    await act(async () => fireEvent.click(screen.getByRole("button", { name: /Download CSV/ })));
    await waitFor(() => expect(clicked).toHaveBeenCalled());
    expect(calls.map((c) => c.key)).toContain("GET /api/fairness/report.csv?companyId=c-acme");
    clicked.mockRestore();
  });

  it("is not offered to an HR user, whose report is always their own company's", async () => {
    const calls = gateway((key) => (key === "GET /api/fairness/report" ? { json: empty({ companyId: "c-acme" }) } : undefined));
    show(<FairnessPage />, { role: "hr" });

    await screen.findByRole("option", { name: "Backend engineer (3 decided)" });
    expect(screen.queryByLabelText("Company")).toBeNull();
    expect(calls.some((c) => c.key.includes("/api/hr/companies"))).toBe(false);
  });

  it("says plainly when the companies cannot be listed", async () => {
    gateway((key) => {
      if (key === "GET /api/hr/companies?page=1&limit=100") return { status: 503, json: { code: "SERVICE_UNAVAILABLE", error: "The service is busy, try again" } };
      if (key === "GET /api/fairness/report") return { json: empty() };
      return undefined;
    });
    show(<FairnessPage />, { role: "admin" });

    expect(await screen.findByText("Could not load the companies")).toBeTruthy();
  });

  it("prints the chosen company's report and links back to it", async () => {
    search.params = new URLSearchParams({ companyId: "c-acme", templateId: "t-1" });
    gateway((key) =>
      key === "GET /api/fairness/report?templateId=t-1&companyId=c-acme" ? { json: empty({ companyId: "c-acme", templateId: "t-1", templateTitle: "Backend engineer" }) } : undefined,
    );
    show(<FairnessPrintPage />, { role: "admin" });

    expect(await screen.findByRole("heading", { name: "Adverse-impact report", level: 1 })).toBeTruthy();
    expect(screen.getByRole("link", { name: /Back to the report/ }).getAttribute("href")).toBe("/hr/fairness?companyId=c-acme&templateId=t-1");
  });
});
