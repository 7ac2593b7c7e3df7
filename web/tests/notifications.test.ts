import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, renderHook } from "@testing-library/react";
import * as React from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError, configureApi, setFetch } from "@/lib/api";
import {
  applyStreamedNotification,
  bellLabel,
  formToUpdate,
  groupsFor,
  internalHref,
  LATEST_LIMIT,
  markReadInCache,
  nextUnreadCount,
  notificationKeys,
  parseStreamMessage,
  preferencesError,
  preferencesToForm,
  prependToPage,
  queriesTouchedBy,
  reconnectDelay,
  SUBSCRIPTION_KEYS,
  timeAgo,
  unreadBadgeText,
  useNotificationStream,
  type NotificationView,
} from "@/lib/notifications";
import type { Page } from "@/lib/types";

function item(seq: number, overrides: Partial<NotificationView> = {}): NotificationView {
  return {
    id: `n${seq}`,
    seq,
    recipientId: "u1",
    recipientEmail: null,
    channel: "in_app",
    template: "interview_completed",
    status: "sent",
    data: {},
    title: `Item ${seq}`,
    body: "Carl finished the interview.",
    link: "/hr/review/i1",
    readAt: null,
    sentAt: "2025-01-01T10:00:00Z",
    error: null,
    retryCount: 0,
    createdAt: "2025-01-01T10:00:00Z",
    ...overrides,
  };
}

function page(items: NotificationView[], total = items.length, limit = LATEST_LIMIT): Page<NotificationView> {
  return { items, total, page: 1, limit, totalPages: Math.max(1, Math.ceil(total / limit)) };
}

describe("the unread badge", () => {
  it("shows nothing at zero and the number up to 99", () => {
    expect(unreadBadgeText(undefined)).toBeNull();
    expect(unreadBadgeText(0)).toBeNull();
    expect(unreadBadgeText(1)).toBe("1");
    expect(unreadBadgeText(99)).toBe("99");
  });

  it("caps the number at 99+", () => {
    expect(unreadBadgeText(100)).toBe("99+");
    expect(unreadBadgeText(12_345)).toBe("99+");
  });

  it("spells the count out in the bell's accessible name", () => {
    expect(bellLabel(0)).toBe("Notifications, none unread");
    expect(bellLabel(3)).toBe("Notifications, 3 unread");
    expect(bellLabel(250)).toBe("Notifications, more than 99 unread");
  });
});

describe("a stream message", () => {
  it("is read as a notification when it carries one", () => {
    const parsed = parseStreamMessage(JSON.stringify(item(7)));
    expect(parsed).toEqual(item(7));
  });

  it("is ignored when it is not JSON or not a notification", () => {
    expect(parseStreamMessage("ping")).toBeNull();
    expect(parseStreamMessage("[1,2]")).toBeNull();
    expect(parseStreamMessage(JSON.stringify({ title: "no id" }))).toBeNull();
  });

  it("fills what an older payload leaves out with safe defaults", () => {
    const parsed = parseStreamMessage(JSON.stringify({ id: "x", createdAt: "2025-01-01T00:00:00Z", link: "" }));
    expect(parsed).toMatchObject({ id: "x", channel: "in_app", title: "", link: null, readAt: null, data: {} });
  });
});

