"use client";

import { CompanyForm } from "@/components/hr/company-form";
import { PageHeader } from "@/components/ui/feedback";

export default function CreateCompanyPage() {
  return (
    <>
      <PageHeader title="Add company" description="Name the company you recruit for; the other details are optional." />
      <CompanyForm />
    </>
  );
}
