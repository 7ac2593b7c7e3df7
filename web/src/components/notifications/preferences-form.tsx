"use client";

import * as React from "react";
import { Controller, useForm } from "react-hook-form";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Alert } from "@/components/ui/feedback";
import { Switch } from "@/components/ui/switch";
import { useToast } from "@/components/ui/toast";
import {
  formToUpdate,
  preferencesError,
  preferencesToForm,
  groupsFor,
  useSavePreferences,
  type Preferences,
  type PreferencesForm,
} from "@/lib/notifications";

/** The channel switches and one switch per message; saved together with one PUT. */
export function PreferencesFormCard({ preferences, role }: { preferences: Preferences; role: string | undefined }) {
  const save = useSavePreferences();
  const toast = useToast();
  const [formError, setFormError] = React.useState<string | null>(null);
  const { control, handleSubmit, formState, reset, watch } = useForm<PreferencesForm>({ defaultValues: preferencesToForm(preferences) });
  const emailEnabled = watch("emailEnabled");
  const inAppEnabled = watch("inAppEnabled");

  const onSubmit = handleSubmit(async (values) => {
    setFormError(null);
    try {
      await save.mutateAsync(formToUpdate(values));
      reset(values);
      toast({ title: "Notification settings saved", variant: "success" });
    } catch (error) {
      setFormError(preferencesError(error));
    }
  });

  return (
    <form onSubmit={onSubmit} className="max-w-2xl space-y-6" aria-label="Notification settings">
      <Card>
        <CardHeader>
          <CardTitle>Channels</CardTitle>
          <CardDescription>Where messages reach you. The welcome e-mail and security messages are always sent.</CardDescription>
        </CardHeader>
        <CardContent className="space-y-4">
          <Controller
            control={control}
            name="emailEnabled"
            render={({ field }) => (
              <Switch id="pref-email" label="E-mail" description="Messages to your sign-in address." checked={field.value} onCheckedChange={field.onChange} />
            )}
          />
          <Controller
            control={control}
            name="inAppEnabled"
            render={({ field }) => (
              <Switch id="pref-in-app" label="In the app" description="The bell at the top of every page." checked={field.value} onCheckedChange={field.onChange} />
            )}
          />
          {!emailEnabled && !inAppEnabled && (
            <Alert variant="warning">With both channels off you will not hear about invitations, results or decisions.</Alert>
          )}
        </CardContent>
      </Card>
      {groupsFor(role).map((group) => (
        <Card key={group.title}>
          <CardHeader>
            <CardTitle>{group.title}</CardTitle>
            <CardDescription>{group.description} Turning a message off stops both its e-mail and its in-app notice.</CardDescription>
          </CardHeader>
          <CardContent className="space-y-4">
            {group.toggles.map((toggle) => (
              <Controller
                key={toggle.key}
                control={control}
                name={`subscriptions.${toggle.key}`}
                render={({ field }) => (
                  <Switch
                    id={`pref-${toggle.key}`}
                    label={toggle.label}
                    description={toggle.description}
                    checked={field.value}
                    onCheckedChange={field.onChange}
                  />
                )}
              />
            ))}
          </CardContent>
        </Card>
      ))}
      {formError && (
        <Alert variant="error" title="Your settings were not saved">
          {formError}
        </Alert>
      )}
      <div className="flex flex-wrap gap-2">
        <Button type="submit" disabled={formState.isSubmitting || !formState.isDirty}>
          {formState.isSubmitting ? "Saving…" : "Save settings"}
        </Button>
        <Button type="button" variant="outline" disabled={formState.isSubmitting || !formState.isDirty} onClick={() => reset()}>
          Undo changes
        </Button>
      </div>
    </form>
  );
}