describe("a streamed notification in the cache", () => {
  it("goes on top of the bell's list, newest first, keeping the list at its length", () => {
    const full = page(Array.from({ length: LATEST_LIMIT }, (_, i) => item(LATEST_LIMIT - i)), 20);
    const next = prependToPage(full, item(50))!;
    expect(next.items[0].id).toBe("n50");
    expect(next.items).toHaveLength(LATEST_LIMIT);
    expect(next.total).toBe(21);
  });

  it("leaves the list as it is when a replay repeats an item already there", () => {
    const list = page([item(2), item(1)]);
    expect(prependToPage(list, item(2))).toBe(list);
    expect(prependToPage(undefined, item(2))).toBeUndefined();
  });

  it("counts one more unread only for a new unread in-app item", () => {
    expect(nextUnreadCount(3, item(1), false)).toBe(4);
    expect(nextUnreadCount(3, item(1), true)).toBe(3);
    expect(nextUnreadCount(3, item(1, { readAt: "2025-01-01T11:00:00Z" }), false)).toBe(3);
    expect(nextUnreadCount(3, item(1, { channel: "email" }), false)).toBe(3);
    expect(nextUnreadCount(undefined, item(1), false)).toBeUndefined();
  });

  it("updates the bell's list and count once, even when the same event arrives twice", () => {
    const qc = new QueryClient();
    qc.setQueryData(notificationKeys.latest, page([item(1)]));
    qc.setQueryData(notificationKeys.unreadCount, { count: 1 });

    applyStreamedNotification(qc, item(2));
    applyStreamedNotification(qc, item(2));

    expect(qc.getQueryData<Page<NotificationView>>(notificationKeys.latest)!.items.map((n) => n.id)).toEqual(["n2", "n1"]);
    expect(qc.getQueryData(notificationKeys.unreadCount)).toEqual({ count: 2 });
  });

  it("ignores e-mail items, which never show in the bell", () => {
    const qc = new QueryClient();
    qc.setQueryData(notificationKeys.unreadCount, { count: 0 });
    applyStreamedNotification(qc, item(3, { channel: "email" }));
    expect(qc.getQueryData(notificationKeys.unreadCount)).toEqual({ count: 0 });
  });

  it("marks an item read on every cached page and lowers the count once", () => {
    const qc = new QueryClient();
    qc.setQueryData(notificationKeys.latest, page([item(2), item(1)]));
    qc.setQueryData(notificationKeys.list(false, 1, 20), page([item(2), item(1)], 2, 20));
    qc.setQueryData(notificationKeys.unreadCount, { count: 2 });

    markReadInCache(qc, "n2", "2025-01-02T00:00:00Z");
    markReadInCache(qc, "n2", "2025-01-02T00:00:00Z");

    expect(qc.getQueryData<Page<NotificationView>>(notificationKeys.latest)!.items[0].readAt).toBe("2025-01-02T00:00:00Z");
    expect(qc.getQueryData<Page<NotificationView>>(notificationKeys.list(false, 1, 20))!.items[0].readAt).toBe("2025-01-02T00:00:00Z");
    expect(qc.getQueryData(notificationKeys.unreadCount)).toEqual({ count: 1 });
  });
});

describe("where an item leads", () => {
  const origin = "https://app.example.com";

  it("keeps paths inside the app and turns this app's absolute links into paths", () => {
    expect(internalHref("/interview/abc", origin)).toBe("/interview/abc");
    expect(internalHref("https://app.example.com/hr/review/1?tab=a#q2", origin)).toBe("/hr/review/1?tab=a#q2");
  });

  it("refuses links to anywhere else", () => {
    expect(internalHref("https://evil.example.net/hr", origin)).toBeNull();
    expect(internalHref("//evil.example.net/hr", origin)).toBeNull();
    expect(internalHref("javascript:alert(1)", origin)).toBeNull();
    expect(internalHref(null, origin)).toBeNull();
  });
});

describe("time ago", () => {
  const now = new Date("2025-03-10T12:00:00Z");
  it("reads as a person would say it", () => {
    expect(timeAgo("2025-03-10T11:59:30Z", now)).toBe("just now");
    expect(timeAgo("2025-03-10T11:55:00Z", now)).toBe("5 min ago");
    expect(timeAgo("2025-03-10T09:00:00Z", now)).toBe("3 h ago");
    expect(timeAgo("2025-03-09T11:00:00Z", now)).toBe("yesterday");
    expect(timeAgo("2025-03-07T12:00:00Z", now)).toBe("3 days ago");
    expect(timeAgo("2025-01-01T12:00:00Z", now)).toMatch(/2025/);
    expect(timeAgo("not a date", now)).toBe("");
  });
});

