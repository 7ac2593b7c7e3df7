"use client";

/** The cards of HR's analytics page, one per question HR asks of its hiring; each loads its own answer. */

import * as React from "react";
import { ChartCard, DataTable, Figures, ScreenReaderOnly } from "@/components/analytics/chart-card";
import { FunnelChart, QuestionsChart, ScoreHistogram } from "@/components/analytics/charts";
import {
  agreementGrid,
  aiLabel,
  ANALYTICS_PATHS,
  bucketLabel,
  filterQuery,
  formatDuration,
  formatHours,
  formatNumber,
  formatPercent,
  funnelIsEmpty,
  humanLabel,
  stepLabel,
  useFunnel,
  useNotificationStats,
  useOverview,
  useQuestionStats,
  useScores,
  words,
  type Filters,
  type FunnelStep,
} from "@/lib/analytics";

function stepsTable(steps: FunnelStep[], caption: string) {
  return (
    <DataTable
      caption={caption}
      columns={[
        { key: "step", label: "Step" },
        { key: "count", label: "Candidates", numeric: true },
        { key: "conversion", label: "Conversion from previous step", numeric: true },
        { key: "time", label: "Median time from previous step", numeric: true },
      ]}
      rows={steps.map((s) => ({
        key: s.step,
        cells: {
          step: stepLabel(s.step),
          count: formatNumber(s.count),
          conversion: formatPercent(s.conversion),
          time: formatDuration(s.medianSecondsFromPrevious),
        },
      }))}
    />
  );
}

/** The headline figures of the period (the same answer the HR dashboard shows). */
export function OverviewCard({ filters }: { filters: Filters }) {
  const overview = useOverview(filters);
  const o = overview.data;
  return (
    <ChartCard
      id="overview"
      title="At a glance"
      csv={{ path: ANALYTICS_PATHS.overview, query: filterQuery(filters), name: "overview" }}
      state={overview}
      isEmpty={!o || o.invitations === 0}
      empty={{ title: "No invitations in this period", description: "Invite candidates, or choose a longer period." }}
    >
      {o && (
        <Figures
          items={[
            { label: "Invitations", value: formatNumber(o.invitations) },
            { label: "Started", value: formatNumber(o.started) },
            { label: "Completed", value: formatNumber(o.completed) },
            { label: "Completion rate", value: formatPercent(o.completionRate), hint: "of invited candidates" },
            { label: "Decided", value: formatNumber(o.decided) },
            { label: "Median time to decision", value: formatHours(o.medianHoursToDecision) },
          ]}
        />
      )}
    </ChartCard>
  );
}

export function FunnelCard({ filters }: { filters: Filters }) {
  const funnel = useFunnel(filters);
  const data = funnel.data;
  const summary = data ? `Funnel: ${data.steps.map((s) => `${stepLabel(s.step)} ${s.count}`).join(", ")}.` : undefined;
  const byTemplate = data && !filters.templateId && data.templates.length > 0;
  return (
    <ChartCard
      id="funnel"
      title="Funnel"
      description="How many candidates reached each step, the share that moved on from the step before, and how long that took."
      csv={{ path: ANALYTICS_PATHS.funnel, query: filterQuery(filters), name: "funnel" }}
      state={funnel}
      isEmpty={!data || funnelIsEmpty(data)}
      empty={{ title: "No candidates in this period", description: "The funnel fills in as candidates are invited and take their interviews." }}
      summary={summary}
      table={data && stepsTable(data.steps, "Funnel steps")}
      className="lg:col-span-2"
    >
      {data && <FunnelChart steps={data.steps} />}
      {byTemplate && (
        <div className="mt-4 space-y-2">
          <h3 className="text-sm font-semibold">By template</h3>
          <DataTable
            caption="Funnel by template"
            minWidth={640}
            columns={[{ key: "title", label: "Template" }, ...data.steps.map((s) => ({ key: s.step, label: stepLabel(s.step), numeric: true }))]}
            rows={data.templates.map((t) => ({
              key: t.templateId,
              cells: {
                title: t.templateTitle ?? "Untitled template",
                ...Object.fromEntries(data.steps.map(({ step }) => [step, formatNumber(t.steps.find((s) => s.step === step)?.count)])),
              },
            }))}
          />
        </div>
      )}
    </ChartCard>
  );
}

