import { stageLabel, type ReviewBoard } from "@/lib/reviews";
import type { Analysis } from "@/lib/analysis";
import type { Invitation } from "@/lib/invitations";
import { formatDate, formatSeconds } from "@/lib/utils";

const CRITERION = (name: string) => name.replace(/_/g, " ");

/** A candidate's interview as a printable report: outcome, then per question the answer, the score and each
 * criterion's evidence quote with its timestamp in the recording. Print CSS keeps only this on paper. */
export function CandidateReport({
  candidate,
  invitation,
  analysis,
  aiHidden = false,
  board,
}: {
  candidate: string;
  invitation: Invitation;
  analysis: Analysis | null;
  /** Blind review: the caller has not submitted their ratings yet, so the AI's scores are not theirs to see. */
  aiHidden?: boolean;
  board: ReviewBoard | undefined;
}) {
  const questions = [...(invitation.questions ?? [])].sort((a, b) => a.order - b.order);
  const responses = new Map(invitation.responses.map((r) => [r.questionId, r]));
  const analyses = new Map((analysis?.questionAnalyses ?? []).map((q) => [q.questionId, q]));
  return (
    <article id="candidate-report" aria-labelledby="report-heading" className="space-y-6">
      <header className="space-y-1 border-b pb-4">
        <h1 id="report-heading" className="text-2xl font-bold">
          {candidate}
        </h1>
        <p className="text-muted-foreground">
          {invitation.templateTitle} · {invitation.companyName}
        </p>
        <dl className="grid grid-cols-2 gap-x-6 gap-y-1 text-sm sm:grid-cols-4">
          <div>
            <dt className="text-muted-foreground">Completed</dt>
            <dd>{formatDate(invitation.completedAt, true)}</dd>
          </div>
          <div>
            <dt className="text-muted-foreground">AI score</dt>
            <dd className="font-semibold">{aiHidden ? "shown once you submit your ratings" : analysis?.overallScore != null ? `${analysis.overallScore} / 100` : "not available"}</dd>
          </div>
          <div>
            <dt className="text-muted-foreground">Stage</dt>
            <dd>{board ? stageLabel(board.stage) : "—"}</dd>
          </div>
          <div>
            <dt className="text-muted-foreground">Scored by</dt>
            <dd>{analysis?.engine === "offline" ? "heuristic fallback (not AI)" : analysis ? "language model" : "—"}</dd>
          </div>
        </dl>
        {analysis?.summary && <p className="pt-2">{analysis.summary}</p>}
      </header>
      <ol className="space-y-5">
        {questions.map((q) => {
          const response = responses.get(q.id);
          const scored = analyses.get(q.id);
          const answer = response?.textAnswer || response?.codeAnswer || scored?.responseText;
          return (
            <li key={q.id} className="break-inside-avoid space-y-2">
              <h2 className="font-semibold">
                Question {q.order}: {q.text}
                {scored?.score != null && <span className="ml-2 font-normal text-muted-foreground">score {scored.score} / 100</span>}
              </h2>
              {answer ? <blockquote className="whitespace-pre-wrap border-l-2 pl-3">{answer}</blockquote> : <p className="text-sm text-muted-foreground">Not answered.</p>}
              {scored && scored.criteriaScores.length > 0 && (
                <table className="w-full text-sm">
                  <caption className="sr-only">Criteria of question {q.order}</caption>
                  <thead className="text-left text-xs text-muted-foreground">
                    <tr>
                      <th scope="col" className="py-1 pr-2">Criterion</th>
                      <th scope="col" className="py-1 pr-2">Score</th>
                      <th scope="col" className="py-1">Evidence</th>
                    </tr>
                  </thead>
                  <tbody>
                    {scored.criteriaScores.map((c) => (
                      <tr key={c.criterion} className="border-t align-top">
                        <td className="py-1 pr-2 capitalize">{CRITERION(c.criterion)}</td>
                        <td className="py-1 pr-2 tabular-nums">{c.score}</td>
                        <td className="py-1">
                          {c.evidence ? (
                            <>
                              “{c.evidence}”
                              {c.evidenceStartS != null && <span className="text-muted-foreground"> at {formatSeconds(c.evidenceStartS)}</span>}
                            </>
                          ) : (
                            <span className="text-muted-foreground">no quote</span>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              {scored?.feedback && <p className="text-sm">{scored.feedback}</p>}
            </li>
          );
        })}
      </ol>
      <footer className="border-t pt-2 text-xs text-muted-foreground">
        Printed {formatDate(new Date().toISOString(), true)}. AI scores support the hiring team&apos;s judgement; people decide.
      </footer>
    </article>
  );
}
