"use client";

import * as React from "react";
import { FilterBar, RangeFilter } from "@/components/analytics/filters";
import { UsageCard } from "@/components/analytics/usage-card";
import { PageHeader } from "@/components/ui/feedback";
import { Field, NativeSelect } from "@/components/ui/input";
import { presetRange, type DateRange, type Interval } from "@/lib/analytics";
import { useBillingAccounts } from "@/lib/billing";

/** Companies are named as the billing accounts name them (every company that used the platform has one). */
const COMPANY_OPTIONS = 1000;

export default function AdminAnalyticsPage() {
  const [range, setRange] = React.useState<DateRange>(() => presetRange(30));
  const [companyId, setCompanyId] = React.useState("");
  const [interval, setStep] = React.useState<Interval>("day");
  const accounts = useBillingAccounts(1, COMPANY_OPTIONS);
  const names = React.useMemo(
    () => new Map((accounts.data?.data ?? []).map((a) => [a.companyId, a.accountName ?? a.billingEmail ?? "Unnamed account"])),
    [accounts.data],
  );
  const companyName = React.useCallback((id: string) => names.get(id) ?? "Unnamed account", [names]);
  const filters = React.useMemo(() => ({ ...range, companyId: companyId || undefined }), [range, companyId]);
  const options = [...names.entries()].sort((a, b) => a[1].localeCompare(b[1]));

  return (
    <>
      <PageHeader title="Platform analytics" description="Invitations, analyses, storage and AI tokens over time, per company and plan." />
      <FilterBar>
        <RangeFilter onChange={setRange} />
        <Field
          id="analytics-company"
          label="Company"
          hint={accounts.isError ? "Companies could not be loaded; showing all of them." : undefined}
          className="w-full sm:w-64"
        >
          <NativeSelect id="analytics-company" value={companyId} onChange={(e) => setCompanyId(e.target.value)} disabled={accounts.isError}>
            <option value="">All companies</option>
            {options.map(([id, name]) => (
              <option key={id} value={id}>
                {name}
              </option>
            ))}
          </NativeSelect>
        </Field>
      </FilterBar>
      <UsageCard filters={filters} interval={interval} onInterval={setStep} companyName={companyName} />
    </>
  );
}
