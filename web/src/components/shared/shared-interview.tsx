import { stageLabel, type SharedInterview } from "@/lib/reviews";
import { formatDate, formatSeconds } from "@/lib/utils";

/** A shared interview, read-only: the answers and where the candidate stands, never the team's notes. */
export function SharedInterviewView({ interview }: { interview: SharedInterview }) {
  const answers = [...interview.answers].sort((a, b) => a.order - b.order);
  return (
    <article aria-labelledby="shared-heading" className="space-y-6">
      <header className="space-y-1">
        <h1 id="shared-heading" className="text-2xl font-bold tracking-tight">
          {interview.candidateName || "Candidate"}
        </h1>
        <p className="text-muted-foreground">
          {interview.templateTitle} · {interview.companyName}
        </p>
        <dl className="flex flex-wrap gap-x-6 gap-y-1 text-sm">
          <div className="flex gap-1">
            <dt className="text-muted-foreground">Completed</dt>
            <dd>{formatDate(interview.completedAt, true)}</dd>
          </div>
          <div className="flex gap-1">
            <dt className="text-muted-foreground">AI score</dt>
            <dd className="font-semibold tabular-nums">{interview.score != null ? `${interview.score} / 100` : "not available"}</dd>
          </div>
          <div className="flex gap-1">
            <dt className="text-muted-foreground">Stage</dt>
            <dd>{stageLabel(interview.stage)}</dd>
          </div>
        </dl>
        <p className="text-xs text-muted-foreground print:hidden">This link is read-only and works until {formatDate(interview.expiresAt, true)}.</p>
      </header>
      <ol className="space-y-4">
        {answers.map((a) => (
          <li key={a.questionId} className="break-inside-avoid rounded-lg border p-4">
            <h2 className="font-semibold">
              Question {a.order}: {a.question}
            </h2>
            {a.answer ? (
              <p className="mt-2 whitespace-pre-wrap">{a.answer}</p>
            ) : a.responseType ? (
              <p className="mt-2 text-sm text-muted-foreground">A recorded answer{a.duration ? ` of ${formatSeconds(a.duration)}` : ""}; recordings are shown to the hiring team only.</p>
            ) : (
              <p className="mt-2 text-sm text-muted-foreground">Not answered.</p>
            )}
          </li>
        ))}
      </ol>
    </article>
  );
}
