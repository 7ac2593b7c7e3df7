"use client";

/**
 * The pictures of the analytics pages, drawn with Recharts. Each is a summarised image (its card carries the data
 * table), never relies on colour alone (values are written on the bars; a second series is hatched or dashed), and
 * takes the width it is given, so it fits a phone.
 */

import * as React from "react";
import { Bar, BarChart, CartesianGrid, LabelList, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from "recharts";
import { bucketLabel, formatNumber, formatPercent, stepLabel, type Bucket, type FunnelStep, type QuestionStats } from "@/lib/analytics";

const PRIMARY = "#4338ca";
const TEAL = "#0f766e";
const AMBER = "#b45309";
const ROSE = "#be123c";
const SLATE = "#475569";
const AXIS = { fontSize: 12, fill: SLATE };

/** The first series of a chart is solid; the second is hatched, so the two differ without colour. */
function Hatch({ id, color }: { id: string; color: string }) {
  return (
    <defs>
      <pattern id={id} patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)">
        <rect width="6" height="6" fill="#ffffff" />
        <line x1="0" y1="0" x2="0" y2="6" stroke={color} strokeWidth="3" />
      </pattern>
    </defs>
  );
}

/** The funnel: candidates at each step, with the conversion from the step before written beside each bar. */
export function FunnelChart({ steps }: { steps: FunnelStep[] }) {
  const data = steps.map((s) => ({
    label: stepLabel(s.step),
    count: s.count,
    text: s.conversion === null ? formatNumber(s.count) : `${formatNumber(s.count)} · ${formatPercent(s.conversion)}`,
  }));
  return (
    <BarChart
      data={data}
      layout="vertical"
      responsive
      style={{ width: "100%", height: data.length * 40 + 60 }}
      margin={{ top: 4, right: 72, bottom: 24, left: 8 }}
      accessibilityLayer={false}
    >
      <CartesianGrid horizontal={false} strokeDasharray="3 3" />
      <XAxis type="number" allowDecimals={false} tick={AXIS} label={{ value: "Candidates", position: "insideBottom", offset: -16, ...AXIS }} />
      <YAxis type="category" dataKey="label" width={84} tick={AXIS} label={{ value: "Step", angle: -90, position: "insideLeft", ...AXIS }} />
      <Tooltip />
      <Bar dataKey="count" name="Candidates" fill={PRIMARY} isAnimationActive={false}>
        <LabelList dataKey="text" position="right" style={{ fontSize: 12, fill: "#0f172a" }} />
      </Bar>
    </BarChart>
  );
}

/** Per question: how many reached it (solid) and how many stopped there (hatched). */
export function QuestionsChart({ questions }: { questions: QuestionStats[] }) {
  const hatch = `hatch-${React.useId().replace(/:/g, "")}`;
  const data = [...questions].sort((a, b) => a.order - b.order).map((q, i) => ({ label: `Q${i + 1}`, reached: q.reached, abandoned: q.abandonedHere }));
  return (
    <BarChart
      data={data}
      layout="vertical"
      responsive
      style={{ width: "100%", height: data.length * 52 + 90 }}
      margin={{ top: 4, right: 40, bottom: 24, left: 8 }}
      accessibilityLayer={false}
    >
      <Hatch id={hatch} color={AMBER} />
      <CartesianGrid horizontal={false} strokeDasharray="3 3" />
      <XAxis type="number" allowDecimals={false} tick={AXIS} label={{ value: "Candidates", position: "insideBottom", offset: -16, ...AXIS }} />
      <YAxis type="category" dataKey="label" width={56} tick={AXIS} label={{ value: "Question", angle: -90, position: "insideLeft", ...AXIS }} />
      <Tooltip />
      <Legend verticalAlign="top" wrapperStyle={{ fontSize: 12, paddingBottom: 8 }} />
      <Bar dataKey="reached" name="Reached the question" fill={PRIMARY} isAnimationActive={false}>
        <LabelList dataKey="reached" position="right" style={{ fontSize: 12, fill: "#0f172a" }} />
      </Bar>
      <Bar dataKey="abandoned" name="Stopped here" fill={`url(#${hatch})`} stroke={AMBER} isAnimationActive={false}>
        <LabelList dataKey="abandoned" position="right" style={{ fontSize: 12, fill: "#0f172a" }} />
      </Bar>
    </BarChart>
  );
}

/** One criterion's scores: how many interviews fell in each score band. */
export function ScoreHistogram({ buckets }: { buckets: Bucket[] }) {
  const data = buckets.map((b) => ({ label: bucketLabel(b), count: b.count }));
  return (
    <BarChart data={data} responsive style={{ width: "100%", height: 200 }} margin={{ top: 16, right: 8, bottom: 24, left: 0 }} accessibilityLayer={false}>
      <CartesianGrid vertical={false} strokeDasharray="3 3" />
      <XAxis dataKey="label" tick={AXIS} interval="preserveStartEnd" minTickGap={4} label={{ value: "Score", position: "insideBottom", offset: -16, ...AXIS }} />
      <YAxis allowDecimals={false} width={44} tick={AXIS} label={{ value: "Interviews", angle: -90, position: "insideLeft", ...AXIS }} />
      <Tooltip />
      <Bar dataKey="count" name="Interviews" fill={TEAL} isAnimationActive={false}>
        <LabelList dataKey="count" position="top" style={{ fontSize: 11, fill: "#0f172a" }} />
      </Bar>
    </BarChart>
  );
}

const LINE_STYLES = [
  { color: PRIMARY, dash: undefined },
  { color: TEAL, dash: "6 4" },
  { color: AMBER, dash: "2 3" },
  { color: ROSE, dash: "10 4 2 4" },
  { color: SLATE, dash: "1 6" },
];

/** A measure over time, one line per series (dash patterns tell them apart, not only colour). */
export function TrendChart({
  data,
  series,
  xLabel,
  yLabel,
  format,
}: {
  data: Record<string, string | number>[];
  series: { key: string; label: string }[];
  xLabel: string;
  yLabel: string;
  format: (value: number) => string;
}) {
  return (
    <LineChart data={data} responsive style={{ width: "100%", height: 300 }} margin={{ top: 8, right: 16, bottom: 24, left: 8 }} accessibilityLayer={false}>
      <CartesianGrid strokeDasharray="3 3" />
      <XAxis dataKey="period" tick={AXIS} label={{ value: xLabel, position: "insideBottom", offset: -16, ...AXIS }} />
      <YAxis width={72} tick={AXIS} tickFormatter={(v: number) => format(v)} label={{ value: yLabel, angle: -90, position: "insideLeft", ...AXIS }} />
      <Tooltip formatter={(v) => (typeof v === "number" ? format(v) : String(v))} />
      <Legend verticalAlign="top" wrapperStyle={{ fontSize: 12, paddingBottom: 8 }} />
      {series.map((s, i) => {
        const style = LINE_STYLES[i % LINE_STYLES.length];
        return (
          <Line
            key={s.key}
            type="linear"
            dataKey={s.key}
            name={s.label}
            stroke={style.color}
            strokeDasharray={style.dash}
            strokeWidth={2}
            dot={{ r: 3 }}
            isAnimationActive={false}
          />
        );
      })}
    </LineChart>
  );
}
