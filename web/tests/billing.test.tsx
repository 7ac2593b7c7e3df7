import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, fireEvent, render, renderHook, screen, waitFor, within } from "@testing-library/react";
import * as React from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

// The billing page reads ?success / ?canceled and drops them on dismiss; the pricing page reads the cookies.
const search = { value: new URLSearchParams() };
const replace = vi.fn();
vi.mock("next/navigation", () => ({
  useSearchParams: () => search.value,
  useRouter: () => ({ push: vi.fn(), replace, back: vi.fn() }),
  usePathname: () => "/profile/billing",
}));
const cookieJar = { token: undefined as string | undefined };
vi.mock("next/headers", () => ({
  cookies: async () => ({ get: (name: string) => (name === "access_token" && cookieJar.token ? { value: cookieJar.token } : undefined) }),
}));
vi.mock("next/server", () => ({ connection: async () => undefined }));

import AdminBillingPage from "@/app/(app)/admin/billing/page";
import CandidateDashboard from "@/app/(app)/candidate/dashboard/page";
import BillingPage from "@/app/(app)/profile/billing/page";
import PricingPage from "@/app/pricing/page";
import { UpgradePlans } from "@/components/billing/upgrade-plans";
import { InvitationsList } from "@/components/hr/invitations-list";
import { QuotaDialog } from "@/components/hr/invite-dialog";
import { accountNav } from "@/components/layout/app-shell";
import { ToastProvider } from "@/components/ui/toast";
import { ApiError, configureApi, setFetch } from "@/lib/api";
import {
  billingError,
  featureLabel,
  fetchPlans,
  formatMoney,
  formatStorage,
  limitLines,
  PAYMENTS_DISABLED_TEXT,
  paymentsOff,
  periodLabel,
  periodResetLabel,
  planName,
  quotaSentence,
  safeExternalUrl,
  subscriptionStatus,
  upgradeTargets,
  usageMeters,
  usePortal,
  type BillingAccount,
  type Invoice,
  type Plan,
  type Subscription,
  type Usage,
} from "@/lib/billing";
import { cancelInvitationError, parseQuotaError, type InvitationListItem } from "@/lib/invitations";
import { profileKeys, type Me } from "@/lib/profile";
import { token } from "./tokens";
import { a11yFindings } from "./a11y";

// Rendering whole pages and running axe over them takes seconds on a busy machine: no test here is about speed.
vi.setConfig({ testTimeout: 60_000 });

// -- fixtures -------------------------------------------------------------------------------------------------

const PLANS: Plan[] = [
  { type: "free", name: "Free", priceMonthly: 0, currency: "usd", limits: { interviewsPerMonth: 3, maxTemplates: 5, maxTeamMembers: 1 }, features: ["basic_analysis"], purchasable: false },
  {
    type: "plus",
    name: "Plus",
    priceMonthly: 2900,
    currency: "usd",
    limits: { interviewsPerMonth: 100, maxTemplates: 50, maxTeamMembers: 5 },
    features: ["full_analysis", "pdf_export", "email_support"],
    purchasable: true,
  },
  {
    type: "pro",
    name: "Pro",
    priceMonthly: 9900,
    currency: "usd",
    limits: { interviewsPerMonth: -1, maxTemplates: -1, maxTeamMembers: -1 },
    features: ["full_analysis", "pdf_export", "csv_export", "api_access", "webhooks", "custom_branding", "priority_support"],
    purchasable: true,
  },
];
const UNSOLD = PLANS.map((p) => ({ ...p, purchasable: false }));

function subscription(overrides: Partial<Subscription> = {}): Subscription {
  return {
    id: "s1",
    companyId: "c1",
    planType: "free",
    planName: "Free",
    status: "active",
    limits: PLANS[0].limits,
    features: ["basic_analysis"],
    stripeCustomerId: null,
    currentPeriodStart: "2026-12-01T00:00:00Z",
    currentPeriodEnd: "2027-01-01T00:00:00Z",
    cancelAtPeriodEnd: false,
    canceledAt: null,
    trialEnd: null,
    createdAt: "2026-11-01T00:00:00Z",
    paymentsEnabled: true,
    pastDueSince: null,
    ...overrides,
  };
}

const USAGE: Usage = {
  period: "2026-12",
  planType: "free",
  usage: {
    interviewsUsed: 3,
    interviewsLimit: 3,
    templatesUsed: 2,
    templatesLimit: 5,
    teamMembersUsed: 1,
    teamMembersLimit: -1,
    analysisTokensUsed: 12345,
    storageUsedMb: 1536,
  },
  limits: PLANS[0].limits,
};