describe("the preference form", () => {
  it("offers exactly the twelve switchable messages", () => {
    expect([...SUBSCRIPTION_KEYS].sort()).toEqual(
      [
        "analysis_failed",
        "analysis_ready",
        "candidate_approved",
        "candidate_rejected",
        "interview_completed",
        "interview_started",
        "invitation",
        "invitation_reminder",
        "payment_confirmed",
        "payment_failed",
        "quota_exceeded",
        "weekly_digest",
      ].sort(),
    );
    expect(SUBSCRIPTION_KEYS).not.toContain("welcome");
  });

  it("shows a message the stored map does not mention as on, and one set to false as off", () => {
    const form = preferencesToForm({ emailEnabled: false, inAppEnabled: true, subscriptions: { weekly_digest: false, invitation: true } });
    expect(form.emailEnabled).toBe(false);
    expect(form.inAppEnabled).toBe(true);
    expect(form.subscriptions.weekly_digest).toBe(false);
    expect(form.subscriptions.invitation).toBe(true);
    expect(form.subscriptions.analysis_ready).toBe(true);
  });

  it("saves both switches and all twelve messages, and nothing the server does not know", () => {
    const form = preferencesToForm({ emailEnabled: true, inAppEnabled: false, subscriptions: { legacy_key: false, payment_failed: false } });
    const update = formToUpdate(form);
    expect(update.emailEnabled).toBe(true);
    expect(update.inAppEnabled).toBe(false);
    expect(Object.keys(update.subscriptions).sort()).toEqual([...SUBSCRIPTION_KEYS].sort());
    expect(update.subscriptions.payment_failed).toBe(false);
    expect(update.subscriptions).not.toHaveProperty("legacy_key");
  });

  it("explains failures in plain words", () => {
    const unknownKey = new ApiError(422, "VALIDATION_ERROR", "Validation failed", [{ field: "subscriptions.welcome", message: "not switchable" }]);
    expect(preferencesError(unknownKey)).toBe("The setting “welcome” is not one this version knows. Reload the page and try again.");
    expect(preferencesError(new ApiError(503, "SERVICE_UNAVAILABLE", "upstream notifications unavailable"))).toMatch(/unavailable right now. Nothing was changed/);
    expect(preferencesError(new ApiError(401, "UNAUTHORIZED", "Unauthorized"))).toMatch(/Sign in again/);
    expect(preferencesError(new ApiError(0, "NETWORK_ERROR", "The server cannot be reached."))).toBe("The server cannot be reached.");
  });
});

