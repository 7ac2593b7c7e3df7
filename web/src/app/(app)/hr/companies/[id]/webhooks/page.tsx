"use client";

import { ArrowLeft, Plus } from "lucide-react";
import Link from "next/link";
import { useParams } from "next/navigation";
import * as React from "react";
import { CreateWebhookDialog } from "@/components/hr/webhooks/create-dialog";
import { EndpointCard } from "@/components/hr/webhooks/endpoint-card";
import { SecretDialog } from "@/components/hr/webhooks/secret-dialog";
import { Button } from "@/components/ui/button";
import { EmptyState, ErrorState, LoadingBlock, PageHeader } from "@/components/ui/feedback";
import { useCompany } from "@/lib/companies";
import { useWebhooks } from "@/lib/webhooks";

export default function CompanyWebhooksPage() {
  const { id } = useParams<{ id: string }>();
  const company = useCompany(id);
  const webhooks = useWebhooks(id);
  const [creating, setCreating] = React.useState(false);
  const [secret, setSecret] = React.useState<{ value: string; title: string } | null>(null);

  const add = (
    <Button onClick={() => setCreating(true)}>
      <Plus aria-hidden /> Add webhook
    </Button>
  );

  return (
    <>
      <Button asChild variant="link" className="mb-2 h-auto px-0">
        <Link href="/hr/companies">
          <ArrowLeft aria-hidden /> Companies
        </Link>
      </Button>
      <PageHeader
        title={company.data ? `Webhooks · ${company.data.name}` : "Webhooks"}
        description="Send interview events to your applicant-tracking system. Each request is signed (Standard Webhooks) with the endpoint's secret."
        actions={webhooks.isSuccess && webhooks.data.length > 0 ? add : undefined}
      />
      {webhooks.isPending ? (
        <LoadingBlock label="Loading webhooks" />
      ) : webhooks.isError ? (
        <ErrorState error={webhooks.error} onRetry={() => void webhooks.refetch()} title="Could not load the webhooks" />
      ) : webhooks.data.length === 0 ? (
        <EmptyState
          title="No webhooks yet"
          description="Add an endpoint to have completed interviews, analyses and decisions pushed to your other tools as they happen."
          action={add}
        />
      ) : (
        <ul className="space-y-4">
          {webhooks.data.map((endpoint) => (
            <li key={endpoint.id}>
              <EndpointCard endpoint={endpoint} onSecret={(value, title) => setSecret({ value, title })} />
            </li>
          ))}
        </ul>
      )}
      <CreateWebhookDialog
        companyId={id}
        open={creating}
        onOpenChange={setCreating}
        onCreated={(created) => setSecret({ value: created.secret, title: "Webhook added: your signing secret" })}
      />
      <SecretDialog secret={secret?.value ?? null} title={secret?.title ?? ""} onClose={() => setSecret(null)} />
    </>
  );
}
