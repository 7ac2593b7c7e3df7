"use client";

import { Pencil, Plus, Trash2 } from "lucide-react";
import * as React from "react";
import { MessageForm } from "@/components/hr/messages/message-form";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Alert, EmptyState, ErrorState, LoadingBlock } from "@/components/ui/feedback";
import { useToast } from "@/components/ui/toast";
import { useDeleteMessage, useMessages, type MessageTemplate } from "@/lib/messages";
import { formatDate } from "@/lib/utils";

/** The company's saved messages: list, create, edit, and delete after a confirmation. */
export function MessageManager() {
  const messages = useMessages();
  // "new" for the create form, a message for its edit form, null when no form is open.
  const [editing, setEditing] = React.useState<MessageTemplate | "new" | null>(null);
  const [deleting, setDeleting] = React.useState<MessageTemplate | null>(null);

  const newButton = (
    <Button onClick={() => setEditing("new")}>
      <Plus aria-hidden className="size-4" /> New message
    </Button>
  );
  return (
    <section aria-labelledby="messages-heading" className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 id="messages-heading" className="text-lg font-semibold">
          Your saved messages
        </h2>
        {messages.data && messages.data.length > 0 && newButton}
      </div>
      {messages.isPending ? (
        <LoadingBlock label="Loading saved messages…" />
      ) : messages.isError ? (
        <ErrorState error={messages.error} onRetry={() => void messages.refetch()} title="Your saved messages could not be loaded" />
      ) : messages.data.length === 0 ? (
        <EmptyState
          title="No saved messages yet"
          description="Save the words you send candidates with a decision, then pick them when you select or reject someone."
          action={newButton}
        />
      ) : (
        <ul className="space-y-3">
          {messages.data.map((m) => (
            <li key={m.id} className="rounded-lg border p-4">
              <div className="flex flex-wrap items-start justify-between gap-2">
                <div className="min-w-0">
                  <h3 className="font-medium break-words">{m.name}</h3>
                  <p className="text-xs text-muted-foreground">Last changed {formatDate(m.updatedAt, true)}</p>
                </div>
                <div className="flex gap-2">
                  <Button size="sm" variant="outline" onClick={() => setEditing(m)} aria-label={`Edit “${m.name}”`}>
                    <Pencil aria-hidden className="size-4" /> Edit
                  </Button>
                  <Button size="sm" variant="outline" onClick={() => setDeleting(m)} aria-label={`Delete “${m.name}”`}>
                    <Trash2 aria-hidden className="size-4" /> Delete
                  </Button>
                </div>
              </div>
              <p className="mt-2 line-clamp-3 whitespace-pre-wrap break-words text-sm text-muted-foreground">{m.body}</p>
            </li>
          ))}
        </ul>
      )}
      <Dialog open={editing !== null} onOpenChange={(open) => !open && setEditing(null)}>
        <DialogContent>
          {editing !== null && <MessageForm message={editing === "new" ? undefined : editing} onDone={() => setEditing(null)} />}
        </DialogContent>
      </Dialog>
      <Dialog open={deleting !== null} onOpenChange={(open) => !open && setDeleting(null)}>
        <DialogContent>{deleting && <ConfirmDelete message={deleting} onDone={() => setDeleting(null)} />}</DialogContent>
      </Dialog>
    </section>
  );
}

function ConfirmDelete({ message, onDone }: { message: MessageTemplate; onDone: () => void }) {
  const remove = useDeleteMessage();
  const toast = useToast();
  const [failed, setFailed] = React.useState(false);
  const confirm = async () => {
    setFailed(false);
    try {
      await remove.mutateAsync(message.id);
      toast({ title: "Message deleted", variant: "success" });
      onDone();
    } catch {
      setFailed(true);
    }
  };
  return (
    <div className="space-y-4">
      <DialogHeader>
        <DialogTitle>Delete “{message.name}”?</DialogTitle>
        <DialogDescription>Your team can no longer pick it. Decisions already sent keep their words.</DialogDescription>
      </DialogHeader>
      {failed && (
        <Alert variant="error" title="The message was not deleted">
          Try again in a moment.
        </Alert>
      )}
      <DialogFooter>
        <Button variant="outline" onClick={onDone}>
          Keep it
        </Button>
        <Button variant="destructive" disabled={remove.isPending} onClick={() => void confirm()}>
          {remove.isPending ? "Deleting…" : "Delete message"}
        </Button>
      </DialogFooter>
    </div>
  );
}
