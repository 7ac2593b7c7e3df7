"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Briefcase, Clock, UserRound } from "lucide-react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { ErrorState, Spinner } from "@/components/ui/feedback";
import { refreshSession } from "@/lib/api";
import { homeFor } from "@/lib/jwt";
import { fetchMe, profileKeys, selectRole, useMe } from "@/lib/profile";
import { logout } from "@/lib/session";

const CHOICES = [
  { role: "candidate", title: "Candidate", text: "Take interviews you are invited to and see your results.", icon: UserRound },
  { role: "hr", title: "HR Manager", text: "Build interview templates, invite candidates and review their answers.", icon: Briefcase },
] as const;


export default function SelectRole() {
  const router = useRouter();
  const queryClient = useQueryClient();
  const me = useMe();
  const waiting = !!me.data?.hrAccessRequestedAt;

  const choose = useMutation({
    mutationFn: selectRole,
    onSuccess: async (role) => {
      await queryClient.invalidateQueries({ queryKey: profileKeys.me });
      // "pending": hr was requested; the refreshed profile shows the waiting state.
      if (role !== "pending") router.replace(homeFor(role));
    },
  });

  // After an administrator approved, a refreshed session carries hr; until then the user keeps waiting.
  const check = useMutation({
    mutationFn: async () => {
      await refreshSession();
      return fetchMe();
    },
    onSuccess: (fresh) => {
      queryClient.setQueryData(profileKeys.me, fresh);
      if (fresh.role !== "pending") router.replace(homeFor(fresh.role));
    },
  });

  return (
    <main id="main" className="mx-auto flex min-h-screen max-w-3xl flex-col justify-center gap-6 p-6">
      {me.isPending ? (
        <Spinner label="Loading your account…" />
      ) : waiting ? (
        <>
          <div>
            <h1 className="text-2xl font-bold">Waiting for HR access</h1>
            <p className="text-sm text-muted-foreground">An administrator must approve HR access. You will find your HR dashboard here once they have.</p>
          </div>
          {(check.isError || choose.isError) && <ErrorState error={check.error ?? choose.error} title="Something went wrong, please try again" />}
          {check.isSuccess && check.data.role === "pending" && (
            <p role="status" className="flex items-center gap-2 text-sm">
              <Clock className="h-4 w-4" aria-hidden /> Not approved yet.
            </p>
          )}
          <div className="flex flex-wrap gap-3">
            <Button disabled={check.isPending} onClick={() => check.mutate()}>
              Check again
            </Button>
            <Button variant="outline" disabled={choose.isPending} onClick={() => choose.mutate("candidate")}>
              Continue as Candidate instead
            </Button>
          </div>
        </>
      ) : (
        <>
          <div>
            <h1 className="text-2xl font-bold">How will you use the platform?</h1>
            <p className="text-sm text-muted-foreground">
              You choose once. HR access is immediate with a verified company e-mail address; otherwise an administrator approves it.
            </p>
          </div>
          {choose.isError && <ErrorState error={choose.error} title="Could not set your role" />}
          <div className="grid gap-4 sm:grid-cols-2">
            {CHOICES.map(({ role, title, text, icon: Icon }) => (
              <Card key={role}>
                <CardHeader>
                  <Icon className="h-6 w-6 text-primary" aria-hidden />
                  <CardTitle>{title}</CardTitle>
                  <CardDescription>{text}</CardDescription>
                </CardHeader>
                <CardContent>
                  <Button className="w-full" disabled={choose.isPending} onClick={() => choose.mutate(role)}>
                    Continue as {title}
                  </Button>
                </CardContent>
              </Card>
            ))}
          </div>
        </>
      )}
      <Button variant="link" className="self-start" onClick={() => void logout()}>
        Sign out
      </Button>
    </main>
  );
}
