"use client";

/**
 * Notifications (the notifications service, through /api/notifications and /api/notification-preferences): the
 * in-app items and the caller's preferences, their query keys and hooks, the live stream that keeps the bell
 * current, and the pure helpers behind them (reading a stream message into the cache, the badge text, the
 * preference form), unit-tested in tests/notifications.test.ts.
 */

import { keepPreviousData, useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import * as React from "react";
import { api, ApiError, errorMessage, getApiBase, refreshSession } from "@/lib/api";
import { invitationKeys } from "@/lib/invitations";
import type { Page } from "@/lib/types";

// -- wire types -----------------------------------------------------------------------------------------------

export type NotificationChannel = "email" | "in_app" | "webhook";

export type NotificationView = {
  id: string;
  /** The stream's order: the SSE event id, so a reconnect resumes after the last one seen. */
  seq: number;
  recipientId: string;
  recipientEmail: string | null;
  channel: NotificationChannel | string;
  template: string;
  status: string;
  data: Record<string, unknown>;
  title: string;
  body: string;
  link: string | null;
  readAt: string | null;
  sentAt: string | null;
  error: string | null;
  retryCount: number;
  createdAt: string;
};

export type Preferences = {
  userId: string;
  emailEnabled: boolean;
  inAppEnabled: boolean;
  subscriptions: Record<string, boolean>;
  updatedAt: string | null;
};

export type PreferencesUpdate = {
  emailEnabled?: boolean;
  inAppEnabled?: boolean;
  subscriptions?: Record<string, boolean>;
};

// -- query keys -----------------------------------------------------------------------------------------------

/** Everything about the inbox lives under ["notifications"], so one invalidation refreshes the bell and the page. */
export const notificationKeys = {
  all: ["notifications"] as const,
  lists: ["notifications", "list"] as const,
  list: (unreadOnly: boolean, page: number, limit: number) => ["notifications", "list", unreadOnly ? "unread" : "all", page, limit] as const,
  latest: ["notifications", "latest"] as const,
  unreadCount: ["notifications", "unread-count"] as const,
  preferences: ["notification-preferences"] as const,
};

/** How many items the bell's dropdown shows. */
export const LATEST_LIMIT = 8;
export const PAGE_LIMIT = 20;

// -- hooks ----------------------------------------------------------------------------------------------------

function fetchInbox(query: { unreadOnly: boolean; page: number; limit: number }) {
  return api.get<Page<NotificationView>>("/api/notifications", {
    channel: "in_app",
    unread: query.unreadOnly ? true : undefined,
    page: query.page,
    limit: query.limit,
  });
}

export function useNotifications(unreadOnly: boolean, page = 1, limit = PAGE_LIMIT) {
  return useQuery({
    queryKey: notificationKeys.list(unreadOnly, page, limit),
    queryFn: () => fetchInbox({ unreadOnly, page, limit }),
    placeholderData: keepPreviousData,
  });
}

/** The newest in-app items, for the bell's dropdown. */
export function useLatestNotifications(enabled: boolean) {
  return useQuery({
    queryKey: notificationKeys.latest,
    queryFn: () => fetchInbox({ unreadOnly: false, page: 1, limit: LATEST_LIMIT }),
    enabled,
  });
}

export function useUnreadCount() {
  return useQuery({
    queryKey: notificationKeys.unreadCount,
    queryFn: () => api.get<{ count: number }>("/api/notifications/unread-count"),
    select: (r) => r.count,
    // No polling: the stream keeps it current, and every reconnect refetches what a cut may have hidden.
  });
}

export function useMarkRead() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.post<{ success: true }>(`/api/notifications/${encodeURIComponent(id)}/read`),
    onMutate: (id) => markReadInCache(qc, id, new Date().toISOString()),
    onSettled: () => qc.invalidateQueries({ queryKey: notificationKeys.all }),
  });
}

export function useMarkAllRead() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<{ success: true; count: number }>("/api/notifications/read-all"),
    onSettled: () => qc.invalidateQueries({ queryKey: notificationKeys.all }),
  });
}

export function usePreferences() {
  return useQuery({
    queryKey: notificationKeys.preferences,
    queryFn: () => api.get<Preferences>("/api/notification-preferences"),
  });
}

export function useSavePreferences() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (update: PreferencesUpdate) => api.put<{ success: true }>("/api/notification-preferences", update),
    onSuccess: () => qc.invalidateQueries({ queryKey: notificationKeys.preferences }),
  });
}

// -- the live stream ------------------------------------------------------------------------------------------

/** Waits before reopening a stream the server closed (an expired session, a restart): 1 s, 2 s, … at most 30 s. */
export function reconnectDelay(failures: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, failures - 1));
}

