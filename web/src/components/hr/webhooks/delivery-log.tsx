"use client";

import { RotateCcw } from "lucide-react";
import * as React from "react";
import { Pager } from "@/components/hr/invitations-list";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { EmptyState, ErrorState, LoadingBlock } from "@/components/ui/feedback";
import { useToast } from "@/components/ui/toast";
import { errorMessage } from "@/lib/api";
import { formatDate } from "@/lib/utils";
import { deliveryStatus, eventLabel, formatDuration, useDeliveries, useEndpointFollowsLog, useRedeliver } from "@/lib/webhooks";

/** An endpoint's deliveries, newest first: what was sent, how the receiver answered, and a way to send it again. */
export function DeliveryLog({ endpointId, companyId }: { endpointId: string; companyId: string }) {
  const [page, setPage] = React.useState(1);
  const deliveries = useDeliveries(endpointId, page);
  const redeliver = useRedeliver(endpointId, companyId);
  useEndpointFollowsLog(companyId, deliveries.dataUpdatedAt);
  const toast = useToast();

  const again = (id: string) =>
    redeliver.mutate(id, {
      onSuccess: () => toast({ title: "Sent again", description: "A new delivery was queued; it appears at the top of the log.", variant: "success" }),
      onError: (error) => toast({ title: "Could not send it again", description: errorMessage(error), variant: "error" }),
    });

  if (deliveries.isPending) return <LoadingBlock rows={2} label="Loading deliveries" />;
  if (deliveries.isError) return <ErrorState error={deliveries.error} onRetry={() => void deliveries.refetch()} title="Could not load the delivery log" />;
  if (deliveries.data.items.length === 0)
    return <EmptyState title="Nothing delivered yet" description="Send a test event, or wait for one of the chosen events to happen." />;

  return (
    <div>
      {/* A table from the small breakpoint up; on a phone each delivery is a stacked block. */}
      <ul className="space-y-2 sm:hidden" aria-label="Deliveries">
        {deliveries.data.items.map((d) => {
          const status = deliveryStatus(d.status);
          return (
            <li key={d.id} className="space-y-1 rounded-md border p-3 text-sm">
              <div className="flex flex-wrap items-center justify-between gap-2">
                <span className="font-medium">{eventLabel(d.eventType)}</span>
                <Badge variant={status.tone}>{status.label}</Badge>
              </div>
              <p className="text-xs text-muted-foreground">
                {formatDate(d.deliveredAt ?? d.createdAt, true)} · attempt {d.attempt} · response {d.responseCode ?? "none"} · {formatDuration(d.durationMs)}
              </p>
              {d.error && <p className="break-words text-xs text-muted-foreground">{d.error}</p>}
              <Button size="sm" variant="outline" onClick={() => again(d.id)} disabled={redeliver.isPending} aria-label={`Redeliver ${eventLabel(d.eventType)} from ${formatDate(d.createdAt, true)}`}>
                <RotateCcw aria-hidden /> Redeliver
              </Button>
            </li>
          );
        })}
      </ul>
      <div className="relative hidden overflow-x-auto rounded-md border sm:block">
        <table className="w-full min-w-[40rem] text-left text-sm">
          <caption className="sr-only">Deliveries</caption>
          <thead className="bg-muted/60 text-xs uppercase tracking-wide text-muted-foreground">
            <tr>
              <th scope="col" className="px-3 py-2 font-semibold">Event</th>
              <th scope="col" className="px-3 py-2 font-semibold">Status</th>
              <th scope="col" className="px-3 py-2 font-semibold">Response</th>
              <th scope="col" className="px-3 py-2 font-semibold">Duration</th>
              <th scope="col" className="px-3 py-2 font-semibold">Attempt</th>
              <th scope="col" className="px-3 py-2 font-semibold">Time</th>
              <th scope="col" className="px-3 py-2 font-semibold"><span className="sr-only">Actions</span></th>
            </tr>
          </thead>
          <tbody className="divide-y">
            {deliveries.data.items.map((d) => {
              const status = deliveryStatus(d.status);
              return (
                <tr key={d.id}>
                  <td className="px-3 py-2">
                    <span className="block font-medium">{eventLabel(d.eventType)}</span>
                    <span className="block font-mono text-xs text-muted-foreground">{d.eventType}</span>
                  </td>
                  <td className="px-3 py-2">
                    <Badge variant={status.tone}>{status.label}</Badge>
                    {d.error && <span className="mt-1 block max-w-xs break-words text-xs text-muted-foreground">{d.error}</span>}
                    {d.status === "failed" && d.nextAttemptAt && (
                      <span className="mt-1 block text-xs text-muted-foreground">Next try {formatDate(d.nextAttemptAt, true)}</span>
                    )}
                  </td>
                  <td className="px-3 py-2 font-mono">{d.responseCode ?? "—"}</td>
                  <td className="px-3 py-2">{formatDuration(d.durationMs)}</td>
                  <td className="px-3 py-2">{d.attempt}</td>
                  <td className="px-3 py-2 whitespace-nowrap">{formatDate(d.deliveredAt ?? d.createdAt, true)}</td>
                  <td className="px-3 py-2 text-right">
                    <Button size="sm" variant="outline" onClick={() => again(d.id)} disabled={redeliver.isPending} aria-label={`Redeliver ${eventLabel(d.eventType)} from ${formatDate(d.createdAt, true)}`}>
                      <RotateCcw aria-hidden /> Redeliver
                    </Button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <Pager page={deliveries.data.page} totalPages={deliveries.data.totalPages} total={deliveries.data.total} onPage={setPage} />
    </div>
  );
}
