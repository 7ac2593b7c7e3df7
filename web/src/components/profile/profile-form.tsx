"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useQueryClient } from "@tanstack/react-query";
import * as React from "react";
import { useForm } from "react-hook-form";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/feedback";
import { Field, Input, NativeSelect, Textarea } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";
import { ApiError, errorMessage } from "@/lib/api";
import { BIO_MAX, fetchMe, LANGUAGES, profileKeys, profileSchema, timezones, updateProfile, type Me, type ProfileValues } from "@/lib/profile";

const FIELDS = ["firstName", "lastName", "phone", "bio", "timezone", "language"] as const;

function valuesOf(me: Me): ProfileValues {
  return {
    firstName: me.firstName ?? "",
    lastName: me.lastName ?? "",
    phone: me.phone ?? "",
    bio: me.bio ?? "",
    timezone: me.timezone || "UTC",
    language: LANGUAGES.some((l) => l.code === me.language) ? me.language : "en",
  };
}

/** The profile, written with the version it was read at: a concurrent change is a 409, never silently lost. */
export function ProfileForm({ me }: { me: Me }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [conflict, setConflict] = React.useState(false);
  const [formError, setFormError] = React.useState<string | null>(null);
  const [version, setVersion] = React.useState(me.version);
  const zones = React.useMemo(() => {
    const list = timezones();
    return list.includes(me.timezone) || !me.timezone ? list : [me.timezone, ...list];
  }, [me.timezone]);
  const {
    register,
    handleSubmit,
    reset,
    setError,
    watch,
    formState: { errors, isSubmitting, isDirty },
  } = useForm<ProfileValues>({ resolver: zodResolver(profileSchema), defaultValues: valuesOf(me) });
  const bio = watch("bio") ?? "";

  const submit = handleSubmit(async (values) => {
    setFormError(null);
    setConflict(false);
    try {
      const updated = await updateProfile(values, version);
      queryClient.setQueryData(profileKeys.me, updated);
      setVersion(updated.version);
      reset(valuesOf(updated));
      toast({ title: "Profile saved", variant: "success" });
    } catch (error) {
      if (error instanceof ApiError && error.statusCode === 409) {
        setConflict(true);
        return;
      }
      const fields = error instanceof ApiError ? error.fieldErrors() : {};
      let placed = false;
      for (const name of FIELDS) {
        if (fields[name]) {
          setError(name, { message: fields[name] });
          placed = true;
        }
      }
      if (!placed) setFormError(errorMessage(error));
    }
  });

  const reload = async () => {
    const fresh = await queryClient.fetchQuery({ queryKey: profileKeys.me, queryFn: fetchMe, staleTime: 0 });
    setVersion(fresh.version);
    reset(valuesOf(fresh));
    setConflict(false);
  };

  return (
    <form onSubmit={submit} noValidate className="space-y-5">
      {conflict && (
        <Alert variant="warning" title="Your profile was changed elsewhere">
          <p>
            It was saved from another tab or device after you opened this page, so your changes were not applied. Reload
            the latest version, then reapply your changes and save again.
          </p>
          <Button size="sm" variant="outline" className="mt-3" onClick={() => void reload()}>
            Reload profile
          </Button>
        </Alert>
      )}
      {formError && <Alert variant="error">{formError}</Alert>}
      <div className="grid gap-5 sm:grid-cols-2">
        <Field id="profile-firstName" label="First name" error={errors.firstName?.message}>
          <Input id="profile-firstName" autoComplete="given-name" {...register("firstName")} />
        </Field>
        <Field id="profile-lastName" label="Last name" error={errors.lastName?.message}>
          <Input id="profile-lastName" autoComplete="family-name" {...register("lastName")} />
        </Field>
      </div>
      <Field id="profile-email" label="Email" hint="Your sign-in address; change it in your Keycloak account.">
        <Input id="profile-email" type="email" value={me.email} readOnly disabled aria-describedby="profile-email-hint" />
      </Field>
      <Field id="profile-phone" label="Phone" error={errors.phone?.message} hint="Optional, with the country code, e.g. +44 20 7946 0958.">
        <Input id="profile-phone" type="tel" autoComplete="tel" {...register("phone")} />
      </Field>
      <Field id="profile-bio" label="Bio" error={errors.bio?.message} hint={`${bio.length}/${BIO_MAX} characters`}>
        <Textarea id="profile-bio" rows={5} {...register("bio")} />
      </Field>
      {errors.bio && (
        <p className="-mt-4 text-xs text-muted-foreground">
          {bio.length}/{BIO_MAX} characters
        </p>
      )}
      <div className="grid gap-5 sm:grid-cols-2">
        <Field id="profile-timezone" label="Time zone" error={errors.timezone?.message}>
          <NativeSelect id="profile-timezone" {...register("timezone")}>
            {zones.map((z) => (
              <option key={z} value={z}>
                {z.replaceAll("_", " ")}
              </option>
            ))}
          </NativeSelect>
        </Field>
        <Field id="profile-language" label="Language" error={errors.language?.message}>
          <NativeSelect id="profile-language" {...register("language")}>
            {LANGUAGES.map((l) => (
              <option key={l.code} value={l.code}>
                {l.label}
              </option>
            ))}
          </NativeSelect>
        </Field>
      </div>
      <div className="flex flex-wrap gap-2">
        <Button type="submit" disabled={isSubmitting || conflict}>
          {isSubmitting ? "Saving…" : "Save profile"}
        </Button>
        <Button variant="outline" disabled={!isDirty || isSubmitting} onClick={() => reset()}>
          Discard changes
        </Button>
      </div>
    </form>
  );
}