/**
 * Keeps the bell current while the app is open: an EventSource on the gateway's stream (it rides the session
 * cookies, since an EventSource cannot send headers). Each `notification` event is put into the cache at once,
 * then the inbox queries are refetched to agree with the server. Network drops are the browser's to retry (it
 * sends Last-Event-ID itself); a stream the server refused (an expired session) is closed for good by the
 * browser, so it is reopened here after a session refresh, resuming after the last event seen. Answers the
 * stream's state, which the bell exposes for the browser journey.
 */
export type StreamState = "off" | "connecting" | "open";

export function useNotificationStream(enabled: boolean): StreamState {
  const qc = useQueryClient();
  const [state, setState] = React.useState<StreamState>("off");
  React.useEffect(() => {
    if (!enabled || typeof EventSource === "undefined") return;
    let source: EventSource | null = null;
    let lastSeq: string | null = null;
    let failures = 0;
    let retry: number | undefined;
    let reconcile: number | undefined;
    let closed = false;

    // A replay after a reconnect arrives as a burst: one refetch for the burst, not one per item.
    const scheduleReconcile = () => {
      window.clearTimeout(reconcile);
      reconcile = window.setTimeout(() => void qc.invalidateQueries({ queryKey: notificationKeys.all }), 500);
    };

    const open = () => {
      const url = new URL(`${getApiBase()}/api/notifications/stream`);
      if (lastSeq) url.searchParams.set("lastEventId", lastSeq);
      const es = new EventSource(url.toString(), { withCredentials: true });
      source = es;
      setState("connecting");
      es.addEventListener("open", () => {
        setState("open");
        // Anything that changed while no stream was open (read elsewhere, for instance) is fetched again.
        if (failures > 0) scheduleReconcile();
        failures = 0;
      });
      es.addEventListener("notification", (event) => {
        const message = event as MessageEvent<string>;
        if (message.lastEventId) lastSeq = message.lastEventId;
        const item = parseStreamMessage(message.data);
        if (!item) return;
        applyStreamedNotification(qc, item);
        for (const queryKey of queriesTouchedBy(item.template)) void qc.invalidateQueries({ queryKey });
        scheduleReconcile();
      });
      es.addEventListener("error", () => {
        if (closed) return;
        setState("connecting");
        if (es.readyState !== EventSource.CLOSED) return;
        failures += 1;
        retry = window.setTimeout(() => {
          void refreshSession().finally(() => {
            if (!closed) open();
          });
        }, reconnectDelay(failures));
      });
    };

    open();
    return () => {
      closed = true;
      window.clearTimeout(retry);
      window.clearTimeout(reconcile);
      source?.close();
      setState("off");
    };
  }, [enabled, qc]);
  return state;
}

// == pure helpers (unit-tested) ==============================================================================

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A stream message's data as a notification, or null for anything that is not one (it is then ignored). */
export function parseStreamMessage(data: string): NotificationView | null {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (!isRecord(value) || typeof value.id !== "string" || typeof value.createdAt !== "string") return null;
  return {
    id: value.id,
    seq: typeof value.seq === "number" ? value.seq : 0,
    recipientId: typeof value.recipientId === "string" ? value.recipientId : "",
    recipientEmail: typeof value.recipientEmail === "string" ? value.recipientEmail : null,
    channel: typeof value.channel === "string" ? value.channel : "in_app",
    template: typeof value.template === "string" ? value.template : "",
    status: typeof value.status === "string" ? value.status : "sent",
    data: isRecord(value.data) ? value.data : {},
    title: typeof value.title === "string" ? value.title : "",
    body: typeof value.body === "string" ? value.body : "",
    link: typeof value.link === "string" && value.link ? value.link : null,
    readAt: typeof value.readAt === "string" ? value.readAt : null,
    sentAt: typeof value.sentAt === "string" ? value.sentAt : null,
    error: typeof value.error === "string" ? value.error : null,
    retryCount: typeof value.retryCount === "number" ? value.retryCount : 0,
    createdAt: value.createdAt,
  };
}

/**
 * The first page with `item` at its top, newest first and at most `limit` long; the same page when it already
 * holds the item (a replay after a reconnect repeats what was seen).
 */
export function prependToPage(page: Page<NotificationView> | undefined, item: NotificationView, limit = LATEST_LIMIT): Page<NotificationView> | undefined {
  if (!page) return page;
  if (page.items.some((n) => n.id === item.id)) return page;
  const items = [item, ...page.items].sort((a, b) => b.seq - a.seq).slice(0, limit);
  const total = page.total + 1;
  return { ...page, items, total, totalPages: Math.max(1, Math.ceil(total / page.limit)) };
}

