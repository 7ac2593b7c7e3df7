"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { History, PencilLine } from "lucide-react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { ErrorState, LoadingBlock } from "@/components/ui/feedback";
import { useToast } from "@/components/ui/toast";
import { errorMessage } from "@/lib/api";
import {
  describeVersionChanges,
  invalidateTemplates,
  templateKeys,
  templatesApi,
  useTemplateVersions,
} from "@/lib/templates";
import { formatDate } from "@/lib/utils";

/**
 * "Edit as a new version": a published template reopens as the draft of its next version. Candidates already
 * invited keep the questions they were sent; new invitations wait until it is published again.
 */
export function ReviseButton({ templateId }: { templateId: string }) {
  const client = useQueryClient();
  const toast = useToast();
  const router = useRouter();
  const revise = useMutation({
    mutationFn: () => templatesApi.revise(templateId),
    onSuccess: (template) => {
      // The edit page opens the draft at once, without waiting for the refetch to learn it is a draft again.
      client.setQueryData(templateKeys.detail(templateId), template);
      toast({
        title: "Editing a new version",
        description: "Candidates already invited keep the version they were sent. Publish again to invite with this one.",
        variant: "success",
      });
      router.push(`/hr/templates/${templateId}/edit`);
    },
    onError: (e) => toast({ title: "Could not start a new version", description: errorMessage(e), variant: "error" }),
    onSettled: () => invalidateTemplates(client),
  });
  return (
    <Button variant="outline" onClick={() => revise.mutate()} disabled={revise.isPending}>
      <PencilLine aria-hidden /> {revise.isPending ? "Opening…" : "Edit as new version"}
    </Button>
  );
}

/** Every published version, newest first: when, by whom (you or a teammate), what changed, invitations sent. */
export function VersionHistory({ templateId, currentUserId }: { templateId: string; currentUserId?: string }) {
  const versions = useTemplateVersions(templateId);
  return (
    <Card>
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <History className="h-5 w-5" aria-hidden /> Versions
        </CardTitle>
      </CardHeader>
      <CardContent>
        {versions.isPending ? (
          <LoadingBlock label="Loading versions…" />
        ) : versions.isError ? (
          <ErrorState error={versions.error} title="Could not load the versions" onRetry={() => void versions.refetch()} />
        ) : versions.data.versions.length === 0 ? (
          <p className="text-sm text-muted-foreground">Not published yet: publishing makes version 1.</p>
        ) : (
          <ol className="space-y-3" aria-label="Published versions, newest first">
            {versions.data.versions.map((v, i, all) => (
              <li key={v.number} className="rounded-md border p-3 text-sm" data-testid={`template-version-${v.number}`}>
                <p className="font-medium">
                  Version {v.number}
                  {i === 0 && <span className="ml-2 text-xs font-normal text-muted-foreground">(new invitations get this one)</span>}
                </p>
                <p className="text-muted-foreground">
                  Published {formatDate(v.publishedAt, true)} by {v.publishedBy === currentUserId ? "you" : "a teammate"}
                </p>
                <p>{describeVersionChanges(v, i === all.length - 1)}</p>
                <p className="text-muted-foreground">
                  {v.invitations} invitation{v.invitations === 1 ? "" : "s"} sent with this version
                </p>
              </li>
            ))}
          </ol>
        )}
      </CardContent>
    </Card>
  );
}
