"use client";

import { ReviewList } from "@/components/hr/review/review-list";
import { PageHeader } from "@/components/ui/feedback";

export default function ReviewListPage() {
  return (
    <>
      <PageHeader title="Review" description="Completed interviews: filter, sort, compare, move between stages and export." />
      <ReviewList />
    </>
  );
}