const INVOICE: Invoice = {
  id: "in_1",
  number: "A1B2-0001",
  status: "paid",
  amountDue: 2900,
  amountPaid: 2900,
  currency: "usd",
  periodStart: "2026-11-01T00:00:00Z",
  periodEnd: "2026-12-01T00:00:00Z",
  hostedInvoiceUrl: "https://invoice.stripe.com/i/abc",
  pdfUrl: "https://pay.stripe.com/invoice/abc/pdf",
  createdAt: "2026-11-01T00:00:00Z",
};

const HR: Me = {
  id: "u1",
  externalAuthId: "kc1",
  email: "hr@example.com",
  firstName: "Hana",
  lastName: "Ruiz",
  avatarUrl: null,
  bio: null,
  phone: null,
  timezone: "UTC",
  language: "en",
  status: "active",
  role: "hr",
  version: 1,
};

// -- a fake gateway -------------------------------------------------------------------------------------------

const BASE = "http://gateway.test";
type Answer = unknown | ((body: unknown) => Response);
let calls: { method: string; path: string; search: string; body: unknown }[] = [];

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

/** Answers `METHOD /path` from the table (a value is a 200 with it as JSON); anything else is a 404. */
function gateway(routes: Record<string, Answer>) {
  calls = [];
  setFetch(async (input, init) => {
    const url = new URL(String(input));
    const method = init?.method ?? "GET";
    const body = typeof init?.body === "string" ? JSON.parse(init.body) : undefined;
    calls.push({ method, path: url.pathname, search: url.search, body });
    const answer = routes[`${method} ${url.pathname}`];
    if (answer === undefined) return json(404, { statusCode: 404, code: "NOT_FOUND", message: "Not found" });
    return typeof answer === "function" ? (answer as (b: unknown) => Response)(body) : json(200, answer);
  });
}

/** What the matchers of jest-dom would read (not installed here). */
const attr = (el: Element, name: string) => el.getAttribute(name);
const disabled = (el: Element) => (el as HTMLButtonElement).disabled;
const description = (el: Element) =>
  (el.getAttribute("aria-describedby") ?? "")
    .split(/\s+/)
    .filter(Boolean)
    .map((id) => document.getElementById(id)?.textContent?.trim() ?? "")
    .join(" ");

const posted = (path: string) => calls.filter((c) => c.method === "POST" && c.path === path);

function renderWithClient(ui: React.ReactElement, me: Me | null = HR) {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  if (me) qc.setQueryData(profileKeys.me, me);
  return render(
    <QueryClientProvider client={qc}>
      <ToastProvider>{ui}</ToastProvider>
    </QueryClientProvider>,
  );
}

beforeEach(() => {
  configureApi(BASE);
  search.value = new URLSearchParams();
  replace.mockReset();
  cookieJar.token = undefined;
});
afterEach(() => {
  setFetch((...args) => fetch(...args));
  vi.unstubAllGlobals();
});

// == pure helpers =============================================================================================

describe("usage meters", () => {
  it("show used of limit with a percentage, and flag a limit that is reached", () => {
    const [interviews, templates, team] = usageMeters(USAGE.usage);
    expect(interviews).toMatchObject({ label: "Interviews this month", used: 3, limit: 3, percent: 100, text: "3 of 3 used", state: "full" });
    expect(templates).toMatchObject({ label: "Active templates", percent: 40, text: "2 of 5 used", state: "ok" });
    expect(team).toMatchObject({ label: "Team members", limit: null, percent: null, text: "1 used · unlimited", state: "ok" });
  });

  it("warn from 80 % and never draw past a full bar", () => {
    const m = usageMeters({ ...USAGE.usage, interviewsUsed: 85, interviewsLimit: 100, templatesUsed: 7, templatesLimit: 5 });
    expect(m[0]).toMatchObject({ percent: 85, state: "near" });
    expect(m[1]).toMatchObject({ percent: 100, state: "full", text: "7 of 5 used" });
  });

  it("treat a zero limit as full rather than dividing by zero", () => {
    expect(usageMeters({ ...USAGE.usage, teamMembersUsed: 0, teamMembersLimit: 0 })[2]).toMatchObject({ percent: 100, state: "full" });
  });
});

