"use client";

import Link from "next/link";
import { useParams } from "next/navigation";
import * as React from "react";
import { TemplateStatusBadge } from "@/components/templates/status-badge";
import { TemplateWizard } from "@/components/templates/template-wizard";
import { Button } from "@/components/ui/button";
import { Alert, ErrorState, LoadingBlock, PageHeader } from "@/components/ui/feedback";
import { draftFromTemplate, useTemplate } from "@/lib/templates";

export default function EditTemplatePage() {
  const { id } = useParams<{ id: string }>();
  const template = useTemplate(id);
  // The form is built once from the loaded template; later refetches must not reset the user's input.
  const [initial, setInitial] = React.useState<ReturnType<typeof draftFromTemplate> | null>(null);
  React.useEffect(() => {
    if (template.data && initial === null && template.data.status === "draft") setInitial(draftFromTemplate(template.data));
  }, [template.data, initial]);

  const back = (
    <Button asChild variant="ghost">
      <Link href={`/hr/templates/${id}`}>Back to template</Link>
    </Button>
  );

  if (template.isPending) return <LoadingBlock label="Loading template…" />;
  if (template.isError)
    return (
      <>
        <PageHeader title="Edit template" actions={back} />
        <ErrorState error={template.error} onRetry={() => void template.refetch()} title="Could not load the template" />
      </>
    );
  const t = template.data;
  if (t.status !== "draft" && initial === null) {
    return (
      <>
        <PageHeader title={`Edit “${t.title}”`} actions={back} />
        <Alert variant="warning" title="Only drafts can be edited">
          <p>
            This template is <TemplateStatusBadge status={t.status} />. What invited candidates were sent never
            changes: to change a published template, use “Edit as new version” on its page (candidates already
            invited keep theirs), or duplicate it.
          </p>
          <p className="mt-2">
            <Link href={`/hr/templates/${id}`} className="font-medium underline">
              Back to the template
            </Link>
          </p>
        </Alert>
      </>
    );
  }
  if (!initial) return <LoadingBlock label="Loading template…" />;
  return (
    <>
      <PageHeader title={`Edit “${t.title}”`} description="Changes are saved when you press Save changes." actions={back} />
      <TemplateWizard mode="edit" initial={initial} templateId={id} />
    </>
  );
}
