import { ShieldCheck } from "lucide-react";
import type { ConsentRecord } from "@/lib/invitations";
import { formatDate } from "@/lib/utils";

/**
 * What the candidate agreed to before the interview (the AI-use notice's version and when) and whether they asked
 * for a human-only review: then the team scores the answers before looking at the AI's analysis.
 */
export function ConsentRecordNote({ consent, humanReviewRequested }: { consent?: ConsentRecord | null; humanReviewRequested?: boolean }) {
  return (
    <section aria-labelledby="consent-record-heading" className="space-y-1 rounded-lg border p-3 text-sm">
      <h2 id="consent-record-heading" className="flex items-center gap-2 font-semibold">
        <ShieldCheck className="h-4 w-4" aria-hidden />
        Candidate&apos;s consent
      </h2>
      {consent ? (
        <p>
          Accepted the AI-use notice (version {consent.noticeVersion}) on {formatDate(consent.acceptedAt, true)}.
        </p>
      ) : (
        <p className="text-muted-foreground">No acceptance of the AI-use notice is on record for this interview.</p>
      )}
      {humanReviewRequested && (
        <p className="font-medium">
          The candidate asked for a human-only review: score the answers yourself before you look at the AI&apos;s analysis.
        </p>
      )}
    </section>
  );
}

/** A short label for lists: the candidate asked for people to score without the AI first. */
export function HumanOnlyBadge({ requested }: { requested?: boolean }) {
  if (!requested) return null;
  return <span className="rounded-full border border-amber-500 px-2 py-0.5 text-xs">Human-only review</span>;
}