describe("plan words and figures", () => {
  it("names plans and says unlimited for -1", () => {
    expect(planName("plus")).toBe("Plus");
    expect(planName("enterprise")).toBe("Enterprise");
    expect(limitLines(PLANS[0].limits)).toEqual(["3 interviews per month", "5 interview templates", "1 team member"]);
    expect(limitLines(PLANS[2].limits)).toEqual(["Unlimited interviews", "Unlimited templates", "Unlimited team members"]);
  });

  it("turns feature flags into words, unknown ones too", () => {
    expect(featureLabel("pdf_export")).toBe("PDF export");
    expect(featureLabel("sso_login")).toBe("Sso login");
  });

  it("formats cents as money, whole amounts without cents unless asked", () => {
    expect(formatMoney(0)).toBe("$0");
    expect(formatMoney(2900)).toBe("$29");
    expect(formatMoney(2950)).toBe("$29.50");
    expect(formatMoney(2900, "usd", true)).toBe("$29.00");
    expect(formatMoney(1000, "eur")).toBe("€10");
    expect(formatMoney(1000, "zz!")).toBe("10 ZZ!");
  });

  it("formats storage in MB below a gigabyte and GB above", () => {
    expect(formatStorage(0)).toBe("0 MB");
    expect(formatStorage(512.26)).toBe("512.3 MB");
    expect(formatStorage(1536)).toBe("1.5 GB");
  });

  it("names the usage month and the day its count starts again, in UTC", () => {
    expect(periodLabel("2026-12")).toBe("December 2026");
    expect(periodResetLabel("2026-12")).toBe("January 1, 2027");
    expect(periodResetLabel("December")).toBeNull();
  });

  it("says each subscription status in words", () => {
    expect(subscriptionStatus("active").label).toBe("Active");
    expect(subscriptionStatus("past_due")).toEqual({ label: "Payment overdue", tone: "warning" });
    expect(subscriptionStatus("canceled").label).toBe("Canceled");
    expect(subscriptionStatus("trialing").label).toBe("Trial");
    expect(subscriptionStatus("incomplete_expired").label).toBe("incomplete expired");
  });
});

describe("upgrades", () => {
  it("offer only the plans above the current one, cheapest first", () => {
    expect(upgradeTargets(PLANS, "free").map((p) => p.type)).toEqual(["plus", "pro"]);
    expect(upgradeTargets(PLANS, "plus").map((p) => p.type)).toEqual(["pro"]);
    expect(upgradeTargets(PLANS, "pro")).toEqual([]);
  });

  it("know when the installation sells nothing", () => {
    expect(paymentsOff(PLANS)).toBe(false);
    expect(paymentsOff(UNSOLD)).toBe(true);
    expect(paymentsOff([PLANS[0]])).toBe(false);
  });

  it("leave the app only for http(s) addresses", () => {
    expect(safeExternalUrl("https://checkout.stripe.com/c/pay/cs_1")).toBe("https://checkout.stripe.com/c/pay/cs_1");
    expect(safeExternalUrl("javascript:alert(1)")).toBeNull();
    expect(safeExternalUrl("/relative")).toBeNull();
    expect(safeExternalUrl(null)).toBeNull();
  });
});

describe("billing errors", () => {
  it("explain refusals in plain words for what was clicked", () => {
    expect(billingError(new ApiError(503, "PAYMENTS_DISABLED", "Online payment is not enabled on this installation"), "checkout")).toBe(PAYMENTS_DISABLED_TEXT);
    expect(billingError(new ApiError(422, "INVALID_PLAN_TRANSITION", "x"), "checkout")).toMatch(/already on this plan or a bigger one.*Manage billing/);
    expect(billingError(new ApiError(422, "INVALID_SUBSCRIPTION_STATE", "x"), "cancel")).toBe("There is no paid subscription to cancel, or it is already set to end.");
    expect(billingError(new ApiError(422, "INVALID_SUBSCRIPTION_STATE", "x"), "resume")).toMatch(/nothing to resume/);
    expect(billingError(new ApiError(403, "FORBIDDEN", "Forbidden"), "load")).toBe("Only HR and administrators can see and change billing.");
    expect(billingError(new ApiError(502, "BAD_GATEWAY", "upstream billing unavailable"), "cancel")).toBe(
      "Billing is unavailable right now. Nothing was changed; try again in a minute.",
    );
    expect(billingError(new ApiError(0, "NETWORK_ERROR", "The server cannot be reached."), "load")).toBe("The server cannot be reached.");
  });

  it("word a quota refusal from its details", () => {
    expect(quotaSentence({ resource: "interviews", limit: 3, used: 3, plan: "free" })).toBe(
      "Your Free plan allows 3 interview invitations per month, and all 3 are used.",
    );
    expect(quotaSentence({ resource: "templates", limit: 1, used: 1, plan: "plus" })).toBe("Your Plus plan allows 1 active template, and it is used.");
    expect(quotaSentence({ resource: "interviews", limit: 100, used: 97, plan: "plus" })).toBe(
      "Your Plus plan allows 100 interview invitations per month; 97 are used.",
    );
    expect(quotaSentence({ resource: null, limit: null, plan: null })).toBe("Your plan's limit of interview invitations per month is used up.");
  });

  it("read billing's 402 details, used count included", () => {
    const refusal = new ApiError(402, "QUOTA_EXCEEDED", "Your Free plan allows 3 interviews per month; 3 are used. Upgrade to invite more.", {
      resource: "interviews",
      limit: 3,
      used: 3,
      plan: "free",
      period: "2026-12",
    });
    expect(parseQuotaError(refusal)).toMatchObject({ resource: "interviews", limit: 3, used: 3, plan: "free" });
  });
});

