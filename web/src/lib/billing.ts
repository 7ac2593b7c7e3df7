/**
 * Billing (the billing service, through /api/billing and /api/admin/billing): plans, the caller's subscription,
 * usage and invoices, Stripe checkout and portal redirects, cancel and resume, the admins' list of billed
 * accounts; their query keys and hooks, and the pure helpers behind the billing, pricing and admin pages (plan
 * and status words, usage meters, amounts, plain-language errors), unit-tested in tests/billing.test.tsx.
 *
 * No "use client" here: the pricing page, a server component, renders plans with the pure helpers and
 * `fetchPlans`; the hooks are only ever called from client components.
 */

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import * as React from "react";
import { api, ApiError, errorMessage } from "@/lib/api";
import type { Paginated } from "@/lib/types";

// -- wire types -----------------------------------------------------------------------------------------------

export type PlanType = "free" | "plus" | "pro";

/** -1 means unlimited. */
export type PlanLimits = { interviewsPerMonth: number; maxTemplates: number; maxTeamMembers: number };

export type Plan = {
  type: PlanType | string;
  name: string;
  /** In cents. */
  priceMonthly: number;
  currency: string;
  limits: PlanLimits;
  features: string[];
  /** False for Free and for every plan when this installation takes no online payment. */
  purchasable: boolean;
};

export type SubscriptionStatus = "active" | "past_due" | "canceled" | "trialing";

export type Subscription = {
  id: string;
  companyId: string;
  planType: PlanType | string;
  planName: string;
  status: SubscriptionStatus | string;
  limits: PlanLimits;
  features: string[];
  stripeCustomerId: string | null;
  currentPeriodStart: string | null;
  currentPeriodEnd: string | null;
  cancelAtPeriodEnd: boolean;
  canceledAt: string | null;
  trialEnd: string | null;
  createdAt: string;
  paymentsEnabled: boolean;
  pastDueSince: string | null;
};

export type UsageFigures = {
  interviewsUsed: number;
  interviewsLimit: number;
  templatesUsed: number;
  templatesLimit: number;
  teamMembersUsed: number;
  teamMembersLimit: number;
  analysisTokensUsed: number;
  storageUsedMb: number;
};

export type Usage = { period: string; planType: PlanType | string; usage: UsageFigures; limits: PlanLimits };

export type Invoice = {
  id: string;
  number: string | null;
  status: string | null;
  /** In the currency's smallest unit (cents), as Stripe counts. */
  amountDue: number;
  amountPaid: number;
  currency: string;
  periodStart: string | null;
  periodEnd: string | null;
  hostedInvoiceUrl: string | null;
  pdfUrl: string | null;
  createdAt: string;
};

export type CheckoutSession = { sessionId: string; checkoutUrl: string };
export type PortalSession = { portalUrl: string | null; message?: string | null };

export type BillingAccount = {
  companyId: string;
  accountName: string | null;
  billingEmail: string | null;
  planType: PlanType | string;
  status: SubscriptionStatus | string;
  cancelAtPeriodEnd: boolean;
  currentPeriodEnd: string | null;
  usage: Pick<UsageFigures, "interviewsUsed" | "templatesUsed" | "teamMembersUsed" | "analysisTokensUsed" | "storageUsedMb">;
  limits: PlanLimits;
};

// -- query keys -----------------------------------------------------------------------------------------------

/** Everything about the caller's billing lives under ["billing"], so one invalidation refreshes the whole page. */
export const billingKeys = {
  all: ["billing"] as const,
  plans: ["billing", "plans"] as const,
  subscription: ["billing", "subscription"] as const,
  usage: ["billing", "usage"] as const,
  invoices: ["billing", "invoices"] as const,
  accounts: (page: number, limit: number) => ["admin", "billing", "accounts", page, limit] as const,
};

export const INVOICES_LIMIT = 12;
export const ACCOUNTS_LIMIT = 20;

// -- hooks ----------------------------------------------------------------------------------------------------

export function usePlans() {
  return useQuery({ queryKey: billingKeys.plans, queryFn: () => api.get<Plan[]>("/api/billing/plans") });
}

/**
 * The caller's subscription. Back from Stripe's checkout (`?success=true`) the upgrade lands with Stripe's
 * webhook a moment later, so the free plan is asked again every few seconds for a while.
 */
