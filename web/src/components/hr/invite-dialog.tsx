"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import Link from "next/link";
import * as React from "react";
import { useForm } from "react-hook-form";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Alert, Spinner } from "@/components/ui/feedback";
import { Field, Input, NativeSelect } from "@/components/ui/input";
import { ApiError, errorMessage } from "@/lib/api";
import { quotaSentence } from "@/lib/billing";
import { useCompanies } from "@/lib/companies";
import {
  defaultExpiry,
  endOfDay,
  inviteSchema,
  isDuplicateInvitation,
  parseQuotaError,
  toDateInput,
  useCreateInvitation,
  type InviteForm,
  type QuotaInfo,
} from "@/lib/invitations";
import { displayName, useMe } from "@/lib/profile";
import { useActiveTemplates, useTemplateSettings } from "@/lib/templates";

export type InviteTarget = { userId: string; fullName: string; email: string };

/** An invitation refused for the plan's limit: the limit in one sentence and the way to the billing page. */
export function QuotaDialog({ quota, onOpenChange }: { quota: QuotaInfo | null; onOpenChange: (open: boolean) => void }) {
  return (
    <Dialog open={quota !== null} onOpenChange={onOpenChange}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Invitation limit reached</DialogTitle>
          <DialogDescription>{quota ? quotaSentence(quota) : null}</DialogDescription>
        </DialogHeader>
        <p className="text-sm">
          The invitation was not sent. Upgrade to a bigger plan to invite more candidates now, or wait until the monthly count starts
          again.
        </p>
        <DialogFooter>
          <Button variant="outline" onClick={() => onOpenChange(false)}>
            Close
          </Button>
          <Button asChild>
            <Link href="/profile/billing">See plans and usage</Link>
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}

export function InviteDialog({
  target,
  onOpenChange,
  onInvited,
}: {
  target: InviteTarget | null;
  onOpenChange: (open: boolean) => void;
  onInvited: () => void;
}) {
  return (
    <Dialog open={target !== null} onOpenChange={onOpenChange}>
      <DialogContent className="max-w-lg">
        {target && <InviteForm key={target.userId} target={target} onDone={onInvited} onCancel={() => onOpenChange(false)} />}
      </DialogContent>
    </Dialog>
  );
}

const FIELD_MAP: Record<string, keyof InviteForm> = {
  templateId: "templateId",
  companyName: "companyName",
  expiresAt: "expiresOn",
  allowPause: "allowPause",
  showTimer: "showTimer",
};

function InviteForm({ target, onDone, onCancel }: { target: InviteTarget; onDone: () => void; onCancel: () => void }) {
  const templates = useActiveTemplates();
  const companies = useCompanies();
  const me = useMe();
  const create = useCreateInvitation();
  const [quota, setQuota] = React.useState<QuotaInfo | null>(null);
  const [formError, setFormError] = React.useState<string | null>(null);
  const schema = React.useMemo(() => inviteSchema(), []);
  const form = useForm<InviteForm>({
    resolver: zodResolver(schema),
    defaultValues: { templateId: "", companyName: "", expiresOn: defaultExpiry(), allowPause: true, showTimer: true },
  });
  const { register, handleSubmit, formState, setValue, getValues, setError, watch } = form;
  const errors = formState.errors;
  const templateId = watch("templateId");
  const settings = useTemplateSettings(templateId);
  // The chosen template's own allowPause / showTimer become the defaults, unless changed here.
  React.useEffect(() => {
    const s = settings.data;
    if (!s) return;
    if (typeof s.allowPause === "boolean" && !formState.dirtyFields.allowPause) setValue("allowPause", s.allowPause);
    if (typeof s.showTimer === "boolean" && !formState.dirtyFields.showTimer) setValue("showTimer", s.showTimer);
  }, [settings.data, setValue, formState.dirtyFields.allowPause, formState.dirtyFields.showTimer]);

  // Preselect the only / first choices once loaded.
  React.useEffect(() => {
    const first = templates.data?.items[0];
    if (first && !getValues("templateId")) setValue("templateId", first.id);
  }, [templates.data, getValues, setValue]);
  React.useEffect(() => {
    const first = companies.data?.data[0];
    if (first && !getValues("companyName")) setValue("companyName", first.name);
  }, [companies.data, getValues, setValue]);

  const onSubmit = handleSubmit(async (values) => {
    setFormError(null);
    const expires = endOfDay(values.expiresOn)!;
    try {
      await create.mutateAsync({
        templateId: values.templateId,
        candidateId: target.userId,
        companyName: values.companyName.trim(),
        expiresAt: expires.toISOString(),
        allowPause: values.allowPause,
        showTimer: values.showTimer,
        candidateEmail: target.email || undefined,
        candidateName: target.fullName || undefined,
        hrEmail: me.data?.email || undefined,
        hrName: me.data ? displayName(me.data) : undefined,
      });
      onDone();
    } catch (error) {
      const q = parseQuotaError(error);
      if (q) return setQuota(q);
      if (isDuplicateInvitation(error)) {
        return setFormError(
          `${target.fullName || target.email} is already invited to this template. Each candidate can be invited to a template once; pick another template or find the invitation under Invited.`,
        );
      }
      if (error instanceof ApiError) {
        const fields = error.fieldErrors();
        let mapped = false;
        for (const [field, message] of Object.entries(fields)) {
          const name = FIELD_MAP[field];
          if (name) {
            setError(name, { message });
            mapped = true;
          }
        }
        if (!mapped && /expires/i.test(error.message)) {
          setError("expiresOn", { message: error.message });
          mapped = true;
        }
        if (mapped) return;
      }
      setFormError(errorMessage(error));
    }
  });

  const loading = templates.isPending || companies.isPending;
  const noTemplates = templates.data && templates.data.items.length === 0;
  const companyList = companies.data?.data ?? [];
  const aria = (name: keyof InviteForm) => ({
    "aria-invalid": errors[name] ? true : undefined,
    "aria-describedby": errors[name] ? `invite-${name}-error` : undefined,
  });

  return (
    <>
      <DialogHeader>
        <DialogTitle>Invite {target.fullName || target.email}</DialogTitle>
        <DialogDescription>{target.email}</DialogDescription>
      </DialogHeader>
      {loading ? (
        <Spinner label="Loading templates and companies…" />
      ) : templates.isError ? (
        <Alert variant="error" title="Could not load your templates">
          {errorMessage(templates.error)}
        </Alert>
      ) : noTemplates ? (
        <Alert variant="warning" title="No active template">
          Publish a template first: only active templates can be used for invitations.{" "}
          <Link className="underline" href="/hr/templates/create">
            Create a template
          </Link>
        </Alert>
      ) : (
        <form onSubmit={onSubmit} noValidate className="space-y-4">
          <Field id="invite-templateId" label="Template" error={errors.templateId?.message}>
            <NativeSelect id="invite-templateId" {...register("templateId")} {...aria("templateId")}>
              {templates.data!.items.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.title} ({t.questionsCount} question{t.questionsCount === 1 ? "" : "s"})
                </option>
              ))}
            </NativeSelect>
          </Field>
          {companyList.length > 0 ? (
            <Field id="invite-companyName" label="Company" error={errors.companyName?.message}>
              <NativeSelect id="invite-companyName" {...register("companyName")} {...aria("companyName")}>
                {companyList.map((c) => (
                  <option key={c.id} value={c.name}>
                    {c.name}
                  </option>
                ))}
              </NativeSelect>
            </Field>
          ) : (
            <Field
              id="invite-companyName"
              label="Company"
              error={errors.companyName?.message ?? (companies.isError ? `Companies could not be loaded: ${errorMessage(companies.error)}` : undefined)}
              hint="You have no companies yet: type the company name (or add one under Companies)."
            >
              <Input id="invite-companyName" autoComplete="organization" maxLength={200} {...register("companyName")} {...aria("companyName")} />
            </Field>
          )}
          <Field id="invite-expiresOn" label="Expires on" error={errors.expiresOn?.message} hint="The invitation ends at the end of this day (your time).">
            <Input id="invite-expiresOn" type="date" min={toDateInput(new Date())} {...register("expiresOn")} {...aria("expiresOn")} />
          </Field>
          <div className="space-y-3">
            <Checkbox id="invite-allowPause" label="Allow pause" description="The candidate may leave and resume later." {...register("allowPause")} />
            <Checkbox id="invite-showTimer" label="Show timer" description="Show the elapsed time during the interview." {...register("showTimer")} />
          </div>
          {formError && (
            <Alert variant="error" title="The invitation was not sent">
              {formError}
            </Alert>
          )}
          <DialogFooter>
            <Button variant="outline" onClick={onCancel}>
              Cancel
            </Button>
            <Button type="submit" disabled={formState.isSubmitting}>
              {formState.isSubmitting ? "Sending…" : "Send invitation"}
            </Button>
          </DialogFooter>
        </form>
      )}
      <QuotaDialog quota={quota} onOpenChange={(open) => !open && setQuota(null)} />
    </>
  );
}