describe("the pricing page's read of the plans", () => {
  it("answers the plans from the gateway", async () => {
    const seen: string[] = [];
    const plans = await fetchPlans(`${BASE}/`, async (input) => (seen.push(String(input)), json(200, PLANS)));
    expect(seen).toEqual([`${BASE}/api/billing/plans`]);
    expect(plans).toEqual(PLANS);
  });

  it("answers null when the platform is down, errs or answers something else", async () => {
    expect(await fetchPlans(BASE, async () => Promise.reject(new TypeError("fetch failed")))).toBeNull();
    expect(await fetchPlans(BASE, async () => json(503, { message: "down" }))).toBeNull();
    expect(await fetchPlans(BASE, async () => json(200, { plans: [] }))).toBeNull();
  });
});

// == screens =================================================================================================

function billingRoutes(sub: Subscription, extra: Record<string, Answer> = {}): Record<string, Answer> {
  return {
    "GET /api/billing/subscription": sub,
    "GET /api/billing/usage": USAGE,
    "GET /api/billing/plans": PLANS,
    "GET /api/billing/invoices": [INVOICE],
    ...extra,
  };
}

describe("the billing page", () => {
  it("shows the plan, a bar per limited resource, unlimited ones and the plain figures, and the invoices with their links", async () => {
    gateway(billingRoutes(subscription()));
    renderWithClient(<BillingPage />);

    expect(await screen.findByRole("heading", { name: "Free plan" })).toBeTruthy();
    expect(screen.getByText("Active")).toBeTruthy();
    expect(attr(await screen.findByRole("progressbar", { name: "Interviews this month: 3 of 3 used" }), "aria-valuenow")).toBe("100");
    expect(attr(screen.getByRole("progressbar", { name: "Active templates: 2 of 5 used" }), "aria-valuenow")).toBe("40");
    expect(screen.queryByRole("progressbar", { name: /Team members/ })).toBeNull();
    expect(screen.getByText("Unlimited on your plan")).toBeTruthy();
    expect(screen.getByText("12,345")).toBeTruthy();
    expect(screen.getByText("1.5 GB")).toBeTruthy();
    expect(screen.getByText(/The interview count starts again on January 1, 2027/)).toBeTruthy();

    expect(attr(await screen.findByRole("link", { name: "View invoice A1B2-0001 (opens in a new tab)" }), "href")).toBe(INVOICE.hostedInvoiceUrl);
    expect(attr(screen.getByRole("link", { name: "Download invoice A1B2-0001 as PDF" }), "href")).toBe(INVOICE.pdfUrl);
    expect(screen.getByText("$29.00")).toBeTruthy();
    expect(disabled(await screen.findByRole("button", { name: "Upgrade to Plus — $29 per month" }))).toBe(false);
    // Free without a Stripe customer: nothing to manage or cancel.
    expect(screen.queryByRole("button", { name: /Manage billing|Cancel subscription/ })).toBeNull();
    expect(await a11yFindings()).toEqual([]);
  });

  it("disables the upgrade buttons and says why when online payment is off", async () => {
    gateway(billingRoutes(subscription({ paymentsEnabled: false }), { "GET /api/billing/plans": UNSOLD, "GET /api/billing/invoices": [] }));
    renderWithClient(<BillingPage />);

    const upgrade = await screen.findByRole("button", { name: "Upgrade to Pro — $99 per month" });
    expect(disabled(upgrade)).toBe(true);
    expect(description(upgrade)).toBe(PAYMENTS_DISABLED_TEXT);
    expect(screen.getByText("Invoices appear here once online payment is enabled and a plan is bought.")).toBeTruthy();
    fireEvent.click(upgrade);
    expect(posted("/api/billing/checkout")).toHaveLength(0);
  });

  it("asks before cancelling a paid plan, then sends the cancellation and shows the end of the period", async () => {
    let sub = subscription({ planType: "plus", planName: "Plus", stripeCustomerId: "cus_1", limits: PLANS[1].limits });
    gateway(
      billingRoutes(sub, {
        "GET /api/billing/subscription": () => json(200, sub),
        "POST /api/billing/cancel": () => {
          sub = { ...sub, cancelAtPeriodEnd: true };
          return json(201, { message: "Subscription will be canceled at the end of the current period" });
        },
      }),
    );
    renderWithClient(<BillingPage />);

    fireEvent.click(await screen.findByRole("button", { name: "Cancel subscription" }));
    const dialog = await screen.findByRole("dialog", { name: "Cancel your Plus plan?" });
    expect(within(dialog).getByText(/stays active until Jan 1, 2027; then the account moves to the Free plan \(3 interviews per month/)).toBeTruthy();
    expect(posted("/api/billing/cancel")).toHaveLength(0);
    fireEvent.click(within(dialog).getByRole("button", { name: "Cancel subscription" }));

    await waitFor(() => expect(screen.queryByRole("dialog", { name: "Cancel your Plus plan?" })).toBeNull());
    expect(posted("/api/billing/cancel")).toHaveLength(1);
    expect(await screen.findByText("Your subscription is set to end")).toBeTruthy();
    expect(screen.getByText("Ends on Jan 1, 2027.")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Resume subscription" })).toBeTruthy();
  });

  it("keeps the dialog open with a plain message when a resume is refused", async () => {
    const sub = subscription({ planType: "pro", planName: "Pro", stripeCustomerId: "cus_1", cancelAtPeriodEnd: true });
    gateway(
      billingRoutes(sub, {
        "POST /api/billing/resume": () => json(422, { statusCode: 422, code: "INVALID_SUBSCRIPTION_STATE", message: "Subscription is not set to cancel" }),
      }),
    );
    renderWithClient(<BillingPage />);

    fireEvent.click(await screen.findByRole("button", { name: "Resume subscription" }));
    const dialog = await screen.findByRole("dialog", { name: "Resume your Pro plan?" });
    fireEvent.click(within(dialog).getByRole("button", { name: "Resume subscription" }));
    expect(await within(dialog).findByText("This subscription is not set to end, so there is nothing to resume.")).toBeTruthy();
    fireEvent.click(within(dialog).getByRole("button", { name: "Not now" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
  });

  it("explains the portal's answer when there is no Stripe customer yet", async () => {
    gateway(
      billingRoutes(subscription({ planType: "plus", planName: "Plus" }), {
        "POST /api/billing/portal": () => json(201, { portalUrl: null, message: "No Stripe customer found. Upgrade first." }),
      }),
    );
    renderWithClient(<BillingPage />);
    fireEvent.click(await screen.findByRole("button", { name: "Manage billing" }));
    expect(await screen.findByText(/There is no account with the payment provider yet/)).toBeTruthy();
  });

  it("warns about a failed payment", async () => {
    gateway(billingRoutes(subscription({ planType: "plus", planName: "Plus", status: "past_due", pastDueSince: "2026-12-02T00:00:00Z" })));
    renderWithClient(<BillingPage />);
    expect(await screen.findByText("Your last payment failed")).toBeTruthy();
    expect(screen.getByText("Payment overdue")).toBeTruthy();
  });

  it("thanks after checkout and drops the parameter when dismissed; says nothing was charged after a canceled one", async () => {
    gateway(billingRoutes(subscription()));
    search.value = new URLSearchParams("success=true");
    const { unmount } = renderWithClient(<BillingPage />);
    expect(await screen.findByText("Thank you, your payment went through")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Dismiss" }));
    expect(replace).toHaveBeenCalledWith("/profile/billing", { scroll: false });
    unmount();

    search.value = new URLSearchParams("canceled=true");
    renderWithClient(<BillingPage />);
    expect(await screen.findByText("Checkout canceled")).toBeTruthy();
    expect(screen.getByText("Nothing was charged and your plan is unchanged.")).toBeTruthy();
  });

  it("back from checkout, asks for the plan again until the upgrade lands, then shows the raised limits", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      let upgraded = false;
      const plus: Usage = { ...USAGE, planType: "plus", usage: { ...USAGE.usage, interviewsLimit: 100 } };
      gateway(
        billingRoutes(subscription(), {
          "GET /api/billing/subscription": () =>
            json(200, upgraded ? subscription({ planType: "plus", planName: "Plus", stripeCustomerId: "cus_1" }) : subscription()),
          "GET /api/billing/usage": () => json(200, upgraded ? plus : USAGE),
        }),
      );
      search.value = new URLSearchParams("success=true");
      renderWithClient(<BillingPage />);
      expect(await screen.findByRole("heading", { name: "Free plan" })).toBeTruthy();
      await act(async () => {
        await vi.advanceTimersByTimeAsync(3000);
      });
      expect(screen.getByRole("heading", { name: "Free plan" })).toBeTruthy();

      upgraded = true; // Stripe's webhook has been applied.
      await act(async () => {
        await vi.advanceTimersByTimeAsync(3000);
      });
      expect(await screen.findByRole("heading", { name: "Plus plan" })).toBeTruthy();
      expect(await screen.findByRole("progressbar", { name: "Interviews this month: 3 of 100 used" })).toBeTruthy();
      const asked = calls.filter((c) => c.path === "/api/billing/subscription").length;
      await act(async () => {
        await vi.advanceTimersByTimeAsync(9000);
      });
      expect(calls.filter((c) => c.path === "/api/billing/subscription")).toHaveLength(asked);
    } finally {
      vi.useRealTimers();
    }
  });

  it("says what went wrong in words when billing cannot be reached", async () => {
    gateway({ "GET /api/billing/subscription": () => json(502, { statusCode: 502, code: "BAD_GATEWAY", message: "upstream billing unavailable" }) });
    renderWithClient(<BillingPage />);
    expect(await screen.findByText("Could not load your plan")).toBeTruthy();
    expect(screen.getAllByText("Billing is unavailable right now. Try again in a minute.").length).toBeGreaterThan(0);
    expect(screen.queryByText(/upstream/)).toBeNull();
  });

  it("tells a candidate billing is for HR instead of calling the service", async () => {
    gateway({});
    renderWithClient(<BillingPage />, { ...HR, role: "candidate" });
    expect(await screen.findByText("Billing is for HR accounts")).toBeTruthy();
    expect(calls).toEqual([]);
  });
});

describe("an upgrade", () => {
  it("creates a checkout session for the chosen plan and sends the browser to it", async () => {
    gateway({ "POST /api/billing/checkout": () => json(201, { sessionId: "cs_1", checkoutUrl: "https://checkout.stripe.com/c/pay/cs_1" }) });
    const assign = vi.fn();
    renderWithClient(<UpgradePlans plans={PLANS} subscription={subscription()} assign={assign} />);

    fireEvent.click(screen.getByRole("button", { name: "Upgrade to Pro — $99 per month" }));
    await waitFor(() => expect(assign).toHaveBeenCalledWith("https://checkout.stripe.com/c/pay/cs_1"));
    expect(posted("/api/billing/checkout").map((c) => c.body)).toEqual([{ planType: "pro" }]);
    expect(disabled(screen.getByRole("button", { name: "Opening checkout…" }))).toBe(true);
  });

  it("shows the refusal in words and goes nowhere", async () => {
    gateway({
      "POST /api/billing/checkout": () => json(503, { statusCode: 503, code: "PAYMENTS_DISABLED", message: "Online payment is not enabled on this installation" }),
    });
    const assign = vi.fn();
    renderWithClient(<UpgradePlans plans={PLANS} subscription={subscription()} assign={assign} />);
    fireEvent.click(screen.getByRole("button", { name: "Upgrade to Plus — $29 per month" }));
    expect(await screen.findByText(PAYMENTS_DISABLED_TEXT)).toBeTruthy();
    expect(assign).not.toHaveBeenCalled();
  });

  it("refuses to follow a checkout address that is not a web page", async () => {
    gateway({ "POST /api/billing/checkout": () => json(201, { sessionId: "cs_1", checkoutUrl: "javascript:alert(1)" }) });
    const assign = vi.fn();
    renderWithClient(<UpgradePlans plans={PLANS} subscription={subscription()} assign={assign} />);
    fireEvent.click(screen.getByRole("button", { name: "Upgrade to Plus — $29 per month" }));
    expect(await screen.findByText("The payment page could not be opened. Try again in a minute.")).toBeTruthy();
    expect(assign).not.toHaveBeenCalled();
  });

  it("is not offered on the biggest plan", () => {
    gateway({});
    renderWithClient(<UpgradePlans plans={PLANS} subscription={subscription({ planType: "pro" })} assign={vi.fn()} />);
    expect(screen.getByText(/You are on the biggest plan/)).toBeTruthy();
    expect(screen.queryByRole("button")).toBeNull();
  });

  it("opens Stripe's portal when it answers a link", async () => {
    gateway({ "POST /api/billing/portal": () => json(201, { portalUrl: "https://billing.stripe.com/p/session/1" }) });
    const assign = vi.fn();
    const qc = new QueryClient();
    const { result } = renderHook(() => usePortal(assign), {
      wrapper: ({ children }) => <QueryClientProvider client={qc}>{children}</QueryClientProvider>,
    });
    await act(async () => {
      await result.current.mutateAsync();
    });
    expect(assign).toHaveBeenCalledWith("https://billing.stripe.com/p/session/1");
  });
});

describe("the invite dialog's quota refusal", () => {
  it("says the limit in one sentence and links to the billing page", async () => {
    renderWithClient(<QuotaDialog quota={{ resource: "interviews", limit: 3, used: 3, plan: "free", remaining: 0, message: "ignored" }} onOpenChange={vi.fn()} />);
    const dialog = await screen.findByRole("dialog", { name: "Invitation limit reached" });
    expect(description(dialog)).toBe("Your Free plan allows 3 interview invitations per month, and all 3 are used.");
    expect(attr(within(dialog).getByRole("link", { name: "See plans and usage" }), "href")).toBe("/profile/billing");
    expect(await a11yFindings()).toEqual([]);
  });
});

describe("the pricing page", () => {
  it("lists the plans the API answers, with sign-in to upgrade for visitors", async () => {
    vi.stubGlobal("fetch", async () => json(200, PLANS));
    render(await PricingPage());
    const plans = screen.getByRole("list", { name: "Plans" });
    expect(within(plans).getAllByRole("heading", { level: 2 }).map((h) => h.textContent)).toEqual(["Free", "Plus", "Pro"]);
    expect(within(plans).getByText("$99")).toBeTruthy();
    expect(within(plans).getByText("Unlimited interviews")).toBeTruthy();
    expect(within(plans).getByText("API access")).toBeTruthy();
    expect(attr(screen.getByRole("link", { name: "Create an account" }), "href")).toBe("/register");
    expect(attr(screen.getAllByRole("link", { name: "Sign in to upgrade" })[0], "href")).toBe("/login?from=%2Fprofile%2Fbilling");
    expect(screen.queryByText("Online payment is not enabled on this installation")).toBeNull();
    expect(await a11yFindings()).toEqual([]);
  });

  it("sends signed-in HR to their billing page and says when nothing can be bought", async () => {
    cookieJar.token = token({ realm_access: { roles: ["hr"] } });
    vi.stubGlobal("fetch", async () => json(200, UNSOLD));
    render(await PricingPage());
    expect(screen.getByText("Online payment is not enabled on this installation")).toBeTruthy();
    const links = screen.getAllByRole("link", { name: "See your plan and usage" });
    expect(links).toHaveLength(3);
    for (const link of links) expect(attr(link, "href")).toBe("/profile/billing");
  });

  it("shows a plain message, and no plan, when the platform cannot be reached", async () => {
    vi.stubGlobal("fetch", async () => Promise.reject(new TypeError("fetch failed")));
    render(await PricingPage());
    expect(screen.getByText("The plans cannot be shown right now")).toBeTruthy();
    expect(screen.queryByRole("list", { name: "Plans" })).toBeNull();
  });
});

function account(n: number, overrides: Partial<BillingAccount> = {}): BillingAccount {
  return {
    companyId: `c${n}`,
    accountName: `Company ${n}`,
    billingEmail: `billing${n}@example.com`,
    planType: "plus",
    status: "active",
    cancelAtPeriodEnd: false,
    currentPeriodEnd: "2027-01-01T00:00:00Z",
    usage: { interviewsUsed: 12, templatesUsed: 4, teamMembersUsed: 2, analysisTokensUsed: 9000, storageUsedMb: 300 },
    limits: PLANS[1].limits,
    ...overrides,
  };
}

describe("the admins' billing accounts", () => {
  it("lists accounts with plan, status and usage, page by page", async () => {
    gateway({
      "GET /api/admin/billing/accounts": () =>
        json(200, {
          success: true,
          data: calls.at(-1)!.search.includes("page=2")
            ? [account(21, { accountName: null, planType: "pro", limits: PLANS[2].limits, status: "past_due" })]
            : [account(1, { cancelAtPeriodEnd: true })],
          pagination: { total: 21, page: calls.at(-1)!.search.includes("page=2") ? 2 : 1, limit: 20, totalPages: 2 },
        }),
    });
    renderWithClient(<AdminBillingPage />, { ...HR, role: "admin" });

    const row = (await screen.findByText("Company 1")).closest("tr")!;
    expect(within(row).getByText("12 of 100")).toBeTruthy();
    expect(within(row).getByText("Ends Jan 1, 2027")).toBeTruthy();
    expect(within(row).getByText("9,000")).toBeTruthy();
    expect(await a11yFindings()).toEqual([]);

    fireEvent.click(screen.getByRole("button", { name: "Next" }));
    const next = (await screen.findByText("billing21@example.com")).closest("tr")!;
    expect(within(next).getByText("12 (unlimited)")).toBeTruthy();
    expect(within(next).getByText("Payment overdue")).toBeTruthy();
    expect(calls.map((c) => c.search)).toEqual(["?page=1&limit=20", "?page=2&limit=20"]);
  });
});

describe("the navigation", () => {
  it("lists the billing page for HR and admins only", () => {
    expect(accountNav("hr").map((i) => i.href)).toContain("/profile/billing");
    expect(accountNav("admin").map((i) => i.href)).toContain("/profile/billing");
    expect(accountNav("candidate").map((i) => i.href)).not.toContain("/profile/billing");
    expect(accountNav("pending").map((i) => i.href)).not.toContain("/profile/billing");
  });
});

// == cancelling an invitation ================================================================================

function invitation(id: string, status: string): InvitationListItem {
  return {
    id,
    templateId: "t1",
    templateTitle: "Backend screening",
    candidateId: `cand-${id}`,
    candidateName: `Candidate ${id}`,
    candidateEmail: `${id}@example.com`,
    companyName: "Acme",
    status,
    allowPause: true,
    expiresAt: "2099-01-01T00:00:00Z",
    progress: { answered: 0, total: 3, percentage: 0 },
    createdAt: "2026-12-01T00:00:00Z",
  };
}

describe("a withdrawn invitation on the candidate's side", () => {
  it("reads as withdrawn, with no way to start it and no expiry date", async () => {
    const withdrawn = { ...invitation("w1", "cancelled"), candidateId: "cand-me" };
    gateway({ "GET /api/invitations/candidate": { items: [withdrawn], total: 1, page: 1, limit: 50, totalPages: 1 } });
    renderWithClient(<CandidateDashboard />);

    const card = (await screen.findByRole("heading", { name: "Backend screening" })).closest("article") as HTMLElement;
    expect(within(card).getByText("Withdrawn")).toBeTruthy();
    expect(within(card).getByText(/^Invited /)).toBeTruthy();
    expect(within(card).queryByText(/Expires/)).toBeNull();
    expect(screen.queryByRole("button", { name: /Start interview/ })).toBeNull();
    expect(await a11yFindings()).toEqual([]);
  });
});

describe("cancelling an invitation", () => {
  function listRoutes(items: InvitationListItem[], cancel: Answer) {
    gateway({
      "GET /api/invitations/hr": () => json(200, { items, total: items.length, page: 1, limit: 20, totalPages: 1 }),
      "POST /api/invitations/p1/cancel": cancel,
    });
  }

  it("is offered only for pending invitations, asks first, and then sends it", async () => {
    const items = [invitation("p1", "pending"), invitation("s1", "in_progress"), invitation("x1", "cancelled")];
    listRoutes(items, () => {
      items[0] = { ...items[0], status: "cancelled" };
      return json(200, { success: true });
    });
    renderWithClient(<InvitationsList status="" onStatusChange={vi.fn()} page={1} onPageChange={vi.fn()} />);

    // Cancelling sits among each invitation's actions: the started one has actions, but not this one.
    fireEvent.click(await screen.findByRole("button", { name: "Actions for Candidate p1 – Backend screening" }));
    fireEvent.click(screen.getByRole("button", { name: "Actions for Candidate s1 – Backend screening" }));
    expect(screen.getAllByRole("button", { name: "Cancel invitation" })).toHaveLength(1);
    expect(screen.queryByRole("button", { name: /^Actions for Candidate x1/ })).toBeNull();
    expect(within(screen.getByRole("table")).getByText("Cancelled")).toBeTruthy();
    const actions = screen.getByRole("list", { name: "Actions for Candidate p1 – Backend screening" });
    fireEvent.click(within(actions).getByRole("button", { name: "Cancel invitation" }));

    const dialog = await screen.findByRole("dialog", { name: "Cancel this invitation?" });
    expect(within(dialog).getByText(/Candidate p1 will no longer be able to start “Backend screening”/)).toBeTruthy();
    expect(posted("/api/invitations/p1/cancel")).toHaveLength(0);
    expect(await a11yFindings()).toEqual([]);
    fireEvent.click(within(dialog).getByRole("button", { name: "Cancel invitation" }));

    await waitFor(() => expect(screen.queryByRole("dialog", { name: "Cancel this invitation?" })).toBeNull());
    expect(posted("/api/invitations/p1/cancel")).toHaveLength(1);
    await waitFor(() => expect(within(screen.getByRole("table")).getAllByText("Cancelled")).toHaveLength(2));
    expect(screen.queryByRole("button", { name: "Actions for Candidate p1 – Backend screening" })).toBeNull();
  });

  it("explains a refusal in words and keeps the invitation when the candidate already started", async () => {
    listRoutes([invitation("p1", "pending")], () =>
      json(409, { statusCode: 409, code: "INVALID_INVITATION_STATE", message: "Invitation is in_progress" }),
    );
    renderWithClient(<InvitationsList status="" onStatusChange={vi.fn()} page={1} onPageChange={vi.fn()} />);
    fireEvent.click(await screen.findByRole("button", { name: /^Actions for Candidate p1/ }));
    fireEvent.click(screen.getByRole("button", { name: "Cancel invitation" }));
    const dialog = await screen.findByRole("dialog", { name: "Cancel this invitation?" });
    fireEvent.click(within(dialog).getByRole("button", { name: "Cancel invitation" }));
    expect(await within(dialog).findByText(/can no longer be cancelled: the candidate has started it/)).toBeTruthy();
    expect(within(dialog).queryByText(/in_progress/)).toBeNull();
    fireEvent.click(within(dialog).getByRole("button", { name: "Keep invitation" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
  });

  it("words the refusals it knows", () => {
    expect(cancelInvitationError(new ApiError(404, "INVITATION_NOT_FOUND", "x"))).toBe("This invitation no longer exists.");
    expect(cancelInvitationError(new ApiError(403, "FORBIDDEN", "x"))).toMatch(/Only the person who sent this invitation/);
  });
});