export function useSubscription(awaitingUpgrade = false) {
  return useQuery({
    queryKey: billingKeys.subscription,
    queryFn: () => api.get<Subscription>("/api/billing/subscription"),
    refetchInterval: (q) =>
      awaitingUpgrade && q.state.data?.planType === "free" && q.state.dataUpdateCount < UPGRADE_POLLS ? UPGRADE_POLL_MS : false,
  });
}

const UPGRADE_POLLS = 10;
const UPGRADE_POLL_MS = 3000;

/** When the plan changes under an open page (an upgrade landing), its limits and invoices are read again. */
export function useRefreshOnPlanChange(planType: string | undefined) {
  const qc = useQueryClient();
  const seen = React.useRef<string | undefined>(undefined);
  React.useEffect(() => {
    if (!planType) return;
    if (seen.current && seen.current !== planType) {
      void qc.invalidateQueries({ queryKey: billingKeys.usage });
      void qc.invalidateQueries({ queryKey: billingKeys.invoices });
    }
    seen.current = planType;
  }, [planType, qc]);
}

export function useUsage() {
  return useQuery({ queryKey: billingKeys.usage, queryFn: () => api.get<Usage>("/api/billing/usage") });
}

export function useInvoices(limit = INVOICES_LIMIT) {
  return useQuery({ queryKey: billingKeys.invoices, queryFn: () => api.get<Invoice[]>("/api/billing/invoices", { limit }) });
}

/** Creates a Stripe Checkout session and hands the browser to it. */
export function useCheckout(assign: (url: string) => void = (url) => window.location.assign(url)) {
  return useMutation({
    mutationFn: async (planType: string) => {
      const session = await api.post<CheckoutSession>("/api/billing/checkout", { planType });
      const url = safeExternalUrl(session.checkoutUrl);
      if (!url) throw new Error("The payment page could not be opened. Try again in a minute.");
      return url;
    },
    onSuccess: (url) => assign(url),
  });
}

/**
 * Opens Stripe's billing portal. Without a Stripe customer yet the service answers no link and a message; the
 * mutation then resolves to null and the page explains.
 */
export function usePortal(assign: (url: string) => void = (url) => window.location.assign(url)) {
  return useMutation({
    mutationFn: async () => safeExternalUrl((await api.post<PortalSession>("/api/billing/portal")).portalUrl),
    onSuccess: (url) => {
      if (url) assign(url);
    },
  });
}

function useSubscriptionChange(path: "/api/billing/cancel" | "/api/billing/resume") {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<{ message: string }>(path),
    onSettled: () => qc.invalidateQueries({ queryKey: billingKeys.all }),
  });
}

export function useCancelSubscription() {
  return useSubscriptionChange("/api/billing/cancel");
}

export function useResumeSubscription() {
  return useSubscriptionChange("/api/billing/resume");
}

/** One page of every billed account, for admins. */
export function useBillingAccounts(page: number, limit = ACCOUNTS_LIMIT) {
  return useQuery({
    queryKey: billingKeys.accounts(page, limit),
    queryFn: () => api.get<Paginated<BillingAccount>>("/api/admin/billing/accounts", { page, limit }),
    placeholderData: keepPreviousData,
  });
}

// -- the pricing page's server-side read ----------------------------------------------------------------------

