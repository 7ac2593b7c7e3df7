"use client";

import { Webhook } from "lucide-react";
import Link from "next/link";
import { useParams } from "next/navigation";
import { CompanyForm } from "@/components/hr/company-form";
import { TeamMembers } from "@/components/hr/team-members";
import { RetentionSetting } from "@/components/profile/retention-setting";
import { Button } from "@/components/ui/button";
import { ErrorState, LoadingBlock, PageHeader } from "@/components/ui/feedback";
import { useCompany } from "@/lib/companies";

export default function EditCompanyPage() {
  const { id } = useParams<{ id: string }>();
  const company = useCompany(id);
  return (
    <>
      <PageHeader
        title={company.data ? `Edit ${company.data.name}` : "Edit company"}
        actions={
          <Button asChild variant="outline">
            <Link href={`/hr/companies/${id}/webhooks`}>
              <Webhook aria-hidden /> Webhooks
            </Link>
          </Button>
        }
      />
      {company.isPending ? (
        <LoadingBlock rows={4} label="Loading the company" />
      ) : company.isError ? (
        <ErrorState error={company.error} onRetry={() => void company.refetch()} title="Could not load the company" />
      ) : (
        <div className="space-y-8">
          <CompanyForm key={company.data.id} company={company.data} />
          <TeamMembers companyId={company.data.id} />
          <RetentionSetting />
        </div>
      )}
    </>
  );
}