describe("the live stream", () => {
  /** A stand-in for the browser's EventSource: records how it was opened and lets a test emit events. */
  class FakeEventSource {
    static CONNECTING = 0;
    static OPEN = 1;
    static CLOSED = 2;
    static opened: FakeEventSource[] = [];
    readyState = FakeEventSource.CONNECTING;
    listeners: Record<string, ((e: Event) => void)[]> = {};
    constructor(
      readonly url: string,
      readonly init?: EventSourceInit,
    ) {
      FakeEventSource.opened.push(this);
    }
    addEventListener(type: string, fn: (e: Event) => void) {
      (this.listeners[type] ??= []).push(fn);
    }
    emit(type: string, event: Event) {
      for (const fn of this.listeners[type] ?? []) fn(event);
    }
    close() {
      this.readyState = FakeEventSource.CLOSED;
    }
  }

  let refreshes = 0;
  beforeEach(() => {
    vi.useFakeTimers();
    FakeEventSource.opened = [];
    refreshes = 0;
    vi.stubGlobal("EventSource", FakeEventSource);
    configureApi("http://gateway.test");
    setFetch(async () => {
      refreshes += 1;
      return new Response("{}", { status: 200 });
    });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
    setFetch((...args) => fetch(...args));
  });

  function mount(qc: QueryClient) {
    const wrapper = ({ children }: { children: React.ReactNode }) => React.createElement(QueryClientProvider, { client: qc }, children);
    return renderHook(() => useNotificationStream(true), { wrapper });
  }

  it("opens the gateway's stream with the session cookies and puts each notification into the bell", () => {
    const qc = new QueryClient();
    qc.setQueryData(notificationKeys.unreadCount, { count: 0 });
    qc.setQueryData(notificationKeys.latest, page([]));
    const { result } = mount(qc);

    const es = FakeEventSource.opened[0];
    expect(es.url).toBe("http://gateway.test/api/notifications/stream");
    expect(es.init).toEqual({ withCredentials: true });
    expect(result.current).toBe("connecting");
    act(() => es.emit("open", new Event("open")));
    expect(result.current).toBe("open");

    act(() => es.emit("notification", new MessageEvent("notification", { data: JSON.stringify(item(4)), lastEventId: "4" })));
    expect(qc.getQueryData(notificationKeys.unreadCount)).toEqual({ count: 1 });
    expect(qc.getQueryData<Page<NotificationView>>(notificationKeys.latest)!.items[0].id).toBe("n4");
  });

  it("leaves a dropped connection to the browser, which reconnects with Last-Event-ID itself", () => {
    mount(new QueryClient());
    const es = FakeEventSource.opened[0];
    es.readyState = FakeEventSource.CONNECTING;
    act(() => es.emit("error", new Event("error")));
    vi.advanceTimersByTime(60_000);
    expect(FakeEventSource.opened).toHaveLength(1);
  });

  it("reopens a stream the server refused after refreshing the session, resuming after the last event seen", async () => {
    mount(new QueryClient());
    const first = FakeEventSource.opened[0];
    act(() => first.emit("notification", new MessageEvent("notification", { data: JSON.stringify(item(9)), lastEventId: "9" })));
    first.readyState = FakeEventSource.CLOSED;
    act(() => first.emit("error", new Event("error")));

    await act(async () => {
      await vi.advanceTimersByTimeAsync(reconnectDelay(1));
    });
    expect(refreshes).toBe(1);
    expect(FakeEventSource.opened).toHaveLength(2);
    expect(FakeEventSource.opened[1].url).toBe("http://gateway.test/api/notifications/stream?lastEventId=9");
  });

  it("closes the stream when the bell goes away", () => {
    const { unmount } = mount(new QueryClient());
    unmount();
    expect(FakeEventSource.opened[0].readyState).toBe(FakeEventSource.CLOSED);
  });

  it("waits longer after each refusal, at most half a minute", () => {
    expect([1, 2, 3, 6, 20].map(reconnectDelay)).toEqual([1000, 2000, 4000, 30_000, 30_000]);
  });
});

describe("the preference groups", () => {
  it("put the messages meant for the reader's role first and still offer all twelve", () => {
    expect(groupsFor("hr").map((g) => g.audience)).toEqual(["hr", "billing", "candidate"]);
    expect(groupsFor("candidate").map((g) => g.audience)).toEqual(["candidate", "hr", "billing"]);
    expect(groupsFor(undefined).map((g) => g.audience)).toEqual(["candidate", "hr", "billing"]);
    for (const role of ["hr", "candidate", "admin", "pending"]) {
      expect(groupsFor(role).flatMap((g) => g.toggles.map((t) => t.key)).sort()).toEqual([...SUBSCRIPTION_KEYS].sort());
    }
  });
});

describe("queriesTouchedBy", () => {
  it("refreshes HR's invitation lists and reviews when a candidate completes or an analysis lands", () => {
    expect(queriesTouchedBy("interview_completed")).toEqual([
      ["hr", "invitations"],
      ["hr", "analysis"],
    ]);
    expect(queriesTouchedBy("analysis_ready")).toEqual(queriesTouchedBy("interview_completed"));
  });

  it("refreshes the candidate's interviews and results when HR decides", () => {
    expect(queriesTouchedBy("candidate_approved")).toEqual([
      ["invitations", "candidate"],
      ["analysis", "candidate"],
    ]);
  });

  it("leaves other data alone for a notification about nothing on screen", () => {
    expect(queriesTouchedBy("welcome")).toEqual([]);
  });
});

