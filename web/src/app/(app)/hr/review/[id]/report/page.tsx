"use client";

import { ArrowLeft, Printer } from "lucide-react";
import Link from "next/link";
import { useParams } from "next/navigation";
import { CandidateReport } from "@/components/hr/review/report";
import { Button } from "@/components/ui/button";
import { ErrorState, LoadingBlock } from "@/components/ui/feedback";
import { useAnalysis } from "@/lib/analysis";
import { useReviewInvitation } from "@/lib/invitations";
import { useReviewBoard } from "@/lib/reviews";

// On paper only the report: the app's header and navigation, and this page's buttons, stay on screen.
const PRINT_CSS = `@media print {
  body * { visibility: hidden; }
  #candidate-report, #candidate-report * { visibility: visible; }
  #candidate-report { position: absolute; inset: 0 auto auto 0; width: 100%; }
}`;

export default function ReportPage() {
  const { id } = useParams<{ id: string }>();
  const invitation = useReviewInvitation(id);
  const completed = invitation.data?.status === "completed";
  const board = useReviewBoard(id);
  // Blind review: the AI's part of the report stays out until the board says the caller may see it.
  const aiHidden = board.data?.aiHidden ?? true;
  const analysis = useAnalysis(id, completed && board.isSuccess && !aiHidden);
  if (invitation.isPending) return <LoadingBlock rows={4} label="Loading the report" />;
  if (invitation.isError) return <ErrorState error={invitation.error} onRetry={() => void invitation.refetch()} title="Could not load this report" />;
  return (
    <div className="space-y-4">
      <style>{PRINT_CSS}</style>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <Link href={`/hr/review/${id}`} className="inline-flex items-center gap-1 text-sm text-muted-foreground hover:text-foreground">
          <ArrowLeft className="h-4 w-4" aria-hidden /> Back to the review
        </Link>
        <Button size="sm" onClick={() => window.print()}>
          <Printer className="h-4 w-4" aria-hidden /> Print or save as PDF
        </Button>
      </div>
      <CandidateReport
        candidate={board.data?.candidateName || board.data?.candidateEmail || "Candidate"}
        invitation={invitation.data}
        analysis={aiHidden ? null : (analysis.data ?? null)}
        aiHidden={completed && aiHidden}
        board={board.data}
      />
    </div>
  );
}
