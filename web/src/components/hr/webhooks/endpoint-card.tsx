"use client";

import { ChevronDown, ChevronUp, KeyRound, Send, Trash2 } from "lucide-react";
import * as React from "react";
import { ConfirmDialog } from "@/components/admin/confirm-dialog";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { Alert } from "@/components/ui/feedback";
import { useToast } from "@/components/ui/toast";
import { errorMessage } from "@/lib/api";
import { formatDate } from "@/lib/utils";
import { endpointStatus, eventLabel, useDeleteWebhook, useRotateSecret, useTestWebhook, type WebhookEndpoint } from "@/lib/webhooks";
import { DeliveryLog } from "./delivery-log";

/** One endpoint: where it points, what it receives, how it is doing, and what can be done with it. */
export function EndpointCard({ endpoint, onSecret }: { endpoint: WebhookEndpoint; onSecret: (secret: string, title: string) => void }) {
  const [showLog, setShowLog] = React.useState(false);
  const [confirm, setConfirm] = React.useState<"delete" | "rotate" | null>(null);
  const test = useTestWebhook();
  const rotate = useRotateSecret();
  const remove = useDeleteWebhook(endpoint.companyId);
  const toast = useToast();
  const status = endpointStatus(endpoint);
  const logId = `webhook-log-${endpoint.id}`;

  const sendTest = () =>
    test.mutate(endpoint.id, {
      onSuccess: () => {
        setShowLog(true);
        toast({ title: "Test event sent", description: "Its delivery appears in the log below.", variant: "success" });
      },
      onError: (error) => toast({ title: "The test event was not sent", description: errorMessage(error), variant: "error" }),
    });

  const doRotate = async () => {
    try {
      const { secret } = await rotate.mutateAsync(endpoint.id);
      setConfirm(null);
      onSecret(secret, "New signing secret");
    } catch {
      // shown in the dialog
    }
  };

  const doDelete = async () => {
    try {
      await remove.mutateAsync(endpoint.id);
      setConfirm(null);
      toast({ title: "Webhook deleted", description: endpoint.url, variant: "success" });
    } catch {
      // shown in the dialog
    }
  };

  return (
    <Card data-testid="webhook-endpoint">
      <CardHeader>
        <div className="flex flex-wrap items-start justify-between gap-2">
          <CardTitle className="min-w-0 break-all font-mono text-base">{endpoint.url}</CardTitle>
          <Badge variant={status.tone}>{status.label}</Badge>
        </div>
      </CardHeader>
      <CardContent className="space-y-3 text-sm">
        {endpoint.status !== "active" && (
          <Alert variant="warning" title="Deliveries are paused">
            {endpoint.disabledReason ?? "This endpoint failed too many times in a row."} Fix the receiver, then send a test event or redeliver a failed one.
          </Alert>
        )}
        <div>
          <p className="sr-only">Events</p>
          <ul className="flex flex-wrap gap-1.5" aria-label="Events">
            {endpoint.events.map((e) => (
              <li key={e}>
                <Badge variant="secondary">{eventLabel(e)}</Badge>
              </li>
            ))}
          </ul>
        </div>
        <dl className="grid grid-cols-1 gap-x-6 gap-y-1 text-muted-foreground sm:grid-cols-3">
          <div>
            <dt className="inline">Failures in a row: </dt>
            <dd className="inline font-medium text-foreground">{endpoint.failureCount}</dd>
          </div>
          <div>
            <dt className="inline">Last delivery: </dt>
            <dd className="inline font-medium text-foreground">{endpoint.lastDeliveryAt ? formatDate(endpoint.lastDeliveryAt, true) : "never"}</dd>
          </div>
          <div>
            <dt className="inline">Added: </dt>
            <dd className="inline font-medium text-foreground">{formatDate(endpoint.createdAt)}</dd>
          </div>
        </dl>
      </CardContent>
      <CardFooter className="flex-wrap gap-2">
        <Button size="sm" variant="outline" onClick={sendTest} disabled={test.isPending}>
          <Send aria-hidden /> {test.isPending ? "Sending…" : "Send test event"}
        </Button>
        <Button size="sm" variant="outline" onClick={() => { rotate.reset(); setConfirm("rotate"); }}>
          <KeyRound aria-hidden /> Rotate secret
        </Button>
        <Button size="sm" variant="outline" onClick={() => setShowLog((v) => !v)} aria-expanded={showLog} aria-controls={logId}>
          {showLog ? <ChevronUp aria-hidden /> : <ChevronDown aria-hidden />} Delivery log
        </Button>
        <Button size="sm" variant="outline" onClick={() => { remove.reset(); setConfirm("delete"); }} aria-label={`Delete webhook ${endpoint.url}`}>
          <Trash2 aria-hidden /> Delete
        </Button>
      </CardFooter>
      {showLog && (
        <div id={logId} className="border-t p-5">
          <h3 className="mb-3 text-sm font-semibold">Delivery log</h3>
          <DeliveryLog endpointId={endpoint.id} companyId={endpoint.companyId} />
        </div>
      )}
      <ConfirmDialog
        open={confirm === "rotate"}
        onOpenChange={(open) => !open && setConfirm(null)}
        title="Rotate the signing secret?"
        description="A new secret is made and the current one stops working at once: requests signed with it will fail your receiver's check until you put the new one in."
        confirmLabel="Rotate secret"
        onConfirm={() => void doRotate()}
        pending={rotate.isPending}
        error={rotate.error}
      />
      <ConfirmDialog
        open={confirm === "delete"}
        onOpenChange={(open) => !open && setConfirm(null)}
        title="Delete this webhook?"
        description={`Nothing more is sent to ${endpoint.url}, and its delivery log is deleted with it.`}
        confirmLabel="Delete webhook"
        onConfirm={() => void doDelete()}
        pending={remove.isPending}
        error={remove.error}
      />
    </Card>
  );
}
