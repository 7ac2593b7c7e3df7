import { Badge } from "@/components/ui/badge";
import { recommendationLabel } from "@/lib/analysis";

const STATUS: Record<string, { label: string; variant: "secondary" | "warning" | "success" | "destructive" | "outline" | "default" }> = {
  pending: { label: "Pending", variant: "secondary" },
  in_progress: { label: "In progress", variant: "warning" },
  completed: { label: "Completed", variant: "success" },
  expired: { label: "Expired", variant: "destructive" },
  cancelled: { label: "Cancelled", variant: "outline" },
};

export function InvitationStatusBadge({ status }: { status: string }) {
  const s = STATUS[status] ?? { label: status, variant: "outline" as const };
  return <Badge variant={s.variant}>{s.label}</Badge>;
}

export function DecisionBadge({ decision }: { decision: string | null | undefined }) {
  if (decision === "approved") return <Badge variant="success">Approved</Badge>;
  if (decision === "rejected") return <Badge variant="destructive">Rejected</Badge>;
  return <Badge variant="outline">Awaiting decision</Badge>;
}

const ANALYSIS: Record<string, { label: string; variant: "secondary" | "warning" | "success" | "destructive" | "outline" }> = {
  waiting_for_transcripts: { label: "Waiting for transcripts", variant: "secondary" },
  pending: { label: "Analysis queued", variant: "secondary" },
  in_progress: { label: "Analyzing…", variant: "warning" },
  completed: { label: "Analyzed", variant: "success" },
  failed: { label: "Analysis failed", variant: "destructive" },
};

export function AnalysisStatusBadge({ status }: { status: string | null | undefined }) {
  if (!status) return <Badge variant="outline">No analysis yet</Badge>;
  const s = ANALYSIS[status] ?? { label: status, variant: "outline" as const };
  return <Badge variant={s.variant}>{s.label}</Badge>;
}

export function RecommendationBadge({ value }: { value: string | null | undefined }) {
  if (!value) return null;
  const variant = value === "hire" ? "success" : value === "reject" ? "destructive" : "warning";
  return <Badge variant={variant}>{recommendationLabel(value)}</Badge>;
}

export function EngineBadge({ engine }: { engine: string | null | undefined }) {
  if (engine === "offline")
    return (
      <Badge variant="warning" title="Heuristic fallback: scored by text measures, not by AI">
        Offline heuristic — not AI
      </Badge>
    );
  if (engine === "llm") return <Badge variant="secondary">AI analysis</Badge>;
  return null;
}
