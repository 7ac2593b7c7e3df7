"use client";

import { ArrowLeft, Printer } from "lucide-react";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import * as React from "react";
import { MethodNotes, ReportSummary, ReportTable, TAP_BUTTON } from "@/components/fairness/report";
import { Button } from "@/components/ui/button";
import { ErrorState, LoadingBlock } from "@/components/ui/feedback";
import { reportHref, useFairnessReport, type FairnessReport } from "@/lib/fairness";
import { cn, formatDate } from "@/lib/utils";

// On paper only the report: the app's header and navigation, and this page's buttons, stay on screen.
const PRINT_CSS = `@media print {
  body * { visibility: hidden; }
  #fairness-report, #fairness-report * { visibility: visible; }
  #fairness-report { position: absolute; inset: 0 auto auto 0; width: 100%; }
}`;

/** The report as a page an auditor prints (or saves as PDF) and signs: tables, method and a sign-off block. */
export default function FairnessPrintPage() {
  return (
    <React.Suspense fallback={<LoadingBlock rows={4} label="Loading the report…" />}>
      <Printable />
    </React.Suspense>
  );
}

function Printable() {
  const params = useSearchParams();
  const templateId = params.get("templateId") ?? "";
  const companyId = params.get("companyId") ?? "";
  const report = useFairnessReport(templateId, companyId);
  const back = reportHref({ templateId, companyId });
  return (
    <div className="space-y-4">
      <style>{PRINT_CSS}</style>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <Link href={back} className={cn("inline-flex items-center gap-1 text-sm text-muted-foreground hover:text-foreground", TAP_BUTTON)}>
          <ArrowLeft className="h-4 w-4" aria-hidden /> Back to the report
        </Link>
        <Button size="sm" className={TAP_BUTTON} onClick={() => window.print()} disabled={!report.data}>
          <Printer className="h-4 w-4" aria-hidden /> Print or save as PDF
        </Button>
      </div>
      {report.isPending ? (
        <LoadingBlock rows={4} label="Loading the report…" />
      ) : report.isError ? (
        <ErrorState error={report.error} onRetry={() => void report.refetch()} title="Could not load the report" />
      ) : (
        <article id="fairness-report" className="space-y-6 bg-background">
          <header className="space-y-1">
            <h1 className="text-2xl font-bold">Adverse-impact report</h1>
            <p className="text-sm text-muted-foreground">{scopeLine(report.data)}</p>
          </header>
          <ReportSummary report={report.data} />
          {report.data.tables.map((table) => (
            <ReportTable key={table.dimension} table={table} printable />
          ))}
          <MethodNotes report={report.data} />
          <SignOff />
        </article>
      )}
    </div>
  );
}

function scopeLine(report: FairnessReport): string {
  const what = report.templateTitle ? `Template “${report.templateTitle}”` : "All templates";
  return `${what} · decided interviews up to ${formatDate(report.generatedAt, true)}`;
}

/** Filled in by hand on paper: who reviewed the figures, when, and their signature. */
function SignOff() {
  return (
    <section aria-labelledby="sign-off" className="space-y-4 break-inside-avoid rounded-lg border p-4 text-sm">
      <h2 id="sign-off" className="text-lg font-semibold">
        Auditor sign-off
      </h2>
      <p>I have reviewed the figures and the method above.</p>
      <dl className="grid gap-6 sm:grid-cols-2">
        {["Auditor name", "Organisation", "Date", "Signature"].map((line) => (
          <div key={line}>
            <dt className="text-muted-foreground">{line}</dt>
            <dd className="mt-6 border-b border-foreground">
              <span className="sr-only">to be filled in by hand</span>
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
