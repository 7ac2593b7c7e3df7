"use client";

import { AuditTrail } from "@/components/audit/audit-trail";
import { PageHeader } from "@/components/ui/feedback";

export default function AuditPage() {
  return (
    <>
      <PageHeader
        title="Audit trail"
        description="Who viewed candidates' answers, recordings and AI scores, who exported what, and who decided or shared what, and why."
      />
      <AuditTrail />
    </>
  );
}
