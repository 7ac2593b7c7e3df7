"use client";

import { AlertTriangle, Download, Table2 } from "lucide-react";
import * as React from "react";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState, LoadingBlock } from "@/components/ui/feedback";
import { analyticsError, csvFileName, csvUrl, downloadCsv, type AnalyticsPath } from "@/lib/analytics";
import { cn } from "@/lib/utils";

/** Whether the data table around is shown or only read by screen readers (then it is no tab stop). */
const TableShown = React.createContext(true);

export type CsvSource = { path: AnalyticsPath; query: Record<string, string | undefined>; name: string };

/** What a chart card needs to know about its query (a TanStack query result fits). */
export type LoadState = { isPending: boolean; isError: boolean; error: unknown; isFetching?: boolean; refetch: () => unknown };

/** The plain-words failure of a chart, with a way to ask again. */
export function LoadError({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  return (
    <div role="alert" className="flex flex-col items-start gap-3 rounded-lg border border-destructive/40 bg-red-50 p-4 text-sm text-red-900">
      <p className="flex items-center gap-2 font-medium">
        <AlertTriangle className="h-4 w-4" aria-hidden />
        {analyticsError(error)}
      </p>
      <Button size="sm" variant="outline" onClick={onRetry}>
        Try again
      </Button>
    </div>
  );
}

/**
 * Downloads a chart's data as CSV. The link's address is the gateway's CSV (so it can be copied or opened), and a
 * click fetches it with the session (refreshing an expired sign-in) and saves it under a name that says what it is.
 */
export function CsvLink({ source, label }: { source: CsvSource; label: string }) {
  const [failed, setFailed] = React.useState(false);
  const [busy, setBusy] = React.useState(false);
  const fileName = csvFileName(source.name, source.query);
  const onClick = async (event: React.MouseEvent<HTMLAnchorElement>) => {
    event.preventDefault();
    setBusy(true);
    setFailed(false);
    try {
      await downloadCsv(source.path, source.query, fileName);
    } catch {
      setFailed(true);
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="flex flex-col items-end gap-1">
      <Button asChild size="sm" variant="outline">
        <a href={csvUrl(source.path, source.query)} download={fileName} onClick={(e) => void onClick(e)} aria-disabled={busy || undefined}>
          <Download aria-hidden />
          Download CSV<span className="sr-only"> of {label}</span>
        </a>
      </Button>
      {failed && (
        <span role="alert" className="text-xs font-medium text-destructive">
          The CSV could not be downloaded. Try again.
        </span>
      )}
    </span>
  );
}

/**
 * One chart: a title, its CSV, and its states in plain words. The chart itself is an image summarised for screen
 * readers; its data table is always in the page (read by screen readers) and shown to everyone on request.
 */
export function ChartCard({
  id,
  title,
  description,
  csv,
  state,
  empty,
  isEmpty,
  table,
  summary,
  children,
  className,
}: {
  id: string;
  title: string;
  description?: React.ReactNode;
  csv?: CsvSource;
  state: LoadState;
  empty: { title: string; description?: string };
  isEmpty: boolean;
  /** The chart's data as a table: the accessible equivalent of the picture. */
  table?: React.ReactNode;
  /** One sentence a screen reader says for the picture. */
  summary?: string;
  children: React.ReactNode;
  className?: string;
}) {
  const [showTable, setShowTable] = React.useState(false);
  const ready = !state.isPending && !state.isError;
  return (
    <Card className={cn("min-w-0", className)} aria-labelledby={`${id}-title`} role="region">
      <CardHeader className="gap-3 sm:flex-row sm:items-start sm:justify-between sm:space-y-0">
        <div className="min-w-0 flex-1 space-y-1.5">
          <CardTitle id={`${id}-title`}>{title}</CardTitle>
          {description && <CardDescription>{description}</CardDescription>}
        </div>
        {ready && !isEmpty && (
          <div className="flex flex-wrap items-start gap-2 sm:shrink-0">
            {table && summary && (
              <Button size="sm" variant="ghost" aria-expanded={showTable} aria-controls={`${id}-table`} onClick={() => setShowTable((v) => !v)}>
                <Table2 aria-hidden />
                {showTable ? "Hide table" : "Show table"}
              </Button>
            )}
            {csv && <CsvLink source={csv} label={title} />}
          </div>
        )}
      </CardHeader>
      <CardContent>
        {state.isPending ? (
          <LoadingBlock rows={2} label={`Loading ${title.toLowerCase()}`} />
        ) : state.isError ? (
          <LoadError error={state.error} onRetry={() => void state.refetch()} />
        ) : isEmpty ? (
          <EmptyState title={empty.title} description={empty.description} />
        ) : (
          <div className={cn("space-y-4 transition-opacity", state.isFetching && "opacity-60")} aria-busy={state.isFetching || undefined}>
            {summary ? (
              <div role="img" aria-label={summary} className="w-full">
                {children}
              </div>
            ) : (
              children
            )}
            {table && (
              <div id={`${id}-table`} className={summary && !showTable ? "sr-only" : undefined}>
                <TableShown.Provider value={!summary || showTable}>{table}</TableShown.Provider>
              </div>
            )}
          </div>
        )}
      </CardContent>
    </Card>
  );
}

/** Content only screen readers read (a chart's data beside its picture): its tables are no tab stops. */
export function ScreenReaderOnly({ children }: { children: React.ReactNode }) {
  return (
    <TableShown.Provider value={false}>
      <div className="sr-only">{children}</div>
    </TableShown.Provider>
  );
}

/** A data table that scrolls sideways on a phone (focusable, so the keyboard can scroll it too). */
export function DataTable({
  caption,
  columns,
  rows,
  minWidth = 480,
}: {
  caption: string;
  columns: { key: string; label: string; numeric?: boolean }[];
  rows: { key: string; cells: Record<string, React.ReactNode> }[];
  minWidth?: number;
}) {
  const shown = React.useContext(TableShown);
  return (
    // Hidden, it must not scroll either: a scrolling region that cannot be focused traps keyboard users.
    <div
      {...(shown
        ? {
            className: "relative overflow-x-auto rounded-lg border focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring",
            tabIndex: 0,
            role: "region",
            "aria-label": caption,
          }
        : {})}
    >
      <table className="w-full text-sm" style={{ minWidth }}>
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-muted/50 text-left">
          <tr>
            {columns.map((c, i) => (
              <th key={c.key} scope="col" className={cn("px-3 py-2 font-medium", c.numeric && i > 0 && "text-right")}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y">
          {rows.map((row) => (
            <tr key={row.key}>
              {columns.map((c, i) =>
                i === 0 ? (
                  <th key={c.key} scope="row" className="px-3 py-2 text-left font-medium">
                    {row.cells[c.key]}
                  </th>
                ) : (
                  <td key={c.key} className={cn("px-3 py-2", c.numeric && "whitespace-nowrap text-right tabular-nums")}>
                    {row.cells[c.key]}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Headline figures: a label and a value each, as a description list. */
export function Figures({ items }: { items: { label: string; value: string; hint?: string }[] }) {
  return (
    <dl className="grid grid-cols-2 gap-3 sm:grid-cols-3">
      {items.map((item) => (
        <div key={item.label} className="rounded-md border p-3">
          <dt className="text-xs text-muted-foreground">{item.label}</dt>
          <dd className="mt-1 text-xl font-semibold tabular-nums">{item.value}</dd>
          {item.hint && <dd className="text-xs text-muted-foreground">{item.hint}</dd>}
        </div>
      ))}
    </dl>
  );
}
