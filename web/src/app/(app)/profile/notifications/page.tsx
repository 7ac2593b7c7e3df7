"use client";

import { PreferencesFormCard } from "@/components/notifications/preferences-form";
import { ErrorState, LoadingBlock, PageHeader } from "@/components/ui/feedback";
import { preferencesError, usePreferences } from "@/lib/notifications";
import { useMe } from "@/lib/profile";

export default function NotificationSettingsPage() {
  const preferences = usePreferences();
  const me = useMe();
  return (
    <>
      <PageHeader title="Notification settings" description="Choose which messages you get, by e-mail and in the app." />
      {preferences.isPending ? (
        <LoadingBlock rows={4} label="Loading your notification settings" />
      ) : preferences.isError ? (
        <ErrorState error={new Error(preferencesError(preferences.error))} onRetry={() => void preferences.refetch()} title="Could not load your notification settings" />
      ) : (
        // Keyed by the saved version: after a save or another tab's change the form starts from what is stored.
        <PreferencesFormCard key={`${preferences.data.userId}-${preferences.data.updatedAt ?? ""}`} preferences={preferences.data} role={me.data?.role} />
      )}
    </>
  );
}
