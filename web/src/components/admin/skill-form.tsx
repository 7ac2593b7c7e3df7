"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import Link from "next/link";
import * as React from "react";
import { useForm } from "react-hook-form";
import { Button } from "@/components/ui/button";
import { Alert, LoadingBlock } from "@/components/ui/feedback";
import { Field, Input, NativeSelect, Textarea } from "@/components/ui/input";
import { ApiError, errorMessage } from "@/lib/api";
import { skillFormSchema, useSkillCategories, type SkillFormValues } from "@/lib/skills";

/** Name, category and description of a catalogue skill; server field errors land next to their fields. */
export function SkillForm({
  defaultValues,
  submitLabel,
  onSubmit,
}: {
  defaultValues: SkillFormValues;
  submitLabel: string;
  onSubmit: (values: SkillFormValues) => Promise<void>;
}) {
  const categories = useSkillCategories();
  const [formError, setFormError] = React.useState<string | null>(null);
  const {
    register,
    handleSubmit,
    setError,
    watch,
    formState: { errors, isSubmitting },
  } = useForm<SkillFormValues>({ resolver: zodResolver(skillFormSchema), defaultValues });
  const description = watch("description") ?? "";

  const submit = handleSubmit(async (values) => {
    setFormError(null);
    try {
      await onSubmit(values);
    } catch (error) {
      if (error instanceof ApiError) {
        const fields = error.fieldErrors();
        let placed = false;
        for (const [field, message] of Object.entries(fields)) {
          const name = field === "slug" ? "name" : field;
          if (name === "name" || name === "categoryId" || name === "description") {
            setError(name, { message });
            placed = true;
          }
        }
        if (error.code === "SKILL_ALREADY_EXISTS") {
          setError("name", { message: "A skill with this name already exists" });
          placed = true;
        }
        if (error.code === "SKILL_CATEGORY_NOT_FOUND") {
          setError("categoryId", { message: error.message });
          placed = true;
        }
        if (!placed) setFormError(errorMessage(error));
      } else setFormError(errorMessage(error));
    }
  });

  // The select's initial value needs its options: wait for the categories (or their failure).
  if (categories.isPending) return <LoadingBlock rows={3} label="Loading categories…" />;

  return (
    <form onSubmit={submit} noValidate className="max-w-xl space-y-5">
      {formError && <Alert variant="error">{formError}</Alert>}
      <Field id="skill-name" label="Name" error={errors.name?.message}>
        <Input
          id="skill-name"
          autoComplete="off"
          aria-invalid={!!errors.name}
          aria-describedby={errors.name ? "skill-name-error" : undefined}
          {...register("name")}
        />
      </Field>
      <Field
        id="skill-category"
        label="Category"
        error={errors.categoryId?.message ?? (categories.isError ? `Categories could not be loaded: ${errorMessage(categories.error)}` : undefined)}
      >
        <NativeSelect
          id="skill-category"
          aria-invalid={!!errors.categoryId}
          aria-describedby={errors.categoryId ? "skill-category-error" : undefined}
          disabled={categories.isPending}
          {...register("categoryId")}
        >
          <option value="">No category</option>
          {(categories.data ?? []).map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </NativeSelect>
      </Field>
      <Field id="skill-description" label="Description" error={errors.description?.message} hint={`${description.length}/1000 characters`}>
        <Textarea
          id="skill-description"
          rows={4}
          aria-invalid={!!errors.description}
          aria-describedby={errors.description ? "skill-description-error" : "skill-description-hint"}
          {...register("description")}
        />
      </Field>
      <div className="flex flex-wrap gap-2">
        <Button type="submit" disabled={isSubmitting}>
          {isSubmitting ? "Saving…" : submitLabel}
        </Button>
        <Button variant="outline" asChild>
          <Link href="/admin/skills">Cancel</Link>
        </Button>
      </div>
    </form>
  );
}
