"use client";

import { AlertTriangle } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { Alert } from "@/components/ui/feedback";
import { formatRate, formatRatio, rowNotes, TABLE_TITLES, type FairnessReport, type GroupRow, type GroupTable } from "@/lib/fairness";
import { cn, formatDate } from "@/lib/utils";

/** A finger needs about 44 px: the report's buttons and pickers are that tall on a phone, their usual size from `sm` up. */
export const TAP_BUTTON = "h-11 sm:h-9";
export const TAP_SELECT = "h-11 sm:h-10";

/** The figures the report rests on, and the warning when they are too few to conclude anything. */
export function ReportSummary({ report }: { report: FairnessReport }) {
  return (
    <div className="space-y-3">
      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4">
        <Figure term="Decided interviews" value={String(report.decided)} />
        <Figure term="With an AI score" value={String(report.scored)} />
        <Figure term="Median AI score" value={report.medianScore === null ? "–" : String(report.medianScore)} />
        <Figure term="Generated" value={formatDate(report.generatedAt)} />
      </dl>
      {report.sampleTooSmall && (
        <Alert variant="warning" title="Too few decisions to conclude anything">
          This report rests on {report.decided} decided interview{report.decided === 1 ? "" : "s"}, fewer than{" "}
          {report.minimumSample}. With so few, a single decision can move a group&apos;s rate across the four-fifths line, so a
          flag (or the lack of one) says more about chance than about your process. Keep collecting decisions before you
          draw conclusions.
        </Alert>
      )}
    </div>
  );
}

function Figure({ term, value }: { term: string; value: string }) {
  return (
    <div className="rounded-lg border p-3">
      <dt className="text-xs text-muted-foreground">{term}</dt>
      <dd className="text-lg font-semibold tabular-nums">{value}</dd>
    </div>
  );
}

const COLUMNS = [
  "Category",
  "Applicants",
  "Selected",
  "Selection rate",
  "Impact ratio (selection)",
  "Scored",
  "Above median",
  "Scoring rate",
  "Impact ratio (scoring)",
  "Notes",
];

/**
 * One table per dimension. On a wide screen (and on paper) a table; on a phone each category is a card, since ten
 * columns do not fit. `printable` keeps the table at every width.
 */
