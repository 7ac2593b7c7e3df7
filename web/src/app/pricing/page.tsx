import { Check } from "lucide-react";
import Link from "next/link";
import { SiteHeader } from "@/components/layout/site-header";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { Alert } from "@/components/ui/feedback";

export const metadata = { title: "Pricing" };

// The subscription plans. Limits are what the platform enforces per company per month.
const PLANS = [
  {
    id: "free",
    name: "Free",
    price: 0,
    summary: "Try asynchronous interviews with a small team.",
    limits: ["3 interviews per month", "5 interview templates", "1 team member"],
    features: ["AI analysis of every answer"],
  },
  {
    id: "plus",
    name: "Plus",
    price: 29,
    summary: "For teams hiring every month.",
    limits: ["100 interviews per month", "50 interview templates", "5 team members"],
    features: ["Full AI analysis with cited evidence", "PDF export", "E-mail support"],
  },
  {
    id: "pro",
    name: "Pro",
    price: 99,
    summary: "For hiring at scale.",
    limits: ["Unlimited interviews", "Unlimited templates", "Unlimited team members"],
    features: ["Everything in Plus", "CSV export", "API access and webhooks", "Custom branding", "Priority support"],
  },
] as const;

export default function PricingPage() {
  return (
    <>
      <SiteHeader />
      <main id="main" className="mx-auto max-w-5xl space-y-8 px-4 py-12">
        <div className="space-y-2 text-center">
          <h1 className="text-3xl font-bold tracking-tight">Pricing</h1>
          <p className="text-muted-foreground">Plans for HR teams. Candidates never pay.</p>
        </div>
        <Alert variant="info" title="Online payment is not enabled on this installation">
          Every account starts on the Free plan. Paid plans cannot be bought here: this installation has no payment
          provider configured. Ask your platform administrator about higher limits.
        </Alert>
        <ul className="grid gap-6 md:grid-cols-3" aria-label="Plans">
          {PLANS.map((plan) => (
            <li key={plan.id}>
              <Card className="flex h-full flex-col">
                <CardHeader>
                  <CardTitle>{plan.name}</CardTitle>
                  <CardDescription>{plan.summary}</CardDescription>
                  <p className="pt-2">
                    <span className="text-4xl font-bold">${plan.price}</span>
                    <span className="text-sm text-muted-foreground"> per month</span>
                  </p>
                </CardHeader>
                <CardContent className="flex-1 space-y-4">
                  <div>
                    <h3 className="mb-2 text-sm font-semibold">Limits</h3>
                    <ul className="space-y-1 text-sm">
                      {plan.limits.map((l) => (
                        <li key={l} className="flex gap-2">
                          <Check className="mt-0.5 h-4 w-4 shrink-0 text-primary" aria-hidden /> {l}
                        </li>
                      ))}
                    </ul>
                  </div>
                  <div>
                    <h3 className="mb-2 text-sm font-semibold">Includes</h3>
                    <ul className="space-y-1 text-sm">
                      {plan.features.map((f) => (
                        <li key={f} className="flex gap-2">
                          <Check className="mt-0.5 h-4 w-4 shrink-0 text-primary" aria-hidden /> {f}
                        </li>
                      ))}
                    </ul>
                  </div>
                </CardContent>
                <CardFooter>
                  {plan.id === "free" ? (
                    <Button asChild className="w-full">
                      <Link href="/register">Create an account</Link>
                    </Button>
                  ) : (
                    <p className="w-full rounded-md border border-dashed p-2 text-center text-sm text-muted-foreground">
                      Not available for purchase here
                    </p>
                  )}
                </CardFooter>
              </Card>
            </li>
          ))}
        </ul>
      </main>
    </>
  );
}
