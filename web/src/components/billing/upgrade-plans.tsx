"use client";

import * as React from "react";
import { PlanCards } from "@/components/billing/plan-cards";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/feedback";
import { billingError, formatMoney, PAYMENTS_DISABLED_TEXT, upgradeTargets, useCheckout, type Plan, type Subscription } from "@/lib/billing";

/**
 * The plans above the current one, each with its upgrade button (Stripe Checkout). Without online payment the
 * buttons stay visible but disabled, and the reason is read with them.
 */
export function UpgradePlans({
  plans,
  subscription,
  assign,
}: {
  plans: Plan[];
  subscription: Subscription;
  /** Where the browser goes for checkout; tests pass their own. */
  assign?: (url: string) => void;
}) {
  const checkout = useCheckout(assign);
  const [chosen, setChosen] = React.useState<string | null>(null);
  const targets = upgradeTargets(plans, subscription.planType);
  if (targets.length === 0) return <p className="text-sm text-muted-foreground">You are on the biggest plan. To move to a smaller one, use Manage billing.</p>;
  const reasonId = "upgrade-disabled-reason";
  // Still busy once the session exists: the browser is on its way to Stripe.
  const busy = checkout.isPending || checkout.isSuccess;
  return (
    <div className="space-y-4">
      {!subscription.paymentsEnabled && (
        <p id={reasonId} className="rounded-md border border-dashed p-3 text-sm">
          {PAYMENTS_DISABLED_TEXT}
        </p>
      )}
      {checkout.isError && <Alert variant="error" title="The upgrade did not start">{billingError(checkout.error, "checkout")}</Alert>}
      <PlanCards
        plans={targets}
        label="Plans you can upgrade to"
        footer={(plan) =>
          subscription.paymentsEnabled && !plan.purchasable ? (
            <p className="w-full rounded-md border border-dashed p-2 text-center text-sm text-muted-foreground">Not available for purchase here</p>
          ) : (
            <Button
              className="w-full"
              disabled={!subscription.paymentsEnabled || busy}
              aria-describedby={!subscription.paymentsEnabled ? reasonId : undefined}
              onClick={() => {
                setChosen(plan.type);
                checkout.mutate(plan.type);
              }}
            >
              {busy && chosen === plan.type ? "Opening checkout…" : `Upgrade to ${plan.name} — ${formatMoney(plan.priceMonthly, plan.currency)} per month`}
            </Button>
          )
        }
      />
    </div>
  );
}
