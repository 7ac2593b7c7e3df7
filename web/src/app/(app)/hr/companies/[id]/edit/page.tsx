"use client";

import { useParams } from "next/navigation";
import { CompanyForm } from "@/components/hr/company-form";
import { ErrorState, LoadingBlock, PageHeader } from "@/components/ui/feedback";
import { useCompany } from "@/lib/companies";

export default function EditCompanyPage() {
  const { id } = useParams<{ id: string }>();
  const company = useCompany(id);
  return (
    <>
      <PageHeader title={company.data ? `Edit ${company.data.name}` : "Edit company"} />
      {company.isPending ? (
        <LoadingBlock rows={4} label="Loading the company" />
      ) : company.isError ? (
        <ErrorState error={company.error} onRetry={() => void company.refetch()} title="Could not load the company" />
      ) : (
        <CompanyForm key={company.data.id} company={company.data} />
      )}
    </>
  );
}