/** The public plans, read by the pricing page on the server; null when the platform cannot be reached. */
export async function fetchPlans(apiBase: string, fetchImpl: typeof fetch = fetch, timeoutMs = 5000): Promise<Plan[] | null> {
  try {
    const response = await fetchImpl(`${apiBase.replace(/\/+$/, "")}/api/billing/plans`, {
      headers: { Accept: "application/json" },
      cache: "no-store",
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) return null;
    const plans = (await response.json()) as unknown;
    return Array.isArray(plans) ? (plans as Plan[]) : null;
  } catch {
    return null;
  }
}

// == pure helpers (unit-tested) ==============================================================================

export const PAYMENTS_DISABLED_TEXT = "Online payment is not enabled on this installation — ask your administrator.";

export function isUnlimited(limit: number | null | undefined): boolean {
  return typeof limit === "number" && limit < 0;
}

const PLAN_NAMES: Record<string, string> = { free: "Free", plus: "Plus", pro: "Pro" };

/** "Free", "Plus", "Pro"; an unknown type with its first letter raised. */
export function planName(type: string | null | undefined): string {
  if (!type) return "current";
  return PLAN_NAMES[type] ?? type.charAt(0).toUpperCase() + type.slice(1);
}

type Tone = "success" | "warning" | "destructive" | "secondary" | "outline";

export function subscriptionStatus(status: string): { label: string; tone: Tone } {
  switch (status) {
    case "active":
      return { label: "Active", tone: "success" };
    case "trialing":
      return { label: "Trial", tone: "secondary" };
    case "past_due":
      return { label: "Payment overdue", tone: "warning" };
    case "canceled":
      return { label: "Canceled", tone: "destructive" };
    default:
      return { label: status.replace(/_/g, " "), tone: "outline" };
  }
}

export function invoiceStatus(status: string | null): { label: string; tone: Tone } {
  switch (status) {
    case "paid":
      return { label: "Paid", tone: "success" };
    case "open":
      return { label: "Awaiting payment", tone: "warning" };
    case "draft":
      return { label: "Draft", tone: "outline" };
    case "void":
      return { label: "Voided", tone: "secondary" };
    case "uncollectible":
      return { label: "Unpaid", tone: "destructive" };
    default:
      return { label: status ? status.replace(/_/g, " ") : "Unknown", tone: "outline" };
  }
}

/** An amount in the currency's smallest unit: "$29" for whole amounts, "$29.50" otherwise, or always with cents. */
export function formatMoney(cents: number, currency = "usd", alwaysCents = false): string {
  const amount = cents / 100;
  const fraction = alwaysCents || !Number.isInteger(amount) ? 2 : 0;
  try {
    return new Intl.NumberFormat("en-US", {
      style: "currency",
      currency: currency.toUpperCase(),
      minimumFractionDigits: fraction,
      maximumFractionDigits: fraction,
    }).format(amount);
  } catch {
    // An unknown currency code: the figure and the code, still readable.
    return `${amount.toFixed(fraction)} ${currency.toUpperCase()}`;
  }
}

export function formatCount(n: number): string {
  return new Intl.NumberFormat("en-US").format(n);
}

/** Megabytes as a person reads them: "0 MB", "512 MB", "1.5 GB". */
export function formatStorage(mb: number): string {
  if (mb >= 1024) return `${formatCount(Math.round((mb / 1024) * 10) / 10)} GB`;
  return `${formatCount(Math.round(mb * 10) / 10)} MB`;
}

/** "December 2026" for the period "2026-12" (periods are UTC months). */
export function periodLabel(period: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(period);
  if (!m) return period;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)).toLocaleDateString("en-US", { month: "long", year: "numeric", timeZone: "UTC" });
}

/** The day the monthly count starts again: the first of the month after `period`, e.g. "January 1, 2027". */
export function periodResetLabel(period: string): string | null {
  const m = /^(\d{4})-(\d{2})$/.exec(period);
  if (!m) return null;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]), 1)).toLocaleDateString("en-US", { month: "long", day: "numeric", year: "numeric", timeZone: "UTC" });
}

export type Meter = {
  key: "interviews" | "templates" | "teamMembers";
  label: string;
  used: number;
  /** Null when unlimited. */
  limit: number | null;
  /** 0..100, or null when unlimited. */
  percent: number | null;
  text: string;
  state: "ok" | "near" | "full";
};

function meter(key: Meter["key"], label: string, used: number, limit: number): Meter {
  if (isUnlimited(limit)) return { key, label, used, limit: null, percent: null, text: `${formatCount(used)} used · unlimited`, state: "ok" };
  const percent = limit === 0 ? 100 : Math.min(100, Math.round((used / limit) * 100));
  const state = used >= limit ? "full" : percent >= 80 ? "near" : "ok";
  return { key, label, used, limit, percent, text: `${formatCount(used)} of ${formatCount(limit)} used`, state };
}

/** The three limited resources as meters, in the order the page shows them. */
export function usageMeters(usage: UsageFigures): Meter[] {
  return [
    meter("interviews", "Interviews this month", usage.interviewsUsed, usage.interviewsLimit),
    meter("templates", "Active templates", usage.templatesUsed, usage.templatesLimit),
    meter("teamMembers", "Team members", usage.teamMembersUsed, usage.teamMembersLimit),
  ];
}