/** The unread count after a streamed item: one more for an unread in-app item not counted before. */
export function nextUnreadCount(count: number | undefined, item: NotificationView, alreadyKnown: boolean): number | undefined {
  if (count === undefined || alreadyKnown || item.readAt || item.channel !== "in_app") return count;
  return count + 1;
}

// What a notification says has changed elsewhere in the app: HR's lists and reviews when a candidate moves,
// the candidate's own interviews and results when HR decides or an invitation arrives.
const HR_VIEWS = [invitationKeys.hr, ["hr", "analysis"]] as const;
const CANDIDATE_VIEWS = [invitationKeys.candidate, ["analysis", "candidate"]] as const;
const TOUCHES: Record<string, readonly (readonly string[])[]> = {
  interview_started: HR_VIEWS,
  interview_completed: HR_VIEWS,
  analysis_ready: HR_VIEWS,
  analysis_failed: HR_VIEWS,
  invitation: CANDIDATE_VIEWS,
  invitation_reminder: CANDIDATE_VIEWS,
  candidate_approved: CANDIDATE_VIEWS,
  candidate_rejected: CANDIDATE_VIEWS,
};

/** The query keys whose data a notification of this template has made stale. */
export function queriesTouchedBy(template: string): readonly (readonly string[])[] {
  return TOUCHES[template] ?? [];
}

/** Puts a streamed notification into the bell's caches at once (the refetch that follows confirms it). */
export function applyStreamedNotification(qc: QueryClient, item: NotificationView): void {
  if (item.channel !== "in_app") return;
  const latest = qc.getQueryData<Page<NotificationView>>(notificationKeys.latest);
  const known = latest?.items.some((n) => n.id === item.id) ?? false;
  qc.setQueryData<Page<NotificationView>>(notificationKeys.latest, (page) => prependToPage(page, item));
  qc.setQueryData<{ count: number }>(notificationKeys.unreadCount, (old) => {
    const count = nextUnreadCount(old?.count, item, known);
    return count === undefined ? old : { count };
  });
}

/** Marks one item read in every cached page of the inbox, and lowers the unread count when it was unread. */
export function markReadInCache(qc: QueryClient, id: string, readAt: string): void {
  let wasUnread = false;
  for (const [key, page] of qc.getQueriesData<Page<NotificationView>>({ queryKey: notificationKeys.all })) {
    if (!page || !Array.isArray(page.items)) continue;
    if (!page.items.some((n) => n.id === id && !n.readAt)) continue;
    wasUnread = true;
    qc.setQueryData<Page<NotificationView>>(key, { ...page, items: page.items.map((n) => (n.id === id ? { ...n, readAt } : n)) });
  }
  if (wasUnread) {
    qc.setQueryData<{ count: number }>(notificationKeys.unreadCount, (old) => (old ? { count: Math.max(0, old.count - 1) } : old));
  }
}

/** The badge on the bell: nothing at 0, the number up to 99, then "99+". */
export function unreadBadgeText(count: number | undefined): string | null {
  if (!count || count < 0) return null;
  return count > 99 ? "99+" : String(count);
}

/** The bell's accessible name, with the count spelled out. */
export function bellLabel(count: number | undefined): string {
  if (!count) return "Notifications, none unread";
  return `Notifications, ${count > 99 ? "more than 99" : count} unread`;
}

/** "just now", "5 min ago", "3 h ago", "2 days ago", then the date. */
export function timeAgo(iso: string, now: Date = new Date()): string {
  const then = new Date(iso);
  if (Number.isNaN(then.getTime())) return "";
  const seconds = Math.round((now.getTime() - then.getTime()) / 1000);
  if (seconds < 60) return "just now";
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.floor(hours / 24);
  if (days < 7) return days === 1 ? "yesterday" : `${days} days ago`;
  return then.toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
}

/**
 * Where clicking an item goes: a path inside the app as is; an absolute link to this app's own origin as its
 * path (links in e-mails are absolute); anything else not at all (an item must never send people off-site).
 */
export function internalHref(link: string | null, origin: string): string | null {
  if (!link) return null;
  if (link.startsWith("/") && !link.startsWith("//")) return link;
  try {
    const url = new URL(link);
    return url.origin === origin ? `${url.pathname}${url.search}${url.hash}` : null;
  } catch {
    return null;
  }
}

// -- preferences ----------------------------------------------------------------------------------------------

export type SubscriptionKey =
  | "invitation"
  | "invitation_reminder"
  | "interview_started"
  | "interview_completed"
  | "analysis_ready"
  | "analysis_failed"
  | "candidate_approved"
  | "candidate_rejected"
  | "payment_confirmed"
  | "payment_failed"
  | "quota_exceeded"
  | "weekly_digest";

