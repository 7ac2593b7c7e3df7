"use client";

import * as React from "react";
import { AccountsTable } from "@/components/billing/accounts-table";
import { Pager } from "@/components/hr/invitations-list";
import { EmptyState, ErrorState, LoadingBlock, PageHeader } from "@/components/ui/feedback";
import { billingError, useBillingAccounts } from "@/lib/billing";

export default function AdminBillingPage() {
  const [page, setPage] = React.useState(1);
  const accounts = useBillingAccounts(page);
  return (
    <>
      <PageHeader
        title="Billing accounts"
        description="Every billed account (a company, or an HR user without one) with its plan and this month's usage."
      />
      {accounts.isPending ? (
        <LoadingBlock rows={5} label="Loading billing accounts" />
      ) : accounts.isError ? (
        <ErrorState error={new Error(billingError(accounts.error, "load"))} onRetry={() => void accounts.refetch()} title="Could not load the billing accounts" />
      ) : accounts.data.data.length === 0 ? (
        <EmptyState title="No billed accounts yet" description="An account appears here once an HR user or company uses the platform." />
      ) : (
        <>
          {accounts.isFetching && <p className="mb-2 text-xs text-muted-foreground">Updating…</p>}
          <AccountsTable accounts={accounts.data.data} caption={`Billing accounts, page ${accounts.data.pagination.page}`} />
          <Pager
            page={accounts.data.pagination.page}
            totalPages={accounts.data.pagination.totalPages}
            total={accounts.data.pagination.total}
            onPage={setPage}
          />
        </>
      )}
    </>
  );
}
