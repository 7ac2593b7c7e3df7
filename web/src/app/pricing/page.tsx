import Link from "next/link";
import { cookies } from "next/headers";
import { connection } from "next/server";
import { PlanCards } from "@/components/billing/plan-cards";
import { SiteHeader } from "@/components/layout/site-header";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/feedback";
import { fetchPlans, paymentsOff, type Plan } from "@/lib/billing";
import { primaryRole, rolesFromToken } from "@/lib/jwt";

export const metadata = { title: "Pricing" };

type Visitor = "guest" | "hr" | "candidate";

function Action({ plan, visitor }: { plan: Plan; visitor: Visitor }) {
  if (visitor === "hr")
    return (
      <Button asChild className="w-full" variant={plan.purchasable ? "default" : "outline"}>
        <Link href="/profile/billing">{plan.purchasable ? `Upgrade to ${plan.name} in billing` : "See your plan and usage"}</Link>
      </Button>
    );
  if (visitor === "candidate") return <p className="w-full text-center text-sm text-muted-foreground">For HR accounts</p>;
  if (plan.priceMonthly === 0)
    return (
      <Button asChild className="w-full">
        <Link href="/register">Create an account</Link>
      </Button>
    );
  if (plan.purchasable)
    return (
      <Button asChild className="w-full">
        <Link href="/login?from=%2Fprofile%2Fbilling">Sign in to upgrade</Link>
      </Button>
    );
  return <p className="w-full rounded-md border border-dashed p-2 text-center text-sm text-muted-foreground">Not available for purchase here</p>;
}

/** The plans as the billing service states them (read on each request), with an action fitting the visitor. */
export default async function PricingPage() {
  await connection();
  const apiBase = process.env.API_URL ?? process.env.NEXT_PUBLIC_API_URL ?? "http://127.0.0.1:8001";
  const [plans, store] = await Promise.all([fetchPlans(apiBase), cookies()]);
  // Routing only (the gateway verifies tokens): a signed-in HR user is sent to their billing page.
  const roles = rolesFromToken(store.get("access_token")?.value);
  const role = roles ? primaryRole(roles) : null;
  const visitor: Visitor = role === "hr" || role === "admin" ? "hr" : role === "candidate" ? "candidate" : "guest";

  return (
    <>
      <SiteHeader />
      <main id="main" className="mx-auto max-w-5xl space-y-8 px-4 py-12">
        <div className="space-y-2 text-center">
          <h1 className="text-3xl font-bold tracking-tight">Pricing</h1>
          <p className="text-muted-foreground">Plans for HR teams, per company and month. Candidates never pay.</p>
        </div>
        {plans === null || plans.length === 0 ? (
          <Alert variant="warning" title="The plans cannot be shown right now">
            The platform could not be reached. Please try again in a few minutes.
          </Alert>
        ) : (
          <>
            {paymentsOff(plans) && (
              <Alert variant="info" title="Online payment is not enabled on this installation">
                Every account starts on the Free plan. Paid plans cannot be bought here; ask your platform administrator about higher limits.
              </Alert>
            )}
            <PlanCards plans={plans} footer={(plan) => <Action plan={plan} visitor={visitor} />} />
          </>
        )}
      </main>
    </>
  );
}
