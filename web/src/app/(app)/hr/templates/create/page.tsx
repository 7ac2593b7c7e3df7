"use client";

import Link from "next/link";
import { useSearchParams } from "next/navigation";
import * as React from "react";
import { TemplateWizard } from "@/components/templates/template-wizard";
import { Button } from "@/components/ui/button";
import { StarterPicker } from "@/components/templates/starter-picker";
import { PageHeader, Spinner } from "@/components/ui/feedback";
import { draftFromStarter, findStarter } from "@/lib/starters";
import { emptyDraft } from "@/lib/templates";

function CreateTemplate() {
  const slug = useSearchParams().get("starter");
  const starter = findStarter(slug);
  // Keyed by the starter so picking another one starts the wizard afresh with its questions.
  const initial = React.useMemo(() => (starter ? draftFromStarter(starter) : emptyDraft()), [starter]);
  return (
    <>
      <PageHeader
        title="Create template"
        description="Basic info, the questions, then settings: save it as a draft or publish it straight away."
        actions={
          <Button asChild variant="ghost">
            <Link href="/hr/templates">Cancel</Link>
          </Button>
        }
      />
      <StarterPicker current={starter?.slug} />
      <TemplateWizard key={starter?.slug ?? "blank"} mode="create" initial={initial} />
    </>
  );
}

export default function CreateTemplatePage() {
  // useSearchParams needs a boundary of its own in the production build.
  return (
    <React.Suspense fallback={<Spinner />}>
      <CreateTemplate />
    </React.Suspense>
  );
}
