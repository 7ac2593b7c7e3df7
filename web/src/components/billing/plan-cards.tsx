import { Check } from "lucide-react";
import * as React from "react";
import { Card, CardContent, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { featureLabel, formatMoney, limitLines, type Plan } from "@/lib/billing";
import { cn } from "@/lib/utils";

function Ticks({ title, items }: { title: string; items: string[] }) {
  return (
    <div>
      <h3 className="mb-2 text-sm font-semibold">{title}</h3>
      <ul className="space-y-1 text-sm">
        {items.map((item) => (
          <li key={item} className="flex gap-2">
            <Check className="mt-0.5 h-4 w-4 shrink-0 text-primary" aria-hidden /> {item}
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * Plans side by side (the pricing page, a server component, and the billing page's upgrade choices): price,
 * limits and features as the plans API states them; `footer` gives each card its action.
 */
export function PlanCards({
  plans,
  footer,
  current,
  label = "Plans",
}: {
  plans: Plan[];
  footer: (plan: Plan) => React.ReactNode;
  current?: string;
  label?: string;
}) {
  return (
    <ul className={cn("grid gap-6", plans.length >= 3 ? "md:grid-cols-3" : "md:grid-cols-2")} aria-label={label}>
      {plans.map((plan) => (
        <li key={plan.type}>
          <Card className={cn("flex h-full flex-col", current === plan.type && "border-primary ring-1 ring-primary")}>
            <CardHeader>
              <CardTitle>
                {plan.name}
                {current === plan.type && <span className="ml-2 text-sm font-normal text-muted-foreground">(your plan)</span>}
              </CardTitle>
              <p className="pt-2">
                <span className="text-4xl font-bold">{formatMoney(plan.priceMonthly, plan.currency)}</span>
                <span className="text-sm text-muted-foreground"> per month</span>
              </p>
            </CardHeader>
            <CardContent className="flex-1 space-y-4">
              <Ticks title="Limits" items={limitLines(plan.limits)} />
              {plan.features.length > 0 && <Ticks title="Includes" items={plan.features.map(featureLabel)} />}
            </CardContent>
            <CardFooter>{footer(plan)}</CardFooter>
          </Card>
        </li>
      ))}
    </ul>
  );
}
