"use client";

import * as React from "react";
import { Button } from "@/components/ui/button";
import { DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Alert } from "@/components/ui/feedback";
import { Field, Input, Textarea } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";
import {
  BODY_MAX,
  NAME_MAX,
  PLACEHOLDERS,
  checkMessage,
  fillMessage,
  messageErrors,
  useSaveMessage,
  type MessageErrors,
  type MessageTemplate,
} from "@/lib/messages";

// What the preview fills the placeholders with, so the writer sees a message as a candidate reads it.
const EXAMPLE = { candidateName: "Alex Example", role: "Support Engineer", company: "your company" };

/** Create or edit one saved message: name, body, the placeholders as insert buttons, a live preview. */
export function MessageForm({ message, onDone }: { message?: MessageTemplate; onDone: () => void }) {
  const save = useSaveMessage(message?.id);
  const toast = useToast();
  const [name, setName] = React.useState(message?.name ?? "");
  const [body, setBody] = React.useState(message?.body ?? "");
  const [errors, setErrors] = React.useState<MessageErrors>({});
  const bodyRef = React.useRef<HTMLTextAreaElement>(null);

  const insert = (key: string) => {
    const token = `{${key}}`;
    const area = bodyRef.current;
    // At the cursor when the body has one, else at the end; the cursor then follows the placeholder.
    const start = area?.selectionStart ?? body.length;
    const end = area?.selectionEnd ?? body.length;
    const next = body.slice(0, start) + token + body.slice(end);
    setBody(next);
    requestAnimationFrame(() => {
      area?.focus();
      area?.setSelectionRange(start + token.length, start + token.length);
    });
  };

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const found = checkMessage({ name, body });
    setErrors(found);
    if (found.name || found.body) return;
    try {
      await save.mutateAsync({ name, body });
      toast({ title: message ? "Message updated" : "Message saved", variant: "success" });
      onDone();
    } catch (err) {
      setErrors(messageErrors(err));
    }
  };

  return (
    <form onSubmit={submit} noValidate className="space-y-4">
      <DialogHeader>
        <DialogTitle>{message ? "Edit saved message" : "New saved message"}</DialogTitle>
        <DialogDescription>Your hiring team can pick it when telling candidates a decision.</DialogDescription>
      </DialogHeader>
      <Field id="message-name" label="Name" error={errors.name} hint="Only your team sees it, e.g. “Rejection — polite”.">
        <Input id="message-name" value={name} maxLength={NAME_MAX} onChange={(e) => setName(e.target.value)} required />
      </Field>
      <div className="space-y-2">
        <Field id="message-body" label="Message to the candidate" error={errors.body}>
          <Textarea
            id="message-body"
            ref={bodyRef}
            rows={6}
            value={body}
            maxLength={BODY_MAX}
            onChange={(e) => setBody(e.target.value)}
            required
            aria-describedby={`${errors.body ? "message-body-error " : ""}message-placeholders message-body-count`}
          />
        </Field>
        <p id="message-body-count" className="text-right text-xs tabular-nums text-muted-foreground" aria-live="polite">
          {body.length}/{BODY_MAX}
        </p>
        <div role="group" aria-labelledby="message-placeholders-title" className="space-y-2 rounded-md border bg-muted/30 p-3">
          <p id="message-placeholders-title" className="text-sm font-medium">
            Insert a placeholder
          </p>
          <div className="flex flex-wrap gap-2">
            {PLACEHOLDERS.map((p) => (
              <Button key={p.key} type="button" size="sm" variant="outline" onClick={() => insert(p.key)}>
                {p.label}
              </Button>
            ))}
          </div>
          <ul id="message-placeholders" className="space-y-0.5 text-xs text-muted-foreground">
            {PLACEHOLDERS.map((p) => (
              <li key={p.key}>
                <code>{`{${p.key}}`}</code> becomes {p.explains}.
              </li>
            ))}
          </ul>
        </div>
      </div>
      {body.trim() && (
        <section aria-labelledby="message-preview-title" className="space-y-1">
          <h3 id="message-preview-title" className="text-sm font-medium">
            Preview for “{EXAMPLE.candidateName}”
          </h3>
          <p className="whitespace-pre-wrap rounded-md border p-3 text-sm">{fillMessage(body, EXAMPLE)}</p>
        </section>
      )}
      {errors.form && (
        <Alert variant="error" title="The message was not saved">
          {errors.form}
        </Alert>
      )}
      <DialogFooter>
        <Button type="button" variant="outline" onClick={onDone}>
          Cancel
        </Button>
        <Button type="submit" disabled={save.isPending}>
          {save.isPending ? "Saving…" : "Save message"}
        </Button>
      </DialogFooter>
    </form>
  );
}
