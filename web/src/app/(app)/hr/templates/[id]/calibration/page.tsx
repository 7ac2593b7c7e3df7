"use client";

import Link from "next/link";
import { useParams } from "next/navigation";
import { CalibrationView } from "@/components/templates/calibration";
import { Button } from "@/components/ui/button";
import { ErrorState, LoadingBlock, PageHeader } from "@/components/ui/feedback";
import { useMe } from "@/lib/profile";
import { useCalibration } from "@/lib/rubrics";
import { useTemplate } from "@/lib/templates";

export default function CalibrationPage() {
  const { id } = useParams<{ id: string }>();
  const template = useTemplate(id);
  const calibration = useCalibration(id);
  const me = useMe();
  return (
    <div className="space-y-6">
      <PageHeader
        title="Reviewer calibration"
        description={template.data ? `How closely the reviewers of “${template.data.title}” agree with each other and with the AI.` : undefined}
        actions={
          <Button asChild variant="ghost">
            <Link href={`/hr/templates/${id}`}>Back to template</Link>
          </Button>
        }
      />
      {calibration.isPending ? (
        <LoadingBlock rows={3} label="Loading the calibration" />
      ) : calibration.isError ? (
        <ErrorState error={calibration.error} onRetry={() => void calibration.refetch()} title="Could not load the calibration" />
      ) : (
        <CalibrationView calibration={calibration.data} myIds={me.data ? [me.data.id, me.data.externalAuthId] : []} />
      )}
    </div>
  );
}
