"use client";

import { Check, CheckCheck, Settings } from "lucide-react";
import Link from "next/link";
import * as React from "react";
import { NotificationItem } from "@/components/notifications/notification-item";
import { Pager } from "@/components/hr/invitations-list";
import { Button } from "@/components/ui/button";
import { EmptyState, ErrorState, LoadingBlock, PageHeader } from "@/components/ui/feedback";
import { useToast } from "@/components/ui/toast";
import { errorMessage } from "@/lib/api";
import { useMarkAllRead, useMarkRead, useNotifications, useUnreadCount, type NotificationView } from "@/lib/notifications";
import { cn } from "@/lib/utils";

export default function NotificationsPage() {
  const [unreadOnly, setUnreadOnly] = React.useState(false);
  const [page, setPage] = React.useState(1);
  const list = useNotifications(unreadOnly, page);
  const unread = useUnreadCount();
  const markRead = useMarkRead();
  const markAll = useMarkAllRead();
  const toast = useToast();

  const show = (onlyUnread: boolean) => {
    setUnreadOnly(onlyUnread);
    setPage(1);
  };
  const read = (item: NotificationView) => {
    if (item.readAt) return;
    markRead.mutate(item.id, {
      onError: (error) => toast({ title: "Could not mark it as read", description: errorMessage(error), variant: "error" }),
    });
  };
  const readAll = () =>
    markAll.mutate(undefined, {
      onSuccess: (r) => toast({ title: r.count === 1 ? "1 notification marked as read" : `${r.count} notifications marked as read`, variant: "success" }),
      onError: (error) => toast({ title: "Could not mark your notifications as read", description: errorMessage(error), variant: "error" }),
    });

  const filterButton = (onlyUnread: boolean, label: string) => (
    <Button
      size="sm"
      variant="ghost"
      aria-pressed={unreadOnly === onlyUnread}
      onClick={() => show(onlyUnread)}
      className={cn(unreadOnly === onlyUnread && "bg-background text-foreground shadow-sm hover:bg-background")}
    >
      {label}
    </Button>
  );

  return (
    <>
      <PageHeader
        title="Notifications"
        description="What happened with your interviews, newest first."
        actions={
          <>
            <Button variant="outline" onClick={readAll} disabled={!unread.data || markAll.isPending}>
              <CheckCheck aria-hidden /> Mark all as read
            </Button>
            <Button asChild variant="outline">
              <Link href="/profile/notifications">
                <Settings aria-hidden /> Settings
              </Link>
            </Button>
          </>
        }
      />
      <div role="group" aria-label="Show" className="mb-4 inline-flex rounded-md bg-muted p-1">
        {filterButton(false, "All")}
        {filterButton(true, unread.data ? `Unread (${unread.data})` : "Unread")}
      </div>
      {list.isPending ? (
        <LoadingBlock label="Loading notifications" />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} title="Could not load your notifications" />
      ) : list.data.items.length === 0 ? (
        <EmptyState
          title={unreadOnly ? "Nothing unread" : "No notifications yet"}
          description={unreadOnly ? "You have read everything." : "Invitations, results and decisions will show up here."}
        />
      ) : (
        <>
          <ul className="divide-y rounded-lg border" aria-label={unreadOnly ? "Unread notifications" : "All notifications"}>
            {list.data.items.map((item) => (
              <li key={item.id} className="p-1">
                <NotificationItem item={item} onOpen={read}>
                  {!item.readAt && (
                    <Button size="sm" variant="ghost" className="mt-1 shrink-0" onClick={() => read(item)} aria-label={`Mark read: ${item.title || "notification"}`}>
                      <Check aria-hidden /> <span className="hidden sm:inline">Mark read</span>
                    </Button>
                  )}
                </NotificationItem>
              </li>
            ))}
          </ul>
          <Pager page={list.data.page} totalPages={list.data.totalPages} total={list.data.total} onPage={setPage} />
        </>
      )}
    </>
  );
}
