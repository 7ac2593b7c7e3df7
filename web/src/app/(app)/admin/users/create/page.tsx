"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import * as React from "react";
import { useForm } from "react-hook-form";
import { Button } from "@/components/ui/button";
import { Alert, PageHeader } from "@/components/ui/feedback";
import { Field, Input, NativeSelect } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";
import { ApiError, errorMessage } from "@/lib/api";
import { createUser, createUserSchema, userKeys, type CreateUserValues } from "@/lib/users";

const FIELDS = ["firstName", "lastName", "email", "role", "password"] as const;

export default function CreateUserPage() {
  const router = useRouter();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [formError, setFormError] = React.useState<string | null>(null);
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<CreateUserValues>({
    resolver: zodResolver(createUserSchema),
    defaultValues: { firstName: "", lastName: "", email: "", role: "candidate", password: "" },
  });

  const submit = handleSubmit(async (values) => {
    setFormError(null);
    try {
      await createUser(values);
      await queryClient.invalidateQueries({ queryKey: userKeys.admin });
      toast({ title: "User created", description: `${values.firstName} ${values.lastName} can now sign in with the password you set.`, variant: "success" });
      router.push("/admin/users");
    } catch (error) {
      const fields = error instanceof ApiError ? error.fieldErrors() : {};
      let placed = false;
      for (const name of FIELDS) {
        if (fields[name]) {
          setError(name, { message: fields[name] });
          placed = true;
        }
      }
      if (error instanceof ApiError && error.statusCode === 409) {
        setError("email", { message: error.message || "An account with this e-mail already exists" });
        placed = true;
      }
      if (!placed) setFormError(errorMessage(error));
    }
  });

  return (
    <>
      <PageHeader title="Create user" description="The account is created in Keycloak and in the platform with the role you choose." />
      <form onSubmit={submit} noValidate className="max-w-xl space-y-5">
        {formError && <Alert variant="error">{formError}</Alert>}
        <div className="grid gap-5 sm:grid-cols-2">
          <Field id="user-firstName" label="First name" error={errors.firstName?.message}>
            <Input id="user-firstName" autoComplete="off" {...register("firstName")} />
          </Field>
          <Field id="user-lastName" label="Last name" error={errors.lastName?.message}>
            <Input id="user-lastName" autoComplete="off" {...register("lastName")} />
          </Field>
        </div>
        <Field id="user-email" label="Email" error={errors.email?.message}>
          <Input id="user-email" type="email" autoComplete="off" {...register("email")} />
        </Field>
        <Field id="user-role" label="Role" error={errors.role?.message}>
          <NativeSelect id="user-role" {...register("role")}>
            <option value="candidate">Candidate</option>
            <option value="hr">HR</option>
            <option value="admin">Admin</option>
          </NativeSelect>
        </Field>
        <Field id="user-password" label="Password" error={errors.password?.message} hint="At least 8 characters. Share it with the user privately; they can change it under Profile → Security.">
          <Input
            id="user-password"
            type="password"
            autoComplete="new-password"
            aria-invalid={!!errors.password}
            aria-describedby={errors.password ? "user-password-error" : "user-password-hint"}
            {...register("password")}
          />
        </Field>
        <div className="flex flex-wrap gap-2">
          <Button type="submit" disabled={isSubmitting}>
            {isSubmitting ? "Creating…" : "Create user"}
          </Button>
          <Button variant="outline" asChild>
            <Link href="/admin/users">Cancel</Link>
          </Button>
        </div>
      </form>
    </>
  );
}
