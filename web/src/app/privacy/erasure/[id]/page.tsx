"use client";

import { useParams, useSearchParams } from "next/navigation";
import { Suspense } from "react";
import { ErasureReportView } from "@/components/profile/erasure-report";
import { Spinner } from "@/components/ui/feedback";

/** The erasure report, opened from the e-mailed signed link: the account is gone, so no sign-in. */
function Report() {
  const { id } = useParams<{ id: string }>();
  const token = useSearchParams().get("token") ?? "";
  return <ErasureReportView erasureId={id} token={token} />;
}

export default function ErasureReportPage() {
  return (
    <main className="mx-auto max-w-2xl space-y-6 p-4 sm:p-8">
      <h1 className="text-2xl font-bold tracking-tight">Your erasure report</h1>
      <Suspense fallback={<Spinner />}>
        <Report />
      </Suspense>
    </main>
  );
}