export function QuestionsCard({ filters }: { filters: Filters }) {
  const questions = useQuestionStats(filters);
  const list = [...(questions.data?.questions ?? [])].sort((a, b) => a.order - b.order);
  const description = "Where candidates stop: how many reached each question and how many left there, with answer lengths and retakes.";
  if (!filters.templateId) {
    return (
      <ChartCard
        id="questions"
        title="Drop-off per question"
        description={description}
        state={{ isPending: false, isError: false, error: null, refetch: () => undefined }}
        isEmpty
        empty={{ title: "Choose a template", description: "Questions differ between templates: pick one above to see where its candidates stop." }}
        className="lg:col-span-2"
      >
        {null}
      </ChartCard>
    );
  }
  return (
    <ChartCard
      id="questions"
      title="Drop-off per question"
      description={description}
      csv={{ path: ANALYTICS_PATHS.questions, query: filterQuery(filters), name: "questions" }}
      state={questions}
      isEmpty={list.every((q) => q.reached === 0)}
      empty={{ title: "No answers to this template in this period", description: "Once candidates start this interview, each question's figures appear here." }}
      className="lg:col-span-2"
      summary={`Drop-off per question: ${list.map((q, i) => `question ${i + 1} reached by ${q.reached}, ${q.abandonedHere} stopped there`).join("; ")}.`}
      table={
        <DataTable
          caption="Drop-off per question"
          minWidth={720}
          columns={[
            { key: "n", label: "#" },
            { key: "text", label: "Question" },
            { key: "reached", label: "Reached", numeric: true },
            { key: "answered", label: "Answered", numeric: true },
            { key: "abandoned", label: "Stopped here", numeric: true },
            { key: "length", label: "Median answer length", numeric: true },
            { key: "retakes", label: "Retakes", numeric: true },
          ]}
          rows={list.map((q, i) => ({
            key: q.questionId,
            cells: {
              n: `Q${i + 1}`,
              text: q.text,
              reached: formatNumber(q.reached),
              answered: formatNumber(q.answered),
              abandoned: formatNumber(q.abandonedHere),
              length: formatDuration(q.medianAnswerLength),
              retakes: formatNumber(q.retakes),
            },
          }))}
        />
      }
    >
      <QuestionsChart questions={list} />
    </ChartCard>
  );
}

