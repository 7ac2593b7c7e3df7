"use client";

import Link from "next/link";
import { useParams } from "next/navigation";
import { CandidatePreview } from "@/components/templates/candidate-preview";
import { Button } from "@/components/ui/button";
import { ErrorState, LoadingBlock, PageHeader } from "@/components/ui/feedback";
import { useTemplate } from "@/lib/templates";

/** The candidate's view of a template (drafts too), for HR: nothing is timed, saved or sent. */
export default function TemplatePreviewPage() {
  const { id } = useParams<{ id: string }>();
  const template = useTemplate(id);
  const back = (
    <Button asChild variant="ghost">
      <Link href={`/hr/templates/${id}`}>Back to template</Link>
    </Button>
  );
  if (template.isPending) return <LoadingBlock label="Loading template…" />;
  if (template.isError)
    return (
      <>
        <PageHeader title="Preview as candidate" actions={back} />
        <ErrorState error={template.error} onRetry={() => void template.refetch()} title="Could not load the template" />
      </>
    );
  return (
    <>
      <PageHeader title={`Preview: ${template.data.internalName || template.data.title}`} actions={back} />
      <div className="mx-auto max-w-3xl">
        {/* The company is the invitation's; a preview stands in words that read inside a sentence too. */}
        <CandidatePreview template={template.data} companyName="your company" />
      </div>
    </>
  );
}
