"use client";

import { Bell } from "lucide-react";
import Link from "next/link";
import { Popover } from "radix-ui";
import * as React from "react";
import { Button } from "@/components/ui/button";
import { ErrorState, LoadingBlock } from "@/components/ui/feedback";
import { useToast } from "@/components/ui/toast";
import { errorMessage } from "@/lib/api";
import {
  bellLabel,
  unreadBadgeText,
  useLatestNotifications,
  useMarkAllRead,
  useMarkRead,
  useNotificationStream,
  useUnreadCount,
  type NotificationView,
} from "@/lib/notifications";
import { NotificationItem } from "./notification-item";

/** The header's bell: the unread count, kept live by the stream, and the latest items in a dropdown. */
export function NotificationBell() {
  const [open, setOpen] = React.useState(false);
  const unread = useUnreadCount();
  const latest = useLatestNotifications(open);
  const markRead = useMarkRead();
  const markAll = useMarkAllRead();
  const toast = useToast();
  const stream = useNotificationStream(true);

  const count = unread.data;
  const badge = unreadBadgeText(count);

  const openItem = (item: NotificationView) => {
    if (!item.readAt) markRead.mutate(item.id);
    if (item.link) setOpen(false);
  };

  const readAll = () =>
    markAll.mutate(undefined, {
      onError: (error) => toast({ title: "Could not mark your notifications as read", description: errorMessage(error), variant: "error" }),
    });

  return (
    <Popover.Root open={open} onOpenChange={setOpen}>
      <Popover.Trigger asChild>
        <Button variant="ghost" size="icon" className="relative" aria-label={bellLabel(count)} data-testid="notification-bell" data-unread={count} data-stream={stream}>
          <Bell aria-hidden />
          {badge && (
            <span
              aria-hidden
              data-testid="unread-badge"
              className="absolute -right-0.5 -top-0.5 flex h-5 min-w-5 items-center justify-center rounded-full bg-destructive px-1 text-[11px] font-bold leading-none text-destructive-foreground"
            >
              {badge}
            </span>
          )}
        </Button>
      </Popover.Trigger>
      <Popover.Portal>
        <Popover.Content
          align="end"
          sideOffset={8}
          collisionPadding={8}
          aria-labelledby="notifications-popover-title"
          className="z-50 flex max-h-[min(32rem,calc(100vh-5rem))] w-[min(24rem,calc(100vw-1rem))] flex-col rounded-lg border bg-background shadow-lg focus:outline-none"
        >
          <div className="flex items-center justify-between gap-2 border-b px-4 py-3">
            <h2 id="notifications-popover-title" className="text-sm font-semibold">
              Notifications
            </h2>
            <Button size="sm" variant="ghost" onClick={readAll} disabled={!count || markAll.isPending}>
              Mark all as read
            </Button>
          </div>
          <div className="min-h-0 flex-1 overflow-y-auto p-1">
            {latest.isPending ? (
              <div className="p-3">
                <LoadingBlock rows={2} label="Loading notifications" />
              </div>
            ) : latest.isError ? (
              <div className="p-3">
                <ErrorState error={latest.error} onRetry={() => void latest.refetch()} title="Could not load notifications" />
              </div>
            ) : latest.data.items.length === 0 ? (
              <p className="px-3 py-6 text-center text-sm text-muted-foreground">You have no notifications yet.</p>
            ) : (
              <ul aria-labelledby="notifications-popover-title" className="space-y-0.5">
                {latest.data.items.map((item) => (
                  <li key={item.id}>
                    <NotificationItem item={item} onOpen={openItem} compact />
                  </li>
                ))}
              </ul>
            )}
          </div>
          <div className="border-t p-2">
            <Button asChild variant="ghost" size="sm" className="w-full">
              <Link href="/notifications" onClick={() => setOpen(false)}>
                See all notifications
              </Link>
            </Button>
          </div>
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}