/** A plan's limits as the pricing page lists them. */
export function limitLines(limits: PlanLimits): string[] {
  const line = (n: number, one: string, many: string, unlimited: string) =>
    isUnlimited(n) ? unlimited : `${formatCount(n)} ${n === 1 ? one : many}`;
  return [
    line(limits.interviewsPerMonth, "interview per month", "interviews per month", "Unlimited interviews"),
    line(limits.maxTemplates, "interview template", "interview templates", "Unlimited templates"),
    line(limits.maxTeamMembers, "team member", "team members", "Unlimited team members"),
  ];
}

const FEATURES: Record<string, string> = {
  basic_analysis: "AI analysis of every answer",
  full_analysis: "Full AI analysis with cited evidence",
  pdf_export: "PDF export",
  csv_export: "CSV export",
  api_access: "API access",
  webhooks: "Webhooks",
  custom_branding: "Custom branding",
  email_support: "E-mail support",
  priority_support: "Priority support",
};

/** A feature flag in words; an unknown one readable from its name. */
export function featureLabel(feature: string): string {
  if (FEATURES[feature]) return FEATURES[feature];
  const words = feature.replace(/[_-]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The plans above the current one (by price), cheapest first: what an upgrade can buy. */
export function upgradeTargets(plans: Plan[], currentPlan: string): Plan[] {
  const current = plans.find((p) => p.type === currentPlan)?.priceMonthly ?? 0;
  return plans.filter((p) => p.priceMonthly > current).sort((a, b) => a.priceMonthly - b.priceMonthly);
}

/** Whether the installation sells anything at all: a paid plan exists and none can be bought. */
export function paymentsOff(plans: Plan[]): boolean {
  return plans.some((p) => p.priceMonthly > 0) && !plans.some((p) => p.purchasable);
}

/** Only http(s) addresses leave the app (a checkout or portal link from the server). */
export function safeExternalUrl(value: string | null | undefined): string | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:" ? url.toString() : null;
  } catch {
    return null;
  }
}

export type BillingAction = "load" | "checkout" | "portal" | "cancel" | "resume";

/** What went wrong with a billing call, in words for the person who clicked. */
export function billingError(error: unknown, action: BillingAction): string {
  if (error instanceof ApiError) {
    if (error.code === "PAYMENTS_DISABLED") return PAYMENTS_DISABLED_TEXT;
    if (error.code === "INVALID_PLAN_TRANSITION")
      return "You are already on this plan or a bigger one. To move to a smaller plan, use Manage billing.";
    if (error.code === "INVALID_SUBSCRIPTION_STATE") {
      if (action === "cancel") return "There is no paid subscription to cancel, or it is already set to end.";
      if (action === "resume") return "This subscription is not set to end, so there is nothing to resume.";
    }
    if (error.statusCode === 401) return "Your session has ended. Sign in again to manage billing.";
    if (error.statusCode === 403) return "Only HR and administrators can see and change billing.";
    if (error.statusCode === 404 && action === "load") return "Billing is not available on this installation.";
    if (error.statusCode >= 500 || error.statusCode === 0) {
      if (error.statusCode === 0) return error.message;
      return action === "load"
        ? "Billing is unavailable right now. Try again in a minute."
        : "Billing is unavailable right now. Nothing was changed; try again in a minute.";
    }
  }
  return errorMessage(error);
}

/** Words for what a quota counts, as "allows 3 …". */
const QUOTA_RESOURCES: Record<string, { one: string; many: string }> = {
  interviews: { one: "interview invitation per month", many: "interview invitations per month" },
  templates: { one: "active template", many: "active templates" },
  teamMembers: { one: "team member", many: "team members" },
};

/** The sentence a quota refusal shows: "Your Free plan allows 3 interview invitations per month, and all 3 are used." */
export function quotaSentence(quota: { resource: string | null; limit: number | null; used?: number | null; plan: string | null }): string {
  const plan = quota.plan ? `${planName(quota.plan)} plan` : "plan";
  const words = QUOTA_RESOURCES[quota.resource ?? "interviews"] ?? QUOTA_RESOURCES.interviews;
  if (quota.limit === null) return `Your ${plan}'s limit of ${words.many} is used up.`;
  const allows = `Your ${plan} allows ${formatCount(quota.limit)} ${quota.limit === 1 ? words.one : words.many}`;
  const used = quota.used ?? quota.limit;
  if (used >= quota.limit) return `${allows}, and ${quota.limit === 1 ? "it is" : `all ${formatCount(quota.limit)} are`} used.`;
  return `${allows}; ${formatCount(used)} ${used === 1 ? "is" : "are"} used.`;
}
