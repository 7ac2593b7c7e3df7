"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import * as React from "react";
import { Controller, useForm } from "react-hook-form";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Alert } from "@/components/ui/feedback";
import { Field, Input } from "@/components/ui/input";
import { ApiError, errorMessage } from "@/lib/api";
import { useCreateWebhook, WEBHOOK_EVENTS, webhookSchema, type WebhookFormValues, type WebhookSecret } from "@/lib/webhooks";

/** A new endpoint: its address and the events it receives. The secret the server answers goes to `onCreated`. */
export function CreateWebhookDialog({
  companyId,
  open,
  onOpenChange,
  onCreated,
}: {
  companyId: string;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onCreated: (created: WebhookSecret) => void;
}) {
  const create = useCreateWebhook(companyId);
  const [formError, setFormError] = React.useState<string | null>(null);
  const { register, control, handleSubmit, formState, setError, reset } = useForm<WebhookFormValues>({
    resolver: zodResolver(webhookSchema),
    defaultValues: { url: "", events: ["invitation.completed", "analysis.completed", "candidate.approved", "candidate.rejected"] },
  });
  const errors = formState.errors;

  React.useEffect(() => {
    if (open) {
      reset();
      setFormError(null);
    }
  }, [open, reset]);

  const onSubmit = handleSubmit(async (values) => {
    setFormError(null);
    try {
      const created = await create.mutateAsync({ url: values.url.trim(), events: values.events });
      onOpenChange(false);
      onCreated(created);
    } catch (error) {
      if (error instanceof ApiError) {
        const fields = error.fieldErrors();
        const url = Object.entries(fields).find(([k]) => k.split(".").pop() === "url")?.[1];
        const events = Object.entries(fields).find(([k]) => /events/.test(k))?.[1];
        if (url) setError("url", { message: url });
        if (events) setError("events", { message: events });
        if (url || events) return;
      }
      setFormError(errorMessage(error));
    }
  });

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Add a webhook</DialogTitle>
          <DialogDescription>We send a signed POST request to this address whenever one of the chosen events happens.</DialogDescription>
        </DialogHeader>
        <form onSubmit={onSubmit} noValidate className="space-y-4" id="create-webhook">
          <Field id="webhook-url" label="Endpoint URL" error={errors.url?.message} hint="A public https:// address of your applicant-tracking system.">
            <Input id="webhook-url" {...register("url")} type="url" inputMode="url" placeholder="https://ats.example.com/hooks/interviews" autoComplete="off" />
          </Field>
          <fieldset aria-describedby={errors.events ? "webhook-events-error" : undefined}>
            <legend className="mb-2 text-sm font-medium">Events</legend>
            <Controller
              control={control}
              name="events"
              render={({ field }) => (
                <div className="space-y-3">
                  {WEBHOOK_EVENTS.map((event) => (
                    <Checkbox
                      key={event.value}
                      id={`webhook-event-${event.value}`}
                      label={event.label}
                      description={event.description}
                      checked={field.value.includes(event.value)}
                      onChange={(e) =>
                        field.onChange(e.currentTarget.checked ? [...field.value, event.value] : field.value.filter((v) => v !== event.value))
                      }
                    />
                  ))}
                </div>
              )}
            />
            {errors.events && (
              <p id="webhook-events-error" role="alert" className="mt-2 text-xs font-medium text-destructive">
                {errors.events.message}
              </p>
            )}
          </fieldset>
          {formError && (
            <Alert variant="error" title="The webhook was not added">
              {formError}
            </Alert>
          )}
        </form>
        <DialogFooter>
          <Button variant="outline" onClick={() => onOpenChange(false)}>
            Cancel
          </Button>
          <Button type="submit" form="create-webhook" disabled={formState.isSubmitting}>
            {formState.isSubmitting ? "Adding…" : "Add webhook"}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