export function ReportTable({ table, printable = false }: { table: GroupTable; printable?: boolean }) {
  const title = TABLE_TITLES[table.dimension];
  const rows = [...table.rows, table.unknown];
  return (
    <section aria-labelledby={`table-${table.dimension}`} className="space-y-2">
      <h2 id={`table-${table.dimension}`} className="text-lg font-semibold">
        {title}
      </h2>
      {table.rows.length === 0 && <p className="text-sm text-muted-foreground">Nobody in scope shared this yet.</p>}
      {/* Ten columns are wider than a phone: on screen the table scrolls inside its frame (focusable, so a keyboard
          can scroll it too). On paper nothing may scroll out of sight: the printable table wraps instead. */}
      <div
        role="region"
        aria-label={`${title}: table`}
        tabIndex={0}
        className={cn("overflow-x-auto rounded-lg border", printable ? "print:overflow-visible print:text-xs" : "hidden md:block")}
      >
        <table className="w-full text-sm">
          <caption className="sr-only">{`${title}: rates and impact ratios per category`}</caption>
          <thead className="bg-muted/50 text-left">
            <tr>
              {COLUMNS.map((column) => (
                <th key={column} scope="col" className="px-3 py-2 font-medium">
                  {column}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.category} className={cn("border-t", row.flagged && "bg-amber-50 dark:bg-amber-950/30")}>
                <th scope="row" className="px-3 py-2 text-left font-medium">
                  {row.label}
                </th>
                <td className="px-3 py-2 tabular-nums">{row.applicants}</td>
                <td className="px-3 py-2 tabular-nums">{row.selected}</td>
                <td className="px-3 py-2 tabular-nums">{formatRate(row.selectionRate)}</td>
                <td className="px-3 py-2 tabular-nums">{formatRatio(row.selectionImpactRatio)}</td>
                <td className="px-3 py-2 tabular-nums">{row.scored}</td>
                <td className="px-3 py-2 tabular-nums">{row.aboveMedian}</td>
                <td className="px-3 py-2 tabular-nums">{formatRate(row.scoringRate)}</td>
                <td className="px-3 py-2 tabular-nums">{formatRatio(row.scoringImpactRatio)}</td>
                <td className="min-w-44 px-3 py-2">
                  <Notes row={row} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {!printable && (
        <ul className="space-y-2 md:hidden" aria-label={`${title}: categories`}>
          {rows.map((row) => (
            <RowCard key={row.category} row={row} />
          ))}
        </ul>
      )}
    </section>
  );
}

function RowCard({ row }: { row: GroupRow }) {
  return (
    <li className={cn("rounded-lg border p-3 text-sm", row.flagged && "border-amber-300 bg-amber-50 dark:bg-amber-950/30")}>
      <p className="font-medium">{row.label}</p>
      <dl className="mt-2 grid grid-cols-2 gap-x-3 gap-y-1">
        <dt className="text-muted-foreground">Applicants</dt>
        <dd className="tabular-nums">
          {row.applicants} ({row.selected} selected)
        </dd>
        <dt className="text-muted-foreground">Selection rate</dt>
        <dd className="tabular-nums">{formatRate(row.selectionRate)}</dd>
        <dt className="text-muted-foreground">Impact ratio (selection)</dt>
        <dd className="tabular-nums">{formatRatio(row.selectionImpactRatio)}</dd>
        <dt className="text-muted-foreground">Scoring rate</dt>
        <dd className="tabular-nums">
          {formatRate(row.scoringRate)} ({row.aboveMedian} of {row.scored})
        </dd>
        <dt className="text-muted-foreground">Impact ratio (scoring)</dt>
        <dd className="tabular-nums">{formatRatio(row.scoringImpactRatio)}</dd>
      </dl>
      <div className="mt-2">
        <Notes row={row} />
      </div>
    </li>
  );
}

function Notes({ row }: { row: GroupRow }) {
  const notes = rowNotes(row);
  if (row.category === "unknown") return <span className="text-muted-foreground">Counted, not compared</span>;
  if (notes.length === 0) return null;
  return (
    <span className="flex flex-wrap gap-1">
      {notes.map((note) => (
        <Badge key={note} variant={note.startsWith("Below") ? "destructive" : "secondary"}>
          {note.startsWith("Below") && <AlertTriangle className="mr-1 h-3 w-3" aria-hidden />}
          {note}
        </Badge>
      ))}
    </span>
  );
}

/** How the figures are worked out, in plain words, for HR and for the auditor who signs the printed page. */
export function MethodNotes({ report }: { report: FairnessReport }) {
  return (
    <section aria-labelledby="method" className="space-y-2 text-sm">
      <h2 id="method" className="text-lg font-semibold">
        How this report is worked out
      </h2>
      <ul className="list-disc space-y-1 pl-5">
        <li>
          It counts every interview in scope on which a person made a decision (approved or rejected), with the AI score it
          received. Interviews still awaiting a decision are left out.
        </li>
        <li>
          Categories come from candidates&apos; voluntary self-identification, collected apart from the interview and never shown to
          reviewers or the AI. The EEO-1 categories are used, as in New York City Local Law 144 bias audits. Those who did not
          answer, or preferred not to say, are counted in the &ldquo;Unknown / not provided&rdquo; row and never compared.
        </li>
        <li>
          <strong>Selection rate</strong>: approved divided by decided, per category. <strong>Scoring rate</strong>: the share of a
          category&apos;s scored interviews whose AI score is above the median score of everyone in scope
          {report.medianScore === null ? "" : ` (${report.medianScore})`}.
        </li>
        <li>
          <strong>Impact ratio</strong>: a category&apos;s rate divided by the highest rate among the compared categories. A ratio
          below 0.8 is flagged (the four-fifths rule of thumb); it is a reason to look closer, not proof of discrimination.
        </li>
        <li>
          Categories with fewer than {Math.round(report.exclusionShare * 100)}% of the decided interviews are shown with their counts
          and rates but are not compared and cannot be the highest group, as the Local Law 144 rules allow.
        </li>
        <li>
          Fewer than {report.minimumSample} decided interviews in all, or fewer than {report.minimumGroup} in a category, are too few
          to conclude much: one decision then moves a rate by several points.
        </li>
      </ul>
    </section>
  );
}
