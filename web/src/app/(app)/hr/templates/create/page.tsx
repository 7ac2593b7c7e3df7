"use client";

import Link from "next/link";
import * as React from "react";
import { TemplateWizard } from "@/components/templates/template-wizard";
import { Button } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/feedback";
import { emptyDraft } from "@/lib/templates";

export default function CreateTemplatePage() {
  const [initial] = React.useState(emptyDraft);
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
      <TemplateWizard mode="create" initial={initial} />
    </>
  );
}
