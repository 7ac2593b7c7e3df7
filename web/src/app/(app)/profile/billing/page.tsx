"use client";

import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import * as React from "react";
import { InvoicesTable } from "@/components/billing/invoices-table";
import { SubscriptionCard } from "@/components/billing/subscription-card";
import { UpgradePlans } from "@/components/billing/upgrade-plans";
import { UsageMeters } from "@/components/billing/usage-meters";
import { Button } from "@/components/ui/button";
import { Alert, ErrorState, LoadingBlock, PageHeader, Spinner } from "@/components/ui/feedback";
import { billingError, useInvoices, usePlans, useRefreshOnPlanChange, useSubscription, useUsage } from "@/lib/billing";
import { useMe } from "@/lib/profile";

function Section({ id, title, description, children }: { id: string; title: string; description?: string; children: React.ReactNode }) {
  return (
    <section aria-labelledby={id} className="space-y-3">
      <div>
        <h2 id={id} className="text-lg font-semibold">
          {title}
        </h2>
        {description && <p className="text-sm text-muted-foreground">{description}</p>}
      </div>
      {children}
    </section>
  );
}

/** Back from Stripe's checkout: `?success=true` or `?canceled=true`, dismissed by dropping the parameter. */
function CheckoutBanner({ outcome, onDismiss }: { outcome: "success" | "canceled" | null; onDismiss: () => void }) {
  if (!outcome) return null;
  return (
    <div className="mb-6 space-y-2">
      {outcome === "success" ? (
        <Alert variant="success" title="Thank you, your payment went through">
          Your new plan and its limits apply as soon as the payment provider confirms the payment, usually within a few seconds.
        </Alert>
      ) : (
        <Alert variant="info" title="Checkout canceled">
          Nothing was charged and your plan is unchanged.
        </Alert>
      )}
      <Button variant="ghost" size="sm" onClick={onDismiss}>
        Dismiss
      </Button>
    </div>
  );
}

function BillingPage() {
  const params = useSearchParams();
  const router = useRouter();
  const outcome = params.get("success") === "true" ? "success" : params.get("canceled") === "true" ? "canceled" : null;
  const subscription = useSubscription(outcome === "success");
  const usage = useUsage();
  const plans = usePlans();
  const invoices = useInvoices();
  useRefreshOnPlanChange(subscription.data?.planType);

  return (
    <>
      <PageHeader
        title="Plan and billing"
        description="Your plan, what it allows and how much of it is used, and your invoices."
        actions={
          <Button asChild variant="outline">
            <Link href="/pricing">Compare plans</Link>
          </Button>
        }
      />
      <CheckoutBanner outcome={outcome} onDismiss={() => router.replace("/profile/billing", { scroll: false })} />

      <div className="max-w-4xl space-y-10">
        <Section id="billing-plan" title="Current plan">
          {subscription.isPending ? (
            <LoadingBlock rows={2} label="Loading your plan" />
          ) : subscription.isError ? (
            <ErrorState error={new Error(billingError(subscription.error, "load"))} onRetry={() => void subscription.refetch()} title="Could not load your plan" />
          ) : (
            <SubscriptionCard subscription={subscription.data} freePlan={plans.data?.find((p) => p.type === "free")} />
          )}
        </Section>

        <Section id="billing-usage" title="Usage">
          {usage.isPending ? (
            <LoadingBlock rows={3} label="Loading your usage" />
          ) : usage.isError ? (
            <ErrorState error={new Error(billingError(usage.error, "load"))} onRetry={() => void usage.refetch()} title="Could not load your usage" />
          ) : (
            <UsageMeters usage={usage.data} />
          )}
        </Section>

        <Section id="billing-upgrade" title="Upgrade" description="A bigger plan raises your limits at once; you pay monthly and can cancel any time.">
          {plans.isPending || subscription.isPending ? (
            <LoadingBlock rows={2} label="Loading the plans" />
          ) : plans.isError ? (
            <ErrorState error={new Error(billingError(plans.error, "load"))} onRetry={() => void plans.refetch()} title="Could not load the plans" />
          ) : subscription.isError ? (
            <p className="text-sm text-muted-foreground">The upgrade choices appear once your plan has loaded.</p>
          ) : (
            <UpgradePlans plans={plans.data} subscription={subscription.data} />
          )}
        </Section>

        <Section id="billing-invoices" title="Invoices">
          {invoices.isPending ? (
            <LoadingBlock rows={2} label="Loading your invoices" />
          ) : invoices.isError ? (
            <ErrorState error={new Error(billingError(invoices.error, "load"))} onRetry={() => void invoices.refetch()} title="Could not load your invoices" />
          ) : (
            <InvoicesTable invoices={invoices.data} paymentsEnabled={subscription.data?.paymentsEnabled ?? false} />
          )}
        </Section>
      </div>
    </>
  );
}

/** Billing belongs to HR teams (admins too): anyone else is told so instead of being shown refusals. */
function ForHrOnly() {
  const me = useMe();
  const role = me.data?.role;
  if (role === "hr" || role === "admin") return <BillingPage />;
  return (
    <>
      <PageHeader title="Plan and billing" />
      <Alert variant="info" title="Billing is for HR accounts">
        Plans and invoices belong to the HR teams that send interviews. Candidates never pay.
      </Alert>
    </>
  );
}

export default function Page() {
  return (
    <React.Suspense fallback={<Spinner />}>
      <ForHrOnly />
    </React.Suspense>
  );
}