/** Score distributions, AI-vs-human agreement and reviewers' time to decision: three cards over one answer. */
export function ScoreCards({ filters, myIds }: { filters: Filters; myIds: string[] }) {
  const scores = useScores(filters);
  const data = scores.data;
  const csv = { path: ANALYTICS_PATHS.scores, query: filterQuery(filters), name: "scores" };
  const criteria = data?.criteria ?? [];
  const grid = agreementGrid(data?.agreement.matrix ?? []);
  const humans = ["approved", "rejected", ...new Set((data?.agreement.matrix ?? []).map((c) => c.human).filter((h) => h !== "approved" && h !== "rejected"))];
  // Reviewers are people: named "You" or by rank, never by an id nobody can read.
  const reviewers = [...(data?.decisions.reviewers ?? [])].sort((a, b) => b.decisions - a.decisions);
  let other = 0;
  const reviewerName = (id: string) => (myIds.includes(id) ? "You" : `Reviewer ${++other}`);

  return (
    <>
      <ChartCard
        id="scores"
        title="Score distributions"
        description="How the AI scored completed interviews on each criterion."
        csv={{ ...csv, name: "score-distributions" }}
        state={scores}
        isEmpty={criteria.every((c) => c.buckets.every((b) => b.count === 0))}
        empty={{ title: "No scored interviews in this period", description: "Scores appear once the AI has analysed completed interviews." }}
        className="lg:col-span-2"
      >
        <div className={criteria.length > 1 ? "grid gap-6 md:grid-cols-2" : "grid gap-6"}>
          {criteria.map((c) => (
            <figure key={c.criterion} className="min-w-0 space-y-2">
              <figcaption className="text-sm font-semibold">
                {words(c.criterion)} <span className="font-normal text-muted-foreground">· median {formatNumber(c.median)}</span>
              </figcaption>
              <div role="img" aria-label={`${words(c.criterion)} scores: ${c.buckets.map((b) => `${bucketLabel(b)}: ${b.count}`).join(", ")}.`}>
                <ScoreHistogram buckets={c.buckets} />
              </div>
              <ScreenReaderOnly>
                <DataTable
                  caption={`${words(c.criterion)} scores`}
                  columns={[
                    { key: "band", label: "Score" },
                    { key: "count", label: "Interviews", numeric: true },
                  ]}
                  rows={c.buckets.map((b) => ({ key: `${b.from}`, cells: { band: bucketLabel(b), count: formatNumber(b.count) } }))}
                />
              </ScreenReaderOnly>
            </figure>
          ))}
        </div>
      </ChartCard>

      <ChartCard
        id="agreement"
        title="AI and human agreement"
        description="The AI's recommendation beside the reviewer's decision, for interviews that have both."
        csv={{ ...csv, name: "agreement" }}
        state={scores}
        isEmpty={!data || data.agreement.total === 0}
        empty={{ title: "No decided interviews with an AI recommendation yet" }}
      >
        {data && (
          <div className="space-y-4">
            <p className="text-sm">
              <span className="text-2xl font-semibold tabular-nums">{formatPercent(data.agreement.agreementRate)}</span> agreement over{" "}
              {formatNumber(data.agreement.total)} {data.agreement.total === 1 ? "decision" : "decisions"} (Hire matched by Approved, Reject by
              Rejected).
            </p>
            <DataTable
              caption="AI recommendation (rows) against the reviewer's decision (columns)"
              minWidth={360}
              columns={[
                { key: "ai", label: "AI recommended" },
                ...humans.map((h) => ({ key: h, label: humanLabel(h), numeric: true })),
                { key: "total", label: "Total", numeric: true },
              ]}
              rows={grid.map((row) => ({
                key: row.ai,
                cells: { ai: aiLabel(row.ai), ...Object.fromEntries(humans.map((h) => [h, formatNumber(row.counts[h] ?? 0)])), total: formatNumber(row.total) },
              }))}
            />
          </div>
        )}
      </ChartCard>

      <ChartCard
        id="reviewers"
        title="Time to decision"
        description="From a completed interview to the reviewer's decision."
        csv={{ ...csv, name: "time-to-decision" }}
        state={scores}
        isEmpty={reviewers.length === 0}
        empty={{ title: "No decisions in this period" }}
      >
        {data && (
          <div className="space-y-4">
            <Figures
              items={[
                { label: "Median", value: formatHours(data.decisions.medianHours) },
                { label: "9 in 10 within", value: formatHours(data.decisions.p90Hours) },
              ]}
            />
            <DataTable
              caption="Decisions per reviewer"
              minWidth={360}
              columns={[
                { key: "who", label: "Reviewer" },
                { key: "decisions", label: "Decisions", numeric: true },
                { key: "median", label: "Median time", numeric: true },
              ]}
              rows={reviewers.map((r) => ({
                key: r.reviewerId,
                cells: { who: reviewerName(r.reviewerId), decisions: formatNumber(r.decisions), median: formatHours(r.medianHours) },
              }))}
            />
          </div>
        )}
      </ChartCard>
    </>
  );
}

export function NotificationsCard({ filters }: { filters: Filters }) {
  const stats = useNotificationStats(filters);
  const data = stats.data;
  const sent = data?.invitationEmails.sent ?? 0;
  const failed = data?.invitationEmails.failed ?? 0;
  return (
    <ChartCard
      id="notifications"
      title="Invitation e-mails"
      description="Whether invitation e-mails went out, and how many candidates who opened an invitation went on to start."
      csv={{ path: ANALYTICS_PATHS.notifications, query: filterQuery(filters), name: "invitation-emails" }}
      state={stats}
      isEmpty={!data || (sent === 0 && failed === 0 && data.openToStart.opened === 0)}
      empty={{ title: "No invitation e-mails in this period" }}
    >
      {data && (
        <Figures
          items={[
            { label: "E-mails sent", value: formatNumber(sent) },
            { label: "Could not be sent", value: formatNumber(failed), hint: sent + failed > 0 ? `${formatPercent(failed / (sent + failed))} of all` : undefined },
            { label: "Opened the invitation", value: formatNumber(data.openToStart.opened) },
            { label: "Then started", value: formatNumber(data.openToStart.started) },
            { label: "Open to start", value: formatPercent(data.openToStart.conversion) },
          ]}
        />
      )}
    </ChartCard>
  );
}
