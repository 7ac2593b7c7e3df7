"use client";

import * as React from "react";
import { Button } from "@/components/ui/button";
import { ErrorState, LoadingBlock } from "@/components/ui/feedback";
import { Field, Input } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";
import { memberError, useAddMember, useMembers, useRemoveMember } from "@/lib/members";
import { formatDate } from "@/lib/utils";

/** The company's hiring team: who reviews its interviews together. The creator adds HR users by e-mail. */
export function TeamMembers({ companyId }: { companyId: string }) {
  const toast = useToast();
  const team = useMembers(companyId);
  const add = useAddMember(companyId);
  const remove = useRemoveMember(companyId);
  const [email, setEmail] = React.useState("");
  const [error, setError] = React.useState<string | undefined>();
  return (
    <section aria-labelledby="team-heading" className="space-y-4">
      <h2 id="team-heading" className="text-lg font-semibold">
        Hiring team
      </h2>
      <p className="text-sm text-muted-foreground">Members review this company&apos;s interviews together. Each takes a team seat of your plan.</p>
      <form
        className="flex flex-wrap items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          setError(undefined);
          add.mutate(email, {
            onSuccess: (m) => {
              toast({ title: `${m.name || m.email} joined the team`, variant: "success" });
              setEmail("");
            },
            onError: (err) => setError(memberError(err)),
          });
        }}
      >
        <Field id="member-email" label="HR user's e-mail" error={error} className="min-w-0 flex-1">
          <Input id="member-email" type="email" required autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} />
        </Field>
        <Button type="submit" disabled={add.isPending || !email.trim()}>
          Add to team
        </Button>
      </form>
      {team.isPending ? (
        <LoadingBlock rows={2} label="Loading the team" />
      ) : team.isError ? (
        <ErrorState error={team.error} onRetry={() => void team.refetch()} title="Could not load the team" />
      ) : (
        <ul className="divide-y rounded-lg border" aria-label="Team members">
          {team.data.map((m) => (
            <li key={m.userId} className="flex flex-wrap items-center justify-between gap-2 p-3 text-sm">
              <span className="min-w-0">
                <span className="block font-medium break-words">{m.name || m.email}</span>
                <span className="block text-muted-foreground break-words">
                  {m.email} · {m.isOwner ? "creator" : `joined ${formatDate(m.joinedAt)}`}
                </span>
              </span>
              {!m.isOwner && (
                <Button
                  size="sm"
                  variant="outline"
                  disabled={remove.isPending}
                  aria-label={`Remove ${m.name || m.email} from the team`}
                  onClick={() => remove.mutate(m.userId, { onError: (err) => toast({ title: memberError(err), variant: "error" }) })}
                >
                  Remove
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
