"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { ExternalLink } from "lucide-react";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import * as React from "react";
import { useForm } from "react-hook-form";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Alert } from "@/components/ui/feedback";
import { Field, Input } from "@/components/ui/input";
import { ApiError, errorMessage } from "@/lib/api";
import { passwordSchema, type PasswordValues } from "@/lib/profile";
import { changePassword } from "@/lib/session";

export function ChangePassword({ accountConsoleUrl }: { accountConsoleUrl: string }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const changed = params.get("success") === "password_changed";
  const [formError, setFormError] = React.useState<string | null>(null);
  const {
    register,
    handleSubmit,
    reset,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<PasswordValues>({ resolver: zodResolver(passwordSchema), defaultValues: { newPassword: "", confirmPassword: "" } });

  const submit = handleSubmit(async (values) => {
    setFormError(null);
    try {
      await changePassword(values.newPassword);
      reset();
      router.replace(`${pathname}?success=password_changed`);
    } catch (error) {
      const field = error instanceof ApiError ? error.fieldErrors().newPassword : undefined;
      if (field) setError("newPassword", { message: field });
      else setFormError(errorMessage(error));
    }
  });

  return (
    <div className="max-w-xl space-y-6">
      {changed && (
        <Alert variant="success" title="Password changed">
          Use your new password the next time you sign in.
        </Alert>
      )}
      <Card>
        <CardHeader>
          <CardTitle>Change password</CardTitle>
          <CardDescription>Choose a new password of at least 8 characters.</CardDescription>
        </CardHeader>
        <CardContent>
          <form onSubmit={submit} noValidate className="space-y-5">
            {formError && <Alert variant="error">{formError}</Alert>}
            <Field id="new-password" label="New password" error={errors.newPassword?.message}>
              <Input
                id="new-password"
                type="password"
                autoComplete="new-password"
                aria-invalid={!!errors.newPassword}
                aria-describedby={errors.newPassword ? "new-password-error" : undefined}
                {...register("newPassword")}
              />
            </Field>
            <Field id="confirm-password" label="Confirm new password" error={errors.confirmPassword?.message}>
              <Input
                id="confirm-password"
                type="password"
                autoComplete="new-password"
                aria-invalid={!!errors.confirmPassword}
                aria-describedby={errors.confirmPassword ? "confirm-password-error" : undefined}
                {...register("confirmPassword")}
              />
            </Field>
            <Button type="submit" disabled={isSubmitting}>
              {isSubmitting ? "Changing…" : "Change password"}
            </Button>
          </form>
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Keycloak account console</CardTitle>
          <CardDescription>
            Your sign-in is managed by Keycloak. Its account console also lets you change your password, e-mail address
            and see your active sessions.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <Button variant="outline" asChild>
            <a href={accountConsoleUrl} target="_blank" rel="noreferrer">
              Open the account console <ExternalLink aria-hidden />
              <span className="sr-only">(opens in a new tab)</span>
            </a>
          </Button>
        </CardContent>
      </Card>
    </div>
  );
}
