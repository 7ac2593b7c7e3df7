"use client";

import { ExternalLink } from "lucide-react";
import * as React from "react";
import { ConfirmDialog } from "@/components/admin/confirm-dialog";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Alert } from "@/components/ui/feedback";
import { useToast } from "@/components/ui/toast";
import {
  billingError,
  limitLines,
  PAYMENTS_DISABLED_TEXT,
  planName,
  subscriptionStatus,
  useCancelSubscription,
  usePortal,
  useResumeSubscription,
  type Plan,
  type Subscription,
} from "@/lib/billing";
import { formatDate } from "@/lib/utils";

/** The current plan: status, renewal or end date, notices, and the portal, cancel and resume actions. */
export function SubscriptionCard({ subscription, freePlan }: { subscription: Subscription; freePlan?: Plan }) {
  const toast = useToast();
  const portal = usePortal();
  const cancel = useCancelSubscription();
  const resume = useResumeSubscription();
  const [confirming, setConfirming] = React.useState<"cancel" | "resume" | null>(null);
  const [portalNote, setPortalNote] = React.useState<string | null>(null);

  const s = subscription;
  const paid = s.planType !== "free";
  const status = subscriptionStatus(s.status);
  const ends = formatDate(s.currentPeriodEnd);
  const name = s.planName || planName(s.planType);
  const freeLimits = freePlan ? limitLines(freePlan.limits).join(", ").toLowerCase() : null;
  const disabledId = "portal-disabled-reason";

  const openPortal = () => {
    setPortalNote(null);
    portal.mutate(undefined, {
      onSuccess: (url) => {
        if (!url) setPortalNote("There is no account with the payment provider yet: it is created with your first upgrade.");
      },
    });
  };

  const run = (which: "cancel" | "resume") => {
    const mutation = which === "cancel" ? cancel : resume;
    mutation.mutate(undefined, {
      onSuccess: (result) => {
        setConfirming(null);
        toast({ title: which === "cancel" ? "Subscription set to end" : "Subscription resumed", description: result?.message, variant: "success" });
      },
    });
  };

  return (
    <Card>
      <CardHeader>
        <div className="flex flex-wrap items-center gap-2">
          <CardTitle>{name} plan</CardTitle>
          <Badge variant={status.tone}>{status.label}</Badge>
        </div>
        <CardDescription>
          {!paid
            ? "The Free plan costs nothing and does not renew."
            : s.cancelAtPeriodEnd
              ? `Ends on ${ends}.`
              : s.status === "trialing" && s.trialEnd
                ? `Trial until ${formatDate(s.trialEnd)}, then renews monthly.`
                : `Renews on ${ends}.`}
        </CardDescription>
      </CardHeader>
      <CardContent className="space-y-4">
        {paid && s.cancelAtPeriodEnd && (
          <Alert variant="warning" title="Your subscription is set to end">
            Your {name} plan stays active until {ends}. After that the account moves to the Free plan
            {freeLimits ? ` (${freeLimits})` : ""}. Resume the subscription to keep {name}.
          </Alert>
        )}
        {s.status === "past_due" && (
          <Alert variant="warning" title="Your last payment failed">
            {s.pastDueSince ? `The payment due on ${formatDate(s.pastDueSince)} did not go through. ` : ""}
            Update your payment method under Manage billing. Without payment the account moves to the Free plan after a short grace period.
          </Alert>
        )}
        {(paid || s.stripeCustomerId) && (
          <div className="flex flex-wrap gap-2">
            <Button
              variant="outline"
              onClick={openPortal}
              disabled={!s.paymentsEnabled || portal.isPending}
              aria-describedby={!s.paymentsEnabled ? disabledId : undefined}
            >
              <ExternalLink aria-hidden /> {portal.isPending ? "Opening…" : "Manage billing"}
            </Button>
            {paid && !s.cancelAtPeriodEnd && (
              <Button variant="outline" className="text-destructive" onClick={() => (cancel.reset(), setConfirming("cancel"))}>
                Cancel subscription
              </Button>
            )}
            {paid && s.cancelAtPeriodEnd && <Button onClick={() => (resume.reset(), setConfirming("resume"))}>Resume subscription</Button>}
          </div>
        )}
        {(paid || s.stripeCustomerId) && !s.paymentsEnabled && (
          <p id={disabledId} className="text-sm text-muted-foreground">
            {PAYMENTS_DISABLED_TEXT}
          </p>
        )}
        {portal.isError && <Alert variant="error">{billingError(portal.error, "portal")}</Alert>}
        {portalNote && <Alert variant="info">{portalNote}</Alert>}
      </CardContent>

      <ConfirmDialog
        open={confirming === "cancel"}
        onOpenChange={(open) => !open && setConfirming(null)}
        title={`Cancel your ${name} plan?`}
        description={`Nothing is charged after this period. Your ${name} plan stays active until ${ends}; then the account moves to the Free plan${freeLimits ? ` (${freeLimits})` : ""}. You can resume before that date.`}
        confirmLabel="Cancel subscription"
        dismissLabel={`Keep ${name}`}
        pending={cancel.isPending}
        error={cancel.isError ? new Error(billingError(cancel.error, "cancel")) : undefined}
        onConfirm={() => run("cancel")}
      />
      <ConfirmDialog
        open={confirming === "resume"}
        onOpenChange={(open) => !open && setConfirming(null)}
        title={`Resume your ${name} plan?`}
        description={`Your subscription continues and renews on ${ends} at the usual price.`}
        confirmLabel="Resume subscription"
        dismissLabel="Not now"
        destructive={false}
        pending={resume.isPending}
        error={resume.isError ? new Error(billingError(resume.error, "resume")) : undefined}
        onConfirm={() => run("resume")}
      />
    </Card>
  );
}
