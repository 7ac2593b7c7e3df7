"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { ExternalLink } from "lucide-react";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import * as React from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Alert } from "@/components/ui/feedback";
import { Field, Input } from "@/components/ui/input";
import { ApiError, errorMessage } from "@/lib/api";
import { passwordSchema } from "@/lib/profile";
import { changePassword, startAuth } from "@/lib/session";

/** The new password's rules plus the current password, which the gateway checks with Keycloak. */
const changePasswordSchema = passwordSchema.safeExtend({
  currentPassword: z.string().min(1, "Enter your current password").max(128, "At most 128 characters"),
});
type ChangePasswordValues = z.infer<typeof changePasswordSchema>;

/** A refusal the form explains in its own words rather than the gateway's. */
type FormProblem = { kind: "message"; text: string } | { kind: "sign-in-again" };

export function ChangePassword({ accountConsoleUrl }: { accountConsoleUrl: string }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const changed = params.get("success") === "password_changed";
  const [problem, setProblem] = React.useState<FormProblem | null>(null);
  const {
    register,
    handleSubmit,
    reset,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<ChangePasswordValues>({
    resolver: zodResolver(changePasswordSchema),
    defaultValues: { currentPassword: "", newPassword: "", confirmPassword: "" },
  });

  const submit = handleSubmit(async (values) => {
    setProblem(null);
    try {
      await changePassword(values.currentPassword, values.newPassword);
      reset();
      router.replace(`${pathname}?success=password_changed`);
    } catch (error) {
      if (error instanceof ApiError && error.code === "CURRENT_PASSWORD_INCORRECT") {
        setError("currentPassword", { message: "The current password is not right" }, { shouldFocus: true });
        return;
      }
      if (error instanceof ApiError && error.code === "REAUTHENTICATION_REQUIRED") {
        setProblem({ kind: "sign-in-again" });
        return;
      }
      const fields = error instanceof ApiError ? error.fieldErrors() : {};
      if (fields.currentPassword) setError("currentPassword", { message: fields.currentPassword });
      if (fields.newPassword) setError("newPassword", { message: fields.newPassword });
      if (!fields.currentPassword && !fields.newPassword) setProblem({ kind: "message", text: errorMessage(error) });
    }
  });

  // Keycloak asks for the password again even while its own session lasts, and the page comes back here after.
  const signInAgain = (event: React.MouseEvent<HTMLAnchorElement>) => {
    event.preventDefault();
    startAuth("login", pathname, { reauthenticate: true }).catch((error: unknown) =>
      setProblem({ kind: "message", text: errorMessage(error) }),
    );
  };

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
          <CardDescription>Enter your current password, then choose a new one of at least 8 characters.</CardDescription>
        </CardHeader>
        <CardContent>
          <form onSubmit={submit} noValidate className="space-y-5">
            {problem?.kind === "message" && <Alert variant="error">{problem.text}</Alert>}
            {problem?.kind === "sign-in-again" && (
              <Alert variant="error">
                For your security, sign in again, then change your password.{" "}
                <a
                  href={`/login?from=${encodeURIComponent(pathname)}`}
                  onClick={signInAgain}
                  className="font-medium underline underline-offset-4"
                >
                  Sign in again
                </a>
              </Alert>
            )}
            <Field id="current-password" label="Current password" error={errors.currentPassword?.message}>
              <Input
                id="current-password"
                type="password"
                autoComplete="current-password"
                aria-invalid={!!errors.currentPassword}
                aria-describedby={errors.currentPassword ? "current-password-error" : undefined}
                {...register("currentPassword")}
              />
            </Field>
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
