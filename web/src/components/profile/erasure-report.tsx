"use client";

import { useQuery } from "@tanstack/react-query";
import { Alert, ErrorState, LoadingBlock } from "@/components/ui/feedback";
import { fetchErasureReport, KIND_NAMES, SERVICE_NAMES, type ErasureReport } from "@/lib/privacy";

const STATUS: Record<ErasureReport["status"], { title: string; text: string; variant: "info" | "success" | "warning" }> = {
  in_progress: {
    title: "Erasure in progress",
    text: "Parts of the platform are still erasing your data. This page updates by itself.",
    variant: "info",
  },
  complete: { title: "Erasure complete", text: "Every part of the platform has erased your data.", variant: "success" },
  incomplete: {
    title: "Erasure not yet confirmed everywhere",
    text: "Some parts of the platform have not confirmed the erasure yet. They will finish it; this page shows who has.",
    variant: "warning",
  },
};

/** The report of one erasure request: what each part of the platform erased, in counts, never content. */
export function ErasureReportView({ erasureId, token }: { erasureId: string; token: string }) {
  const report = useQuery({
    queryKey: ["erasure-report", erasureId, token],
    queryFn: () => fetchErasureReport(erasureId, token),
    refetchInterval: (query) => (query.state.data?.status === "in_progress" ? 5000 : false),
    retry: false,
  });
  if (report.isPending) return <LoadingBlock label="Loading the erasure report…" />;
  if (report.isError) return <ErrorState error={report.error} title="This erasure report could not be shown" />;
  const { status, services, waitingFor, requestedAt } = report.data;
  const shown = STATUS[status];
  return (
    <section aria-labelledby="erasure-report-title" className="space-y-4">
      <h2 id="erasure-report-title" className="text-lg font-semibold">
        What was erased
      </h2>
      <Alert variant={shown.variant} title={shown.title}>
        {shown.text}
      </Alert>
      <p className="text-sm text-muted-foreground">Requested {new Date(requestedAt).toLocaleString()}.</p>
      <ul className="space-y-3">
        {services.map((s) => (
          <li key={s.service} className="rounded-md border p-3">
            <p className="font-medium">{SERVICE_NAMES[s.service] ?? "Other records"}</p>
            <ul className="mt-1 text-sm">
              {Object.entries(s.counts).map(([kind, n]) => (
                <li key={kind}>
                  {n} {KIND_NAMES[kind] ?? "records"}
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
      {waitingFor.length > 0 && (
        <p className="text-sm">
          Still to confirm: {waitingFor.map((s) => SERVICE_NAMES[s] ?? "other records").join(", ")}.
        </p>
      )}
    </section>
  );
}
