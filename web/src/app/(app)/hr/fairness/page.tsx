"use client";

import { Download, Printer } from "lucide-react";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import * as React from "react";
import { MethodNotes, ReportSummary, ReportTable } from "@/components/fairness/report";
import { Button } from "@/components/ui/button";
import { ErrorState, LoadingBlock, PageHeader } from "@/components/ui/feedback";
import { Field, NativeSelect } from "@/components/ui/input";
import { downloadFairnessCsv, useFairnessReport } from "@/lib/fairness";

/**
 * The adverse-impact report: selection and scoring rates and impact ratios per sex, race/ethnicity and both, over
 * the company's decided interviews (or one template's), with a CSV for an auditor and a printable page to sign.
 */
export default function FairnessPage() {
  return (
    <React.Suspense fallback={<LoadingBlock rows={4} label="Loading the report…" />}>
      <Fairness />
    </React.Suspense>
  );
}

function Fairness() {
  const router = useRouter();
  const params = useSearchParams();
  const templateId = params.get("templateId") ?? "";
  const report = useFairnessReport(templateId);
  const [download, setDownload] = React.useState<{ busy: boolean; error: unknown }>({ busy: false, error: null });

  async function csv() {
    setDownload({ busy: true, error: null });
    try {
      await downloadFairnessCsv(templateId);
      setDownload({ busy: false, error: null });
    } catch (error) {
      setDownload({ busy: false, error });
    }
  }

  const printHref = `/hr/fairness/print${templateId ? `?templateId=${encodeURIComponent(templateId)}` : ""}`;
  return (
    <div className="space-y-6">
      <PageHeader
        title="Adverse-impact report"
        description="Whether your decisions and the AI's scores treat groups of candidates alike, from candidates' voluntary self-identification. Only counts are shown, never a person."
        actions={
          <div className="flex flex-wrap gap-2">
            <Button variant="outline" size="sm" onClick={() => void csv()} disabled={download.busy || !report.data}>
              <Download className="h-4 w-4" aria-hidden /> {download.busy ? "Preparing…" : "Download CSV"}
            </Button>
            <Button asChild size="sm">
              <Link href={printHref}>
                <Printer className="h-4 w-4" aria-hidden /> Printable page
              </Link>
            </Button>
          </div>
        }
      />
      <Field id="fairness-template" label="Template" className="w-full sm:w-72">
        <NativeSelect
          id="fairness-template"
          value={templateId}
          onChange={(e) => router.replace(e.target.value ? `/hr/fairness?templateId=${encodeURIComponent(e.target.value)}` : "/hr/fairness")}
        >
          <option value="">All templates</option>
          {report.data?.templates.map((t) => (
            <option key={t.id} value={t.id}>
              {`${t.title} (${t.decided} decided)`}
            </option>
          ))}
          {templateId && report.data && !report.data.templates.some((t) => t.id === templateId) && (
            <option value={templateId}>{report.data.templateTitle ?? "This template"}</option>
          )}
        </NativeSelect>
      </Field>
      {download.error !== null && <ErrorState error={download.error} title="The CSV could not be downloaded" />}
      {report.isPending ? (
        <LoadingBlock rows={4} label="Loading the report…" />
      ) : report.isError ? (
        <ErrorState error={report.error} onRetry={() => void report.refetch()} title="Could not load the report" />
      ) : (
        <>
          <ReportSummary report={report.data} />
          {report.data.tables.map((table) => (
            <ReportTable key={table.dimension} table={table} />
          ))}
          <MethodNotes report={report.data} />
        </>
      )}
    </div>
  );
}
