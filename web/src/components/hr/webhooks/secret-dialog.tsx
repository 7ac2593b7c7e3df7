"use client";

import { Check, Copy } from "lucide-react";
import * as React from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Alert } from "@/components/ui/feedback";

/**
 * The signing secret, shown the one time the server answers it (on creation and on rotation): copyable, with a
 * plain warning that it cannot be shown again.
 */
export function SecretDialog({ secret, title, onClose }: { secret: string | null; title: string; onClose: () => void }) {
  const [copied, setCopied] = React.useState<"yes" | "failed" | null>(null);
  const field = React.useRef<HTMLInputElement>(null);
  React.useEffect(() => setCopied(null), [secret]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret ?? "");
      setCopied("yes");
    } catch {
      // No clipboard permission (an insecure origin, a locked-down browser): select it for a manual copy.
      field.current?.select();
      setCopied("failed");
    }
  };

  return (
    <Dialog open={secret !== null} onOpenChange={(open) => !open && onClose()}>
      <DialogContent onInteractOutside={(event) => event.preventDefault()}>
        <DialogHeader>
          <DialogTitle>{title}</DialogTitle>
          <DialogDescription>Your receiver uses this secret to check that each request really comes from us.</DialogDescription>
        </DialogHeader>
        <Alert variant="warning" title="Copy it now: you won't see it again">
          Store it in the settings of your receiver. If it is ever lost, rotate the secret to get a new one.
        </Alert>
        <div className="flex gap-2">
          <label htmlFor="webhook-secret" className="sr-only">
            Signing secret
          </label>
          <input
            id="webhook-secret"
            ref={field}
            readOnly
            value={secret ?? ""}
            onFocus={(e) => e.currentTarget.select()}
            className="h-10 min-w-0 flex-1 rounded-md border border-input bg-muted px-3 font-mono text-sm"
            data-testid="webhook-secret"
          />
          <Button type="button" variant="outline" onClick={() => void copy()}>
            {copied === "yes" ? <Check aria-hidden /> : <Copy aria-hidden />}
            {copied === "yes" ? "Copied" : "Copy"}
          </Button>
        </div>
        <p role="status" aria-live="polite" className="text-xs text-muted-foreground">
          {copied === "yes" ? "The secret is on your clipboard." : copied === "failed" ? "Copying is blocked here: the secret is selected, press Ctrl+C (⌘C on a Mac)." : ""}
        </p>
        <DialogFooter>
          <Button onClick={onClose}>I have saved the secret</Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
