"use client";

import { useQuery } from "@tanstack/react-query";
import * as React from "react";
import { Field, Input, NativeSelect } from "@/components/ui/input";
import { PRESETS, presetRange, rangeProblem, type DateRange } from "@/lib/analytics";
import { templatesApi } from "@/lib/templates";
import { cn } from "@/lib/utils";

const CUSTOM = "custom";

/**
 * The period every chart covers: the last 7, 30 or 90 days, or two dates. A custom range is applied only once both
 * dates make sense; until then the charts keep the last good one and the field says what is wrong.
 */
export function RangeFilter({ initialDays = 30, onChange, now }: { initialDays?: number; onChange: (range: DateRange) => void; now?: Date }) {
  const [choice, setChoice] = React.useState(String(initialDays));
  const [custom, setCustom] = React.useState<Partial<DateRange>>(() => presetRange(initialDays, now));
  const today = presetRange(1, now).to;
  const problem = choice === CUSTOM ? rangeProblem(custom) : null;

  const pick = (value: string) => {
    setChoice(value);
    if (value !== CUSTOM) onChange(presetRange(Number(value), now));
    else if (!rangeProblem(custom)) onChange(custom as DateRange);
  };
  const edit = (part: keyof DateRange, value: string) => {
    const next = { ...custom, [part]: value };
    setCustom(next);
    if (!rangeProblem(next)) onChange(next as DateRange);
  };

  return (
    <>
      <Field id="analytics-period" label="Period" className="w-full sm:w-48">
        <NativeSelect id="analytics-period" value={choice} onChange={(e) => pick(e.target.value)}>
          {PRESETS.map((days) => (
            <option key={days} value={String(days)}>
              Last {days} days
            </option>
          ))}
          <option value={CUSTOM}>Custom dates</option>
        </NativeSelect>
      </Field>
      {choice === CUSTOM && (
        <>
          <Field id="analytics-from" label="From" error={problem?.field === "from" ? problem.message : undefined} className="w-full sm:w-44">
            <Input id="analytics-from" type="date" value={custom.from ?? ""} max={today} onChange={(e) => edit("from", e.target.value)} />
          </Field>
          <Field id="analytics-to" label="To" error={problem?.field === "to" ? problem.message : undefined} className="w-full sm:w-44">
            <Input id="analytics-to" type="date" value={custom.to ?? ""} max={today} onChange={(e) => edit("to", e.target.value)} />
          </Field>
        </>
      )}
    </>
  );
}

/** The HR's templates to narrow the charts to one (the first 100, any status: archived ones still have history). */
export function TemplateFilter({ value, onChange }: { value: string; onChange: (templateId: string) => void }) {
  const templates = useQuery({
    queryKey: ["analytics", "templates"],
    queryFn: () => templatesApi.list({ page: 1, limit: 100 }),
    staleTime: 60_000,
  });
  return (
    <Field
      id="analytics-template"
      label="Template"
      hint={templates.isError ? "Templates could not be loaded; showing all of them." : undefined}
      className="w-full sm:w-64"
    >
      <NativeSelect id="analytics-template" value={value} onChange={(e) => onChange(e.target.value)} disabled={templates.isError}>
        <option value="">All templates</option>
        {templates.data?.items.map((t) => (
          <option key={t.id} value={t.id}>
            {t.title}
          </option>
        ))}
      </NativeSelect>
    </Field>
  );
}

/** A small set of choices shown side by side (native radios: arrow keys and screen readers work as usual). */
export function Segmented<T extends string>({
  legend,
  name,
  value,
  options,
  onChange,
}: {
  legend: string;
  name: string;
  value: T;
  options: readonly { value: T; label: string }[];
  onChange: (value: T) => void;
}) {
  return (
    <fieldset className="space-y-1.5">
      <legend className="mb-1.5 text-sm font-medium leading-none">{legend}</legend>
      <div className="inline-flex min-h-10 flex-wrap rounded-md border border-input p-1">
        {options.map((o) => (
          <label
            key={o.value}
            className={cn(
              "flex cursor-pointer items-center whitespace-nowrap rounded-sm px-2.5 py-1.5 text-sm font-medium sm:px-3 has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-ring",
              value === o.value ? "bg-primary text-primary-foreground" : "text-muted-foreground hover:bg-accent",
            )}
          >
            <input type="radio" className="sr-only" name={name} value={o.value} checked={value === o.value} onChange={() => onChange(o.value)} />
            {o.label}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/** The filters' row: wraps, and stacks on a phone. */
export function FilterBar({ children }: { children: React.ReactNode }) {
  return (
    <section aria-label="Filters" className="mb-6 flex flex-col gap-4 rounded-lg border bg-muted/30 p-4 sm:flex-row sm:flex-wrap sm:items-end">
      {children}
    </section>
  );
}
