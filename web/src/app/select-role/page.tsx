"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Briefcase, UserRound } from "lucide-react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { ErrorState } from "@/components/ui/feedback";
import { homeFor } from "@/lib/jwt";
import { profileKeys, selectRole } from "@/lib/profile";
import { logout } from "@/lib/session";

const CHOICES = [
  { role: "candidate", title: "Candidate", text: "Take interviews you are invited to and see your results.", icon: UserRound },
  { role: "hr", title: "HR Manager", text: "Build interview templates, invite candidates and review their answers.", icon: Briefcase },
] as const;

export default function SelectRole() {
  const router = useRouter();
  const queryClient = useQueryClient();
  const choose = useMutation({
    mutationFn: async (role: "candidate" | "hr") => {
      // The session is refreshed too: a new token carries the new realm role, which routing reads.
      await selectRole(role);
      return role;
    },
    onSuccess: async (role) => {
      await queryClient.invalidateQueries({ queryKey: profileKeys.me });
      router.replace(homeFor(role));
    },
  });
  return (
    <main id="main" className="mx-auto flex min-h-screen max-w-3xl flex-col justify-center gap-6 p-6">
      <div>
        <h1 className="text-2xl font-bold">How will you use the platform?</h1>
        <p className="text-sm text-muted-foreground">You choose once; an administrator can change it later.</p>
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
      <Button variant="link" className="self-start" onClick={() => void logout()}>
        Sign out
      </Button>
    </main>
  );
}
