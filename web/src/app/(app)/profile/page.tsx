"use client";

import { AvatarSection } from "@/components/profile/avatar-section";
import { ProfileForm } from "@/components/profile/profile-form";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { ErrorState, LoadingBlock, PageHeader } from "@/components/ui/feedback";
import { useMe } from "@/lib/profile";

export default function ProfilePage() {
  const me = useMe();
  return (
    <>
      <PageHeader title="Profile" description="How you appear to others on the platform." />
      {me.isPending ? (
        <LoadingBlock label="Loading your profile…" />
      ) : me.isError ? (
        <ErrorState error={me.error} onRetry={() => void me.refetch()} title="Could not load your profile" />
      ) : (
        <div className="max-w-2xl space-y-6">
          <Card>
            <CardHeader>
              <CardTitle>Avatar</CardTitle>
              <CardDescription>Shown next to your name.</CardDescription>
            </CardHeader>
            <CardContent>
              <AvatarSection me={me.data} />
            </CardContent>
          </Card>
          <Card>
            <CardHeader>
              <CardTitle>Personal details</CardTitle>
            </CardHeader>
            <CardContent>
              {/* Keyed by id: another account's data never leaks into a mounted form. */}
              <ProfileForm key={me.data.id} me={me.data} />
            </CardContent>
          </Card>
        </div>
      )}
    </>
  );
}
