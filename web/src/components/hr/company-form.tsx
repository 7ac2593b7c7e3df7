"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import Link from "next/link";
import { useRouter } from "next/navigation";
import * as React from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/feedback";
import { Field, Input, NativeSelect, Textarea } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";
import { ApiError, errorMessage } from "@/lib/api";
import { COMPANY_SIZES, useSaveCompany, type Company, type CompanyInput } from "@/lib/companies";

const optional = (max: number) => z.string().trim().max(max, `At most ${max} characters`);

export const companySchema = z.object({
  name: z.string().trim().min(1, "Enter the company name").max(255, "At most 255 characters"),
  industry: optional(100),
  size: z.union([z.enum(COMPANY_SIZES), z.literal("")]),
  website: optional(255).refine((v) => v === "" || /^https?:\/\/[^\s.]+\.[^\s]+$/i.test(v), "Enter a full address starting with http:// or https://"),
  description: optional(5000),
  location: optional(255),
});

export type CompanyFormValues = z.infer<typeof companySchema>;

const FIELDS: (keyof CompanyFormValues)[] = ["name", "industry", "size", "website", "description", "location"];

function toInput(values: CompanyFormValues, editing: boolean): CompanyInput {
  // Empty optional fields: omitted on create, cleared (null) on edit.
  const opt = (v: string) => (v.trim() ? v.trim() : editing ? null : undefined);
  return {
    name: values.name.trim(),
    industry: opt(values.industry),
    size: values.size ? values.size : editing ? null : undefined,
    website: opt(values.website),
    description: opt(values.description),
    location: opt(values.location),
  };
}

export function CompanyForm({ company }: { company?: Company }) {
  const router = useRouter();
  const toast = useToast();
  const save = useSaveCompany(company?.id);
  const [formError, setFormError] = React.useState<string | null>(null);
  const { register, handleSubmit, formState, setError } = useForm<CompanyFormValues>({
    resolver: zodResolver(companySchema),
    defaultValues: {
      name: company?.name ?? "",
      industry: company?.industry ?? "",
      size: (COMPANY_SIZES as readonly string[]).includes(company?.size ?? "") ? (company!.size as CompanyFormValues["size"]) : "",
      website: company?.website ?? "",
      description: company?.description ?? "",
      location: company?.location ?? "",
    },
  });
  const errors = formState.errors;
  const a = (name: keyof CompanyFormValues) => ({
    id: `company-${name}`,
    "aria-invalid": errors[name] ? true : undefined,
    "aria-describedby": errors[name] ? `company-${name}-error` : undefined,
  });

  const onSubmit = handleSubmit(async (values) => {
    setFormError(null);
    try {
      await save.mutateAsync(toInput(values, !!company));
      toast({ title: company ? "Company updated" : "Company created", variant: "success" });
      router.push("/hr/companies");
    } catch (error) {
      if (error instanceof ApiError) {
        let mapped = false;
        for (const [field, message] of Object.entries(error.fieldErrors())) {
          const name = field.split(".").pop() as keyof CompanyFormValues;
          if (FIELDS.includes(name)) {
            setError(name, { message });
            mapped = true;
          }
        }
        if (mapped) return;
        if (error.statusCode === 409) return setError("name", { message: error.message });
      }
      setFormError(errorMessage(error));
    }
  });

  return (
    <form onSubmit={onSubmit} noValidate className="max-w-2xl space-y-4">
      <Field id="company-name" label="Name" error={errors.name?.message}>
        <Input {...register("name")} {...a("name")} autoComplete="organization" />
      </Field>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field id="company-industry" label="Industry" error={errors.industry?.message}>
          <Input {...register("industry")} {...a("industry")} placeholder="e.g. Software" />
        </Field>
        <Field id="company-size" label="Size" error={errors.size?.message}>
          <NativeSelect {...register("size")} {...a("size")}>
            <option value="">Not specified</option>
            {COMPANY_SIZES.map((s) => (
              <option key={s} value={s}>
                {s} employees
              </option>
            ))}
          </NativeSelect>
        </Field>
        <Field id="company-website" label="Website" error={errors.website?.message}>
          <Input {...register("website")} {...a("website")} type="url" inputMode="url" placeholder="https://example.com" />
        </Field>
        <Field id="company-location" label="Location" error={errors.location?.message}>
          <Input {...register("location")} {...a("location")} placeholder="e.g. Berlin, Germany" />
        </Field>
      </div>
      <Field id="company-description" label="Description" error={errors.description?.message}>
        <Textarea {...register("description")} {...a("description")} rows={5} />
      </Field>
      {formError && (
        <Alert variant="error" title="The company was not saved">
          {formError}
        </Alert>
      )}
      <div className="flex flex-wrap gap-2">
        <Button type="submit" disabled={formState.isSubmitting}>
          {formState.isSubmitting ? "Saving…" : company ? "Save changes" : "Create company"}
        </Button>
        <Button asChild variant="outline">
          <Link href="/hr/companies">Cancel</Link>
        </Button>
      </div>
    </form>
  );
}
