"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import * as React from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { useToast } from "@/components/ui/toast";
import { errorMessage } from "@/lib/api";
import { describeStep, duplicateTemplate, invalidateTemplates, templatesApi } from "@/lib/templates";

type Target = { id: string; title: string };

/** Publish, archive and duplicate, with their toasts; every one refreshes lists, counts and details. */
export function useTemplateActions() {
  const client = useQueryClient();
  const toast = useToast();
  const router = useRouter();

  const publish = useMutation({
    mutationFn: (t: Target) => templatesApi.publish(t.id),
    onSuccess: (_r, t) => toast({ title: "Published", description: `“${t.title}” is active: candidates can be invited.`, variant: "success" }),
    onError: (e) => toast({ title: "Could not publish", description: errorMessage(e), variant: "error" }),
    onSettled: () => invalidateTemplates(client),
  });

  const archive = useMutation({
    mutationFn: (t: Target) => templatesApi.archive(t.id),
    onSuccess: (_r, t) => toast({ title: "Archived", description: `“${t.title}” is archived.`, variant: "success" }),
    onError: (e) => toast({ title: "Could not archive", description: errorMessage(e), variant: "error" }),
    onSettled: () => invalidateTemplates(client),
  });

  const duplicate = useMutation({
    mutationFn: (t: Target) => duplicateTemplate(t.id),
    onSuccess: (result) => {
      if (result.failure) {
        toast({
          title: "Duplicated, but not completely",
          description: `${describeStep(result.failure.step)} failed: ${errorMessage(result.failure.cause)}. The copy is a draft you can finish editing.`,
          variant: "error",
        });
      } else {
        toast({ title: "Duplicated", description: "The copy is a draft with the same questions and settings.", variant: "success" });
      }
      router.push(`/hr/templates/${result.templateId}`);
    },
    onError: (e) => toast({ title: "Could not duplicate", description: errorMessage(e), variant: "error" }),
    onSettled: () => invalidateTemplates(client),
  });

  return { publish, archive, duplicate };
}

/** Asks before archiving (there is no un-archive). */
export function ArchiveDialog({
  target,
  onOpenChange,
  onConfirm,
  pending,
}: {
  target: Target | null;
  onOpenChange: (open: boolean) => void;
  onConfirm: (t: Target) => void;
  pending: boolean;
}) {
  return (
    <Dialog open={target !== null} onOpenChange={onOpenChange}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Archive this template?</DialogTitle>
          <DialogDescription>
            “{target?.title}” will no longer be available for new invitations. Interviews already sent keep working.
            Archiving cannot be undone.
          </DialogDescription>
        </DialogHeader>
        <DialogFooter>
          <Button variant="outline" onClick={() => onOpenChange(false)} disabled={pending}>
            Cancel
          </Button>
          <Button variant="destructive" onClick={() => target && onConfirm(target)} disabled={pending}>
            {pending ? "Archiving…" : "Archive template"}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}

/** Holds the template waiting for the archive confirmation. */
export function useArchiveConfirm(archive: ReturnType<typeof useTemplateActions>["archive"], onDone?: () => void) {
  const [target, setTarget] = React.useState<Target | null>(null);
  const dialog = (
    <ArchiveDialog
      target={target}
      pending={archive.isPending}
      onOpenChange={(open) => !open && setTarget(null)}
      onConfirm={(t) =>
        archive.mutate(t, {
          onSuccess: () => {
            setTarget(null);
            onDone?.();
          },
        })
      }
    />
  );
  return { ask: setTarget, dialog };
}
