"use client";

import { useSearchParams } from "next/navigation";
import * as React from "react";
import { SharedInterviewView } from "@/components/shared/shared-interview";
import { Alert, LoadingBlock, Spinner } from "@/components/ui/feedback";
import { sharedError, useSharedInterview } from "@/lib/reviews";

/** A hiring manager opens an interview shared with them, without an account. */
function SharedPage() {
  const token = useSearchParams().get("token") ?? "";
  const shared = useSharedInterview(token);
  return (
    <main id="main" className="mx-auto max-w-3xl space-y-4 p-4 sm:p-8">
      {!token ? (
        <Alert variant="error" title="This link is incomplete">
          Check that you copied all of it.
        </Alert>
      ) : shared.isPending ? (
        <LoadingBlock rows={4} label="Loading the interview" />
      ) : shared.isError ? (
        <Alert variant="error" title="The interview cannot be shown">
          {sharedError(shared.error)}
        </Alert>
      ) : (
        <SharedInterviewView interview={shared.data} />
      )}
    </main>
  );
}

export default function Page() {
  return (
    <React.Suspense fallback={<Spinner />}>
      <SharedPage />
    </React.Suspense>
  );
}
