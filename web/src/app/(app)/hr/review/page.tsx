"use client";

import { CompletedList } from "@/components/hr/completed-list";
import { PageHeader } from "@/components/ui/feedback";

export default function ReviewListPage() {
  return (
    <>
      <PageHeader title="Review" description="Completed interviews, their AI analysis, and your decisions." />
      <CompletedList />
    </>
  );
}
