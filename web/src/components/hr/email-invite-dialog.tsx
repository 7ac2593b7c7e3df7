"use client";

import * as React from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Alert, Spinner } from "@/components/ui/feedback";
import { Field, Input, NativeSelect, Textarea } from "@/components/ui/input";
import { errorMessage } from "@/lib/api";
import { useCompanies } from "@/lib/companies";
import { ROW_STATUS, bulkInvite, parseInvitees, type BulkResult } from "@/lib/invites";
import { defaultExpiry, endOfDay, toDateInput } from "@/lib/invitations";
import { displayName, useMe } from "@/lib/profile";
import { useActiveTemplates } from "@/lib/templates";

/** Invite people by e-mail, with or without an account: typed, pasted as a list or read from a CSV file. Every
 * row is checked first (bad address, listed twice, already invited) and shown before anything is sent. */
export function EmailInviteDialog({
  open,
  templateId,
  onOpenChange,
  onInvited,
}: {
  open: boolean;
  templateId?: string;
  onOpenChange: (open: boolean) => void;
  onInvited: () => void;
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-h-[90vh] max-w-2xl overflow-y-auto">
        {open && <EmailInviteForm templateId={templateId} onInvited={onInvited} onCancel={() => onOpenChange(false)} />}
      </DialogContent>
    </Dialog>
  );
}

function EmailInviteForm({ templateId, onInvited, onCancel }: { templateId?: string; onInvited: () => void; onCancel: () => void }) {
  const templates = useActiveTemplates();
  const me = useMe();
  const companies = useCompanies();
  const [template, setTemplate] = React.useState(templateId ?? "");
  const [expiresOn, setExpiresOn] = React.useState(defaultExpiry());
  // An HR user without a company invites in a name they give (a member's is their company's).
  const [companyName, setCompanyName] = React.useState("");
  const company = companies.data?.data[0]?.name;
  const [list, setList] = React.useState("");
  const [preview, setPreview] = React.useState<BulkResult | null>(null);
  const [sent, setSent] = React.useState<BulkResult | null>(null);
  const [busy, setBusy] = React.useState(false);
  const [error, setError] = React.useState<string | null>(null);

  React.useEffect(() => {
    const first = templates.data?.items[0];
    if (first && !template) setTemplate(first.id);
  }, [templates.data, template]);

  const people = React.useMemo(() => parseInvitees(list), [list]);
  const run = async (dryRun: boolean) => {
    setError(null);
    if (people.length === 0) return setError("Add at least one e-mail address.");
    if (!companies.isPending && !company && !companyName.trim()) return setError("Enter the company the invitation comes from.");
    const expires = endOfDay(expiresOn);
    if (!expires || expires <= new Date()) return setError("Choose an end date in the future.");
    setBusy(true);
    try {
      const result = await bulkInvite({
        templateId: template,
        expiresAt: expires.toISOString(),
        candidates: people,
        // In the name of the caller's company, as the single invitation's form does by default.
        companyName: company ?? (companyName.trim() || undefined),
        hrEmail: me.data?.email || undefined,
        hrName: me.data ? displayName(me.data) : undefined,
        dryRun,
      });
      if (dryRun) setPreview(result);
      else {
        setSent(result);
        if (result.invited > 0) onInvited();
      }
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const onFile = async (file: File | undefined) => {
    if (!file) return;
    setList(await file.text());
    setPreview(null);
  };
  const shown = sent ?? preview;
  const ready = preview?.rows.filter((r) => r.status === "ready").length ?? 0;

  return (
    <>
      <DialogHeader>
        <DialogTitle>Invite by e-mail</DialogTitle>
        <DialogDescription>People without an account get a link to create one with the invited address.</DialogDescription>
      </DialogHeader>
      {templates.isPending ? (
        <Spinner label="Loading your templates…" />
      ) : (
        <div className="space-y-4">
          <Field id="email-invite-template" label="Interview">
            <NativeSelect id="email-invite-template" value={template} onChange={(e) => setTemplate(e.target.value)} disabled={sent !== null}>
              {(templates.data?.items ?? []).map((t) => (
                <option key={t.id} value={t.id}>
                  {t.title}
                </option>
              ))}
            </NativeSelect>
          </Field>
          {!companies.isPending && !company && (
            <Field id="email-invite-company" label="Company" hint="The name candidates see on the invitation.">
              <Input id="email-invite-company" maxLength={200} value={companyName} onChange={(e) => setCompanyName(e.target.value)} disabled={sent !== null} />
            </Field>
          )}
          <Field id="email-invite-expires" label="Open until" hint="The invitation ends at the end of this day (your time).">
            <Input id="email-invite-expires" type="date" min={toDateInput(new Date())} value={expiresOn} onChange={(e) => setExpiresOn(e.target.value)} />
          </Field>
          <Field id="email-invite-list" label="Name and e-mail, one person a line" hint="For example: Ada Lovelace <ada@example.com>, or paste rows from a spreadsheet.">
            <Textarea
              id="email-invite-list"
              rows={5}
              value={list}
              onChange={(e) => {
                setList(e.target.value);
                setPreview(null);
              }}
              disabled={sent !== null}
            />
          </Field>
          <Field id="email-invite-csv" label="Or choose a CSV file">
            <Input id="email-invite-csv" type="file" accept=".csv,text/csv,text/plain" onChange={(e) => void onFile(e.target.files?.[0])} disabled={sent !== null} />
          </Field>
          {error && (
            <Alert variant="error" title="Nothing was sent">
              {error}
            </Alert>
          )}
          {shown && (
            <div className="overflow-x-auto">
              <table className="w-full text-sm">
                <caption className="sr-only">{sent ? "What was sent" : "Check before sending"}</caption>
                <thead>
                  <tr className="text-left">
                    <th scope="col" className="p-1">Line</th>
                    <th scope="col" className="p-1">Person</th>
                    <th scope="col" className="p-1">Result</th>
                  </tr>
                </thead>
                <tbody>
                  {shown.rows.map((r) => (
                    <tr key={r.row} className="border-t">
                      <td className="p-1">{r.row}</td>
                      <td className="break-all p-1">
                        {r.name ? `${r.name} · ` : ""}
                        {r.email}
                      </td>
                      <td className={r.status === "ready" || r.status === "invited" ? "p-1" : "p-1 font-medium text-destructive"}>{ROW_STATUS[r.status]}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {sent && (
            <Alert variant={sent.refused ? "warning" : "success"} title={`${sent.invited} invitation${sent.invited === 1 ? "" : "s"} sent`}>
              {sent.refused ? `${sent.refused} line${sent.refused === 1 ? " was" : "s were"} not sent; see above.` : "Everyone on the list was invited."}
            </Alert>
          )}
          <DialogFooter>
            <Button variant="outline" onClick={onCancel}>
              {sent ? "Close" : "Cancel"}
            </Button>
            {!sent &&
              (preview ? (
                <Button onClick={() => void run(false)} disabled={busy || ready === 0}>
                  {busy ? "Sending…" : `Send ${ready} invitation${ready === 1 ? "" : "s"}`}
                </Button>
              ) : (
                <Button onClick={() => void run(true)} disabled={busy}>
                  {busy ? "Checking…" : "Check the list"}
                </Button>
              ))}
          </DialogFooter>
        </div>
      )}
    </>
  );
}
