"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { SelfIdentificationCard } from "@/components/fairness/self-identification-card";
import { AvatarSection } from "@/components/profile/avatar-section";
import { ProfileForm } from "@/components/profile/profile-form";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { ErrorState, LoadingBlock, PageHeader } from "@/components/ui/feedback";
import { Switch } from "@/components/ui/switch";
import { profileKeys, setDiscoverable, useMe, type Me } from "@/lib/profile";

/** A candidate chooses whether recruiters' candidate search finds them; it is off until they turn it on. */
function Discoverable({ me }: { me: Me }) {
  const queryClient = useQueryClient();
  const save = useMutation({
    mutationFn: (on: boolean) => setDiscoverable(on, me.version),
    onSuccess: (fresh) => queryClient.setQueryData(profileKeys.me, fresh),
  });
  return (
    <div className="space-y-3">
      <Switch
        id="discoverable"
        label="Discoverable by recruiters"
        description="When on, HR users can find you in their candidate search by your skills and invite you."
        checked={save.isPending ? !!save.variables : !!me.discoverable}
        disabled={save.isPending}
        onCheckedChange={(on) => save.mutate(on)}
      />
      {save.isError && <ErrorState error={save.error} title="Could not save this setting" />}
    </div>
  );
}

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
          {me.data.role === "candidate" && (
            <Card>
              <CardHeader>
                <CardTitle>Privacy</CardTitle>
              </CardHeader>
              <CardContent>
                <Discoverable me={me.data} />
              </CardContent>
            </Card>
          )}
          {me.data.role === "candidate" && <SelfIdentificationCard />}
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
