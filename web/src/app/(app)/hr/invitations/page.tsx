"use client";

import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import * as React from "react";
import { ApplyLinkDialog } from "@/components/hr/apply-link-dialog";
import { EmailInviteDialog } from "@/components/hr/email-invite-dialog";
import { InvitationsList } from "@/components/hr/invitations-list";
import { Button } from "@/components/ui/button";
import { PageHeader, Spinner } from "@/components/ui/feedback";

const STATUSES = ["pending", "in_progress", "completed", "expired", "cancelled"];

function InvitationsPage() {
  const params = useSearchParams();
  const router = useRouter();
  const rawStatus = params.get("status") ?? "";
  const status = STATUSES.includes(rawStatus) ? rawStatus : "";
  const page = Math.max(1, Number.parseInt(params.get("page") ?? "1", 10) || 1);
  // "Invite candidates" on a template opens the e-mail invitation with that template chosen (?invite=<id>).
  const inviteTemplate = params.get("invite") ?? undefined;
  const [inviting, setInviting] = React.useState(inviteTemplate !== undefined);
  const [linking, setLinking] = React.useState(false);
  const [listKey, setListKey] = React.useState(0);
  const go = (next: { status?: string; page?: number }) => {
    const sp = new URLSearchParams();
    const s = next.status ?? status;
    const p = next.page ?? page;
    if (s) sp.set("status", s);
    if (p > 1) sp.set("page", String(p));
    const qs = sp.toString();
    router.replace(qs ? `/hr/invitations?${qs}` : "/hr/invitations", { scroll: false });
  };
  return (
    <>
      <PageHeader
        title="Invitations"
        description="Every interview invitation you sent, with its progress."
        actions={
          <div className="flex flex-wrap gap-2">
            <Button onClick={() => setInviting(true)}>Invite by e-mail</Button>
            <Button variant="outline" onClick={() => setLinking(true)}>
              Apply link
            </Button>
            <Button asChild variant="outline">
              <Link href="/hr/candidates?tab=search">Find registered candidates</Link>
            </Button>
          </div>
        }
      />
      <ApplyLinkDialog open={linking} onOpenChange={setLinking} />
      <EmailInviteDialog open={inviting} templateId={inviteTemplate} onOpenChange={setInviting} onInvited={() => setListKey((k) => k + 1)} />
      <InvitationsList key={listKey} status={status} onStatusChange={(s) => go({ status: s, page: 1 })} page={page} onPageChange={(p) => go({ page: p })} />
    </>
  );
}

export default function Page() {
  return (
    <React.Suspense fallback={<Spinner />}>
      <InvitationsPage />
    </React.Suspense>
  );
}
