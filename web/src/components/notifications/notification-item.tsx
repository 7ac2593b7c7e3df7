"use client";

import Link from "next/link";
import * as React from "react";
import { internalHref, timeAgo, type NotificationView } from "@/lib/notifications";
import { cn, formatDate } from "@/lib/utils";

/**
 * One in-app notification: title, body, when, and where it leads. Opening it (following its link, or pressing it
 * when it has none) marks it read; an unread item carries a dot and says so to screen readers.
 */
export function NotificationItem({
  item,
  onOpen,
  compact = false,
  children,
}: {
  item: NotificationView;
  onOpen: (item: NotificationView) => void;
  compact?: boolean;
  children?: React.ReactNode;
}) {
  const [origin, setOrigin] = React.useState("");
  React.useEffect(() => setOrigin(window.location.origin), []);
  const href = internalHref(item.link, origin);
  const unread = !item.readAt;
  const content = (
    <>
      <span className="flex items-start gap-2">
        <span aria-hidden className={cn("mt-1.5 h-2 w-2 shrink-0 rounded-full", unread ? "bg-primary" : "bg-transparent")} />
        <span className="min-w-0 flex-1">
          <span className={cn("block break-words text-sm", unread ? "font-semibold" : "font-medium")}>
            {unread && <span className="sr-only">Unread: </span>}
            {item.title || "Notification"}
          </span>
          {item.body && <span className={cn("mt-0.5 block break-words text-sm text-muted-foreground", compact && "line-clamp-2")}>{item.body}</span>}
          <time dateTime={item.createdAt} title={formatDate(item.createdAt, true)} className="mt-1 block text-xs text-muted-foreground">
            {timeAgo(item.createdAt)}
          </time>
        </span>
      </span>
    </>
  );
  const itemClass = "block w-full rounded-md px-3 py-2 text-left hover:bg-accent focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring";
  return (
    <div className={cn("flex items-start gap-2", unread && "bg-accent/40")} data-testid="notification-item">
      {href ? (
        <Link href={href} className={itemClass} onClick={() => onOpen(item)}>
          {content}
        </Link>
      ) : (
        <button type="button" className={itemClass} onClick={() => onOpen(item)}>
          {content}
        </button>
      )}
      {children}
    </div>
  );
}
