"use client";

import { useQueryClient } from "@tanstack/react-query";
import * as React from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Alert, Spinner } from "@/components/ui/feedback";
import { Field, Input, NativeSelect } from "@/components/ui/input";
import { errorMessage } from "@/lib/api";
import { useCompanies } from "@/lib/companies";
import { applyUrl, setApplyLink, useApplyLink } from "@/lib/invites";
import { useActiveTemplates } from "@/lib/templates";

/** A template's public apply link: open it, copy it, replace it with a new one (the old one stops working) or
 * close it. Anyone with the link gives a name and an e-mail and is invited like a person invited by e-mail. */
export function ApplyLinkDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-h-[90vh] max-w-xl overflow-y-auto">
        <DialogHeader>
          <DialogTitle>Apply link</DialogTitle>
          <DialogDescription>
            Post one link for a role. Whoever opens it gives a name and an e-mail address and gets their own invitation link by e-mail.
          </DialogDescription>
        </DialogHeader>
        {open && <ApplyLinkForm />}
      </DialogContent>
    </Dialog>
  );
}

function ApplyLinkForm() {
  const templates = useActiveTemplates();
  const companies = useCompanies();
  const [template, setTemplate] = React.useState("");
  const link = useApplyLink(template || undefined);
  const qc = useQueryClient();
  const [busy, setBusy] = React.useState(false);
  const [error, setError] = React.useState<string | null>(null);
  const [copied, setCopied] = React.useState(false);

  React.useEffect(() => {
    const first = templates.data?.items[0];
    if (first && !template) setTemplate(first.id);
  }, [templates.data, template]);

  const change = async (body: { enabled: boolean; rotate?: boolean }) => {
    setBusy(true);
    setError(null);
    setCopied(false);
    try {
      const next = await setApplyLink(template, { ...body, companyName: companies.data?.data[0]?.name });
      qc.setQueryData(["invites", "apply-link", template], next);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const url = link.data?.token ? applyUrl(link.data.token, window.location.origin) : null;
  const copy = () => {
    if (!url) return;
    void navigator.clipboard?.writeText(url).then(() => setCopied(true));
  };

  if (templates.isPending) return <Spinner label="Loading your templates…" />;
  if ((templates.data?.items ?? []).length === 0) return <Alert>Publish a template first: only a published interview can take applications.</Alert>;
  return (
    <div className="space-y-4">
      <Field id="apply-link-template" label="Interview">
        <NativeSelect id="apply-link-template" value={template} onChange={(e) => setTemplate(e.target.value)}>
          {(templates.data?.items ?? []).map((t) => (
            <option key={t.id} value={t.id}>
              {t.title}
            </option>
          ))}
        </NativeSelect>
      </Field>
      {link.isPending ? (
        <Spinner label="Loading the link…" />
      ) : link.isError ? (
        <Alert variant="error">{errorMessage(link.error)}</Alert>
      ) : url ? (
        <div className="space-y-3">
          <Field id="apply-link-url" label="Anyone with this link can apply" hint={`Applicants see ${link.data?.companyName ?? "your company"}, the role and how long the interview takes.`}>
            <Input id="apply-link-url" readOnly value={url} onFocus={(e) => e.currentTarget.select()} />
          </Field>
          <div className="flex flex-wrap gap-2">
            <Button size="sm" onClick={copy}>
              Copy link
            </Button>
            <Button size="sm" variant="outline" disabled={busy} onClick={() => void change({ enabled: true, rotate: true })}>
              Replace with a new link
            </Button>
            <Button size="sm" variant="outline" className="text-destructive" disabled={busy} onClick={() => void change({ enabled: false })}>
              Close the link
            </Button>
          </div>
          {copied && <p role="status">Copied.</p>}
          <p className="text-xs text-muted-foreground">A replaced or closed link stops working at once; invitations already sent stay valid.</p>
        </div>
      ) : (
        <div className="space-y-3">
          <p>This interview has no open apply link.</p>
          <Button disabled={busy} onClick={() => void change({ enabled: true })}>
            Open an apply link
          </Button>
        </div>
      )}
      {error && <Alert variant="error">{error}</Alert>}
    </div>
  );
}
