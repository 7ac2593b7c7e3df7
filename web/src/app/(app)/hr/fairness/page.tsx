"use client";

import { Download, Printer } from "lucide-react";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import * as React from "react";
import { MethodNotes, ReportSummary, ReportTable, TAP_BUTTON, TAP_SELECT } from "@/components/fairness/report";
import { Button } from "@/components/ui/button";
import { ErrorState, LoadingBlock, PageHeader } from "@/components/ui/feedback";
import { Field, NativeSelect } from "@/components/ui/input";
import { useCompanies } from "@/lib/companies";
import { downloadFairnessCsv, reportHref, useFairnessReport } from "@/lib/fairness";
import { useMe } from "@/lib/profile";

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
  const companyId = params.get("companyId") ?? "";
  // An admin works for no one company: they pick the company (or all of them); HR always sees their own.
  const isAdmin = useMe().data?.role === "admin";
  const companies = useCompanies(isAdmin);
  const report = useFairnessReport(templateId, companyId);
  const [download, setDownload] = React.useState<{ busy: boolean; error: unknown }>({ busy: false, error: null });

  async function csv() {
    setDownload({ busy: true, error: null });
    try {
      await downloadFairnessCsv(templateId, companyId);
      setDownload({ busy: false, error: null });
    } catch (error) {
      setDownload({ busy: false, error });
    }
  }

  const printHref = reportHref({ templateId, companyId }, true);
  return (
    <div className="space-y-6">
      <PageHeader
        title="Adverse-impact report"
        description="Whether your decisions and the AI's scores treat groups of candidates alike, from candidates' voluntary self-identification. Only counts are shown, never a person."
        actions={
          <div className="flex flex-wrap gap-2">
            <Button variant="outline" size="sm" className={TAP_BUTTON} onClick={() => void csv()} disabled={download.busy || !report.data}>
              <Download className="h-4 w-4" aria-hidden /> {download.busy ? "Preparing…" : "Download CSV"}
            </Button>
            <Button asChild size="sm" className={TAP_BUTTON}>
              <Link href={printHref}>
                <Printer className="h-4 w-4" aria-hidden /> Printable page
              </Link>
            </Button>
          </div>
        }
      />
      <div className="flex flex-col gap-3 sm:flex-row sm:flex-wrap">
        {isAdmin && (
          <Field id="fairness-company" label="Company" className="w-full sm:w-72">
            <NativeSelect
              id="fairness-company"
              className={TAP_SELECT}
              value={companyId}
              // Another company has other templates: the choice starts again from all of them.
              onChange={(e) => router.replace(reportHref({ companyId: e.target.value }))}
            >
              <option value="">All companies</option>
              {companies.data?.data.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
              {companyId && companies.data && !companies.data.data.some((c) => c.id === companyId) && (
                <option value={companyId}>This company</option>
              )}
            </NativeSelect>
          </Field>
        )}
        <Field id="fairness-template" label="Template" className="w-full sm:w-72">
          <NativeSelect
            id="fairness-template"
            className={TAP_SELECT}
            value={templateId}
            onChange={(e) => router.replace(reportHref({ companyId, templateId: e.target.value }))}
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
      </div>
      {isAdmin && companies.isError && <ErrorState error={companies.error} onRetry={() => void companies.refetch()} title="Could not load the companies" />}
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
