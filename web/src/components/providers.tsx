"use client";

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import * as React from "react";
import { ApiError, configureApi } from "@/lib/api";
import { ToastProvider } from "@/components/ui/toast";

export function Providers({ apiBase, children }: { apiBase: string; children: React.ReactNode }) {
  // Set during render so the first queries of the children already see it.
  configureApi(apiBase);
  const [client] = React.useState(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: {
            staleTime: 15_000,
            refetchOnWindowFocus: false,
            // A 4xx will not get better by asking again; network trouble and 5xx might.
            retry: (count, error) => !(error instanceof ApiError && error.statusCode >= 400 && error.statusCode < 500) && count < 2,
          },
        },
      }),
  );
  return (
    <QueryClientProvider client={client}>
      <ToastProvider>{children}</ToastProvider>
    </QueryClientProvider>
  );
}
