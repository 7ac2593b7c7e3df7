"use client";

/** Admins' view of platform usage over time: one measure at a time, one line per plan, every row in the table. */

import * as React from "react";
import { ChartCard, DataTable } from "@/components/analytics/chart-card";
import { TrendChart } from "@/components/analytics/charts";
import { Segmented } from "@/components/analytics/filters";
import {
  ANALYTICS_PATHS,
  formatBytes,
  formatNumber,
  usageQuery,
  usePlatformUsage,
  words,
  type Filters,
  type Interval,
  type UsagePoint,
} from "@/lib/analytics";
import { planName } from "@/lib/billing";

type Measure = "invitations" | "analyses" | "storageBytes" | "llmTokens";

const MEASURES: readonly { value: Measure; label: string }[] = [
  { value: "invitations", label: "Invitations" },
  { value: "analyses", label: "Analyses" },
  { value: "storageBytes", label: "Storage" },
  { value: "llmTokens", label: "AI tokens" },
];

const format = (measure: Measure) => (value: number) => (measure === "storageBytes" ? formatBytes(value) : formatNumber(value));

/** Rows per period with one column per plan, summed over the companies on that plan. */
export function byPlan(series: UsagePoint[], measure: Measure): { data: Record<string, string | number>[]; plans: string[] } {
  const plans = [...new Set(series.map((p) => p.plan))].sort();
  const periods = new Map<string, Record<string, string | number>>();
  for (const point of [...series].sort((a, b) => a.period.localeCompare(b.period))) {
    const row = periods.get(point.period) ?? { period: point.period, ...Object.fromEntries(plans.map((p) => [p, 0])) };
    row[point.plan] = Number(row[point.plan]) + point[measure];
    periods.set(point.period, row);
  }
  return { data: [...periods.values()], plans };
}

export function UsageCard({
  filters,
  interval,
  onInterval,
  companyName,
}: {
  filters: Filters;
  interval: Interval;
  onInterval: (interval: Interval) => void;
  companyName: (companyId: string) => string;
}) {
  const usage = usePlatformUsage(filters, interval);
  const [measure, setMeasure] = React.useState<Measure>("invitations");
  const series = usage.data?.series ?? [];
  const { data, plans } = byPlan(series, measure);
  const label = MEASURES.find((m) => m.value === measure)?.label ?? words(measure);
  const fmt = format(measure);
  const summary = `${label} per ${interval} by plan: ${data
    .map((row) => `${row.period}: ${plans.map((p) => `${planName(p)} ${fmt(Number(row[p]))}`).join(", ")}`)
    .join("; ")}.`;

  return (
    <>
      <div className="mb-4 flex flex-col gap-4 sm:flex-row sm:flex-wrap sm:items-end">
        <Segmented
          legend="Interval"
          name="usage-interval"
          value={interval}
          onChange={onInterval}
          options={[
            { value: "day", label: "Day" },
            { value: "week", label: "Week" },
            { value: "month", label: "Month" },
          ]}
        />
        <Segmented legend="Measure" name="usage-measure" value={measure} onChange={setMeasure} options={MEASURES} />
      </div>
      <ChartCard
        id="usage"
        title="Platform usage"
        description={`${label} per ${interval}, by plan${filters.companyId ? ` for ${companyName(filters.companyId)}` : " across every company"}.`}
        csv={{ path: ANALYTICS_PATHS.usage, query: usageQuery(filters, interval), name: `usage-per-${interval}` }}
        state={usage}
        isEmpty={series.length === 0}
        empty={{ title: "No usage in this period", description: "Usage appears as companies invite candidates and their interviews are analysed." }}
        summary={summary}
        table={
          <DataTable
            caption={`Usage per ${interval}, company and plan`}
            minWidth={760}
            columns={[
              { key: "period", label: "Period" },
              { key: "company", label: "Company" },
              { key: "plan", label: "Plan" },
              { key: "invitations", label: "Invitations", numeric: true },
              { key: "analyses", label: "Analyses", numeric: true },
              { key: "storage", label: "Storage", numeric: true },
              { key: "tokens", label: "AI tokens", numeric: true },
            ]}
            rows={[...series]
              .sort((a, b) => a.period.localeCompare(b.period) || companyName(a.companyId).localeCompare(companyName(b.companyId)))
              .map((p) => ({
                key: `${p.period}-${p.companyId}-${p.plan}`,
                cells: {
                  period: p.period,
                  company: companyName(p.companyId),
                  plan: planName(p.plan),
                  invitations: formatNumber(p.invitations),
                  analyses: formatNumber(p.analyses),
                  storage: formatBytes(p.storageBytes),
                  tokens: formatNumber(p.llmTokens),
                },
              }))}
          />
        }
      >
        <TrendChart data={data} series={plans.map((p) => ({ key: p, label: planName(p) }))} xLabel="Period" yLabel={label} format={fmt} />
      </ChartCard>
    </>
  );
}
