"use client";

import { useRouter, useSearchParams } from "next/navigation";
import * as React from "react";
import { CandidateSearch } from "@/components/hr/candidate-search";
import { ReviewList } from "@/components/hr/review/review-list";
import { InviteDialog, type InviteTarget } from "@/components/hr/invite-dialog";
import { InvitationsList } from "@/components/hr/invitations-list";
import { PageHeader, Spinner } from "@/components/ui/feedback";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { useToast } from "@/components/ui/toast";

const TABS = ["search", "invited", "completed"] as const;
type Tab = (typeof TABS)[number];

function CandidatesPage() {
  const params = useSearchParams();
  const router = useRouter();
  const toast = useToast();
  const raw = params.get("tab");
  const tab: Tab = (TABS as readonly string[]).includes(raw ?? "") ? (raw as Tab) : "search";
  const [target, setTarget] = React.useState<InviteTarget | null>(null);
  const [status, setStatus] = React.useState("");
  const [page, setPage] = React.useState(1);

  const setTab = (next: string) => {
    const sp = new URLSearchParams(params.toString());
    sp.set("tab", next);
    router.replace(`/hr/candidates?${sp.toString()}`, { scroll: false });
  };

  return (
    <>
      <PageHeader title="Candidates" description="Find candidates by their skills, invite them, and follow their interviews." />
      <Tabs value={tab} onValueChange={setTab}>
        <TabsList aria-label="Candidate views">
          <TabsTrigger value="search">Search</TabsTrigger>
          <TabsTrigger value="invited">Invited</TabsTrigger>
          <TabsTrigger value="completed">Completed</TabsTrigger>
        </TabsList>
        <TabsContent value="search">
          <CandidateSearch onInvite={(hit) => setTarget({ userId: hit.userId, fullName: hit.fullName.trim(), email: hit.email })} />
        </TabsContent>
        <TabsContent value="invited">
          <InvitationsList
            status={status}
            onStatusChange={(s) => {
              setStatus(s);
              setPage(1);
            }}
            page={page}
            onPageChange={setPage}
          />
        </TabsContent>
        <TabsContent value="completed">
          <ReviewList />
        </TabsContent>
      </Tabs>
      <InviteDialog
        target={target}
        onOpenChange={(open) => !open && setTarget(null)}
        onInvited={() => {
          toast({ title: "Invitation sent", description: `${target?.fullName || target?.email} has been invited.`, variant: "success" });
          setTarget(null);
          setStatus("");
          setPage(1);
          setTab("invited");
        }}
      />
    </>
  );
}

export default function Page() {
  return (
    <React.Suspense fallback={<Spinner />}>
      <CandidatesPage />
    </React.Suspense>
  );
}
