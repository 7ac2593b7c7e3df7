"use client";

import * as React from "react";
import { FilterBar, RangeFilter, TemplateFilter } from "@/components/analytics/filters";
import { FunnelCard, NotificationsCard, OverviewCard, QuestionsCard, ScoreCards } from "@/components/analytics/hr-cards";
import { PageHeader } from "@/components/ui/feedback";
import { presetRange, type DateRange } from "@/lib/analytics";
import { useMe } from "@/lib/profile";

export default function HrAnalyticsPage() {
  const me = useMe();
  const [range, setRange] = React.useState<DateRange>(() => presetRange(30));
  const [templateId, setTemplateId] = React.useState("");
  const filters = React.useMemo(() => ({ ...range, templateId: templateId || undefined }), [range, templateId]);
  const myIds = me.data ? [me.data.id, me.data.externalAuthId] : [];

  return (
    <>
      <PageHeader
        title="Hiring analytics"
        description="How candidates move through your interviews, where they stop, and how decisions compare with the AI's recommendations."
      />
      <FilterBar>
        <RangeFilter onChange={setRange} />
        <TemplateFilter value={templateId} onChange={setTemplateId} />
      </FilterBar>
      <div className="grid gap-6 lg:grid-cols-2">
        <OverviewCard filters={filters} />
        <NotificationsCard filters={filters} />
        <FunnelCard filters={filters} />
        <QuestionsCard filters={filters} />
        <ScoreCards filters={filters} myIds={myIds} />
      </div>
    </>
  );
}
