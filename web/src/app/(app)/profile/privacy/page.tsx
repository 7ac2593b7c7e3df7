"use client";

import { PrivacyPanel } from "@/components/profile/privacy-panel";
import { EmptyState, ErrorState, LoadingBlock, PageHeader } from "@/components/ui/feedback";
import { useMe } from "@/lib/profile";

export default function PrivacyPage() {
  const me = useMe();
  return (
    <>
      <PageHeader title="Your data" description="Download everything we hold about you, or erase it." />
      {me.isPending ? (
        <LoadingBlock label="Loading your account…" />
      ) : me.isError ? (
        <ErrorState error={me.error} onRetry={() => void me.refetch()} title="Could not load your account" />
      ) : me.data.role !== "candidate" ? (
        <EmptyState
          title="For candidates"
          description="Downloading and erasing your interview data is available to candidates. Ask an administrator about your team account."
        />
      ) : (
        <PrivacyPanel email={me.data.email} />
      )}
    </>
  );
}