type Toggle = { key: SubscriptionKey; label: string; description: string };
export type ToggleGroup = { audience: "candidate" | "hr" | "billing"; title: string; description: string; toggles: Toggle[] };

/** The switchable messages, grouped by who receives them. */
export const SUBSCRIPTION_GROUPS: ToggleGroup[] = [
  {
    audience: "candidate",
    title: "Your interviews",
    description: "For candidates.",
    toggles: [
      { key: "invitation", label: "Interview invitations", description: "When a company invites you to an interview." },
      { key: "invitation_reminder", label: "Reminders before an invitation expires", description: "A day and two hours before the deadline, if you have not finished." },
      { key: "candidate_approved", label: "Approvals", description: "When a company approves you after your interview." },
      { key: "candidate_rejected", label: "Decisions not in your favour", description: "When a company decides not to go ahead." },
    ],
  },
  {
    audience: "hr",
    title: "Candidates you invited",
    description: "For HR.",
    toggles: [
      { key: "interview_started", label: "A candidate started", description: "When a candidate begins an interview you sent." },
      { key: "interview_completed", label: "A candidate finished", description: "When a candidate completes an interview and the answers are ready to review." },
      { key: "analysis_ready", label: "AI analysis ready", description: "When the scores and summary of an interview are ready." },
      { key: "analysis_failed", label: "AI analysis failed", description: "When an interview could not be analysed, so you can retry." },
      { key: "weekly_digest", label: "Weekly summary", description: "Every Monday: completed interviews, new candidates and reviews waiting for you." },
    ],
  },
  {
    audience: "billing",
    title: "Billing",
    description: "For the account holder.",
    toggles: [
      { key: "payment_confirmed", label: "Payment confirmations", description: "When a payment goes through and your plan is active." },
      { key: "payment_failed", label: "Failed payments", description: "When a payment fails and your plan needs attention." },
      { key: "quota_exceeded", label: "Usage limit reached", description: "When you reach a limit of your plan." },
    ],
  },
];

/** Every group, the ones meant for `role` first (HR pays for the plan, so billing follows HR's own group). */
export function groupsFor(role: string | undefined): ToggleGroup[] {
  const order: Record<string, ToggleGroup["audience"][]> = {
    candidate: ["candidate", "hr", "billing"],
    hr: ["hr", "billing", "candidate"],
    admin: ["hr", "billing", "candidate"],
  };
  const audiences = order[role ?? ""] ?? ["candidate", "hr", "billing"];
  return audiences.map((a) => SUBSCRIPTION_GROUPS.find((g) => g.audience === a)!);
}

export const SUBSCRIPTION_KEYS: SubscriptionKey[] = SUBSCRIPTION_GROUPS.flatMap((g) => g.toggles.map((t) => t.key));

export type PreferencesForm = {
  emailEnabled: boolean;
  inAppEnabled: boolean;
  subscriptions: Record<SubscriptionKey, boolean>;
};

/** The form's values: a message the stored map does not mention is on (absent means subscribed). */
export function preferencesToForm(prefs: Pick<Preferences, "emailEnabled" | "inAppEnabled" | "subscriptions">): PreferencesForm {
  const subscriptions = Object.fromEntries(SUBSCRIPTION_KEYS.map((key) => [key, prefs.subscriptions?.[key] !== false])) as Record<SubscriptionKey, boolean>;
  return { emailEnabled: prefs.emailEnabled, inAppEnabled: prefs.inAppEnabled, subscriptions };
}

/** The PUT body: both switches and every one of the switchable messages, so what is saved is what is shown. */
export function formToUpdate(form: PreferencesForm): Required<PreferencesUpdate> {
  return {
    emailEnabled: form.emailEnabled,
    inAppEnabled: form.inAppEnabled,
    subscriptions: Object.fromEntries(SUBSCRIPTION_KEYS.map((key) => [key, form.subscriptions[key] !== false])),
  };
}

/** Why saving or loading the settings failed, in words a person can act on. */
export function preferencesError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.statusCode === 0) return error.message;
    if (error.statusCode === 401) return "Your session has ended. Sign in again, then save your settings.";
    if (error.statusCode === 422) {
      const fields = Object.keys(error.fieldErrors());
      const key = fields.map((f) => f.split(".").pop()).find(Boolean);
      return key
        ? `The setting “${key}” is not one this version knows. Reload the page and try again.`
        : "These settings could not be saved as they are. Reload the page and try again.";
    }
    if (error.statusCode >= 500) return "Notification settings are unavailable right now. Nothing was changed; try again in a minute.";
    return error.message;
  }
  return errorMessage(error);
}
