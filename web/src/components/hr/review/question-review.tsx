"use client";

import { CheckCircle2, CircleHelp, XCircle } from "lucide-react";
import * as React from "react";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import type { CriterionScore, QuestionAnalysis } from "@/lib/analysis";
import type { InterviewResponse } from "@/lib/invitations";
import type { Question } from "@/lib/templates";
import { cn, formatSeconds } from "@/lib/utils";
import { HighlightedText, quotesOf } from "./evidence";
import { MediaAnswer, type PlayerHandle } from "./media-answer";

function ScorePill({ score, label }: { score: number | null | undefined; label: string }) {
  if (score == null) return <Badge variant="outline">Not scored</Badge>;
  const variant = score >= 70 ? "success" : score >= 40 ? "warning" : "destructive";
  return (
    <Badge variant={variant} aria-label={`${label} ${score} of 100`}>
      {score}/100
    </Badge>
  );
}

function EvidenceMarker({ status }: { status: string }) {
  if (status === "verified")
    return (
      <span className="inline-flex items-center gap-1 text-xs font-medium text-emerald-800">
        <CheckCircle2 className="h-3.5 w-3.5" aria-hidden /> verified
      </span>
    );
  if (status === "unverified")
    return (
      <span className="inline-flex items-center gap-1 text-xs font-medium text-red-800">
        <XCircle className="h-3.5 w-3.5" aria-hidden /> not found in answer
      </span>
    );
  return (
    <span className="inline-flex items-center gap-1 text-xs text-muted-foreground">
      <CircleHelp className="h-3.5 w-3.5" aria-hidden /> no evidence quoted
    </span>
  );
}

function Criteria({ criteria, onSeek }: { criteria: CriterionScore[]; onSeek?: (seconds: number) => void }) {
  if (criteria.length === 0) return null;
  return (
    <div>
      <h4 className="mb-2 text-sm font-semibold">Criteria</h4>
      <ul className="space-y-2">
        {criteria.map((c) => (
          <li key={c.criterion} className="rounded-md border p-3 text-sm">
            <div className="flex flex-wrap items-center justify-between gap-2">
              <span className="font-medium capitalize">{c.criterion}</span>
              <span className="flex items-center gap-2">
                <span className="text-xs text-muted-foreground">weight {Math.round(c.weight * 100)}%</span>
                <ScorePill score={c.score} label={c.criterion} />
              </span>
            </div>
            <div className="mt-2 h-1.5 w-full overflow-hidden rounded-full bg-muted" aria-hidden>
              <div className="h-full bg-primary" style={{ width: `${Math.max(0, Math.min(100, c.score))}%` }} />
            </div>
            {c.evidence && (
              <blockquote className={cn("mt-2 border-l-2 pl-3 italic", c.evidenceStatus === "unverified" ? "border-red-300 text-muted-foreground line-through decoration-red-300/60" : "border-amber-400")}>
                {onSeek && c.evidenceStartS != null && c.evidenceStatus === "verified" ? (
                  <button
                    type="button"
                    onClick={() => onSeek(c.evidenceStartS!)}
                    className="rounded text-left italic underline decoration-amber-400 decoration-2 underline-offset-2 hover:bg-amber-50 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
                    aria-label={`Play from ${formatSeconds(c.evidenceStartS)}: ${c.evidence}`}
                  >
                    “{c.evidence}”
                  </button>
                ) : (
                  <>“{c.evidence}”</>
                )}
                {c.evidenceStartS != null && <span className="ml-1 not-italic text-xs text-muted-foreground">at {formatSeconds(c.evidenceStartS)}</span>}
              </blockquote>
            )}
            <div className="mt-1">
              <EvidenceMarker status={c.evidence ? c.evidenceStatus : "none"} />
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}

function ChoiceAnswer({ question, response }: { question: Question; response: InterviewResponse }) {
  const chosen = (question.options ?? []).find((o) => o.id === response.selectedOptionId || o.text === response.textAnswer);
  return (
    <ul className="space-y-1 text-sm" aria-label="Options">
      {(question.options ?? []).map((o) => {
        const picked = chosen?.id === o.id;
        return (
          <li
            key={o.id}
            className={cn("flex flex-wrap items-center gap-2 rounded-md border px-3 py-2", picked && "border-primary bg-primary/5 font-medium")}
          >
            <span>{o.text}</span>
            {picked && <Badge variant="secondary">Chosen</Badge>}
            {o.isCorrect && <Badge variant="success">Correct answer</Badge>}
          </li>
        );
      })}
      {!chosen && response.textAnswer && <li className="text-muted-foreground">Answer: {response.textAnswer}</li>}
    </ul>
  );
}

const NO_CRITERIA: CriterionScore[] = [];

function isRecorded(response: InterviewResponse | undefined): response is InterviewResponse & { mediaId: string; responseType: "video" | "audio" } {
  return !!response?.mediaId && (response.responseType === "video" || response.responseType === "audio");
}

function Answer({
  question,
  response,
  analysis,
  candidate,
  player,
}: {
  question: Question;
  response: InterviewResponse | undefined;
  analysis: QuestionAnalysis | undefined;
  candidate: string;
  player: React.RefObject<PlayerHandle | null>;
}) {
  const criteria = analysis?.criteriaScores;
  const quotes = React.useMemo(() => quotesOf(criteria ?? []), [criteria]);
  if (!response) return <p className="text-sm italic text-muted-foreground">No answer.</p>;
  if (question.type === "multiple_choice") return <ChoiceAnswer question={question} response={response} />;
  if (isRecorded(response)) {
    return <MediaAnswer player={player} mediaId={response.mediaId} kind={response.responseType} criteria={criteria ?? NO_CRITERIA} label={`Recorded answer of ${candidate} to question ${question.order}`} />;
  }
  if (response.codeAnswer) return <pre className="overflow-x-auto rounded-md bg-muted p-3 text-xs">{response.codeAnswer}</pre>;
  if (response.textAnswer) return <HighlightedText text={response.textAnswer} quotes={quotes} />;
  return <p className="text-sm italic text-muted-foreground">Empty answer.</p>;
}

export function QuestionReview({
  question,
  response,
  analysis,
  candidate,
}: {
  question: Question;
  response: InterviewResponse | undefined;
  analysis: QuestionAnalysis | undefined;
  candidate: string;
}) {
  const player = React.useRef<PlayerHandle>(null);
  const seek = isRecorded(response) ? (seconds: number) => player.current?.seek(seconds) : undefined;
  return (
    <Card>
      <CardHeader className="gap-2">
        <div className="flex flex-wrap items-start justify-between gap-2">
          <h3 className="font-semibold leading-snug">
            <span className="text-muted-foreground">Q{question.order}.</span> {question.text}
          </h3>
          {analysis && <ScorePill score={analysis.score} label={`Question ${question.order} score`} />}
        </div>
        <div className="flex flex-wrap gap-1 text-xs text-muted-foreground">
          <Badge variant="outline" className="font-normal">
            {question.type.replace("_", " ")}
          </Badge>
          {response && <span>answered in {formatSeconds(response.duration)}</span>}
          {response && response.attempts > 1 && <span>· {response.attempts} attempts</span>}
          {analysis?.isCorrect === true && <Badge variant="success">Correct</Badge>}
          {analysis?.isCorrect === false && <Badge variant="destructive">Incorrect</Badge>}
        </div>
      </CardHeader>
      <CardContent className="space-y-4">
        <div>
          <h4 className="mb-1 text-sm font-semibold">Answer</h4>
          <Answer question={question} response={response} analysis={analysis} candidate={candidate} player={player} />
        </div>
        {analysis && (
          <>
            {analysis.feedback && (
              <div>
                <h4 className="mb-1 text-sm font-semibold">Feedback</h4>
                <p className="text-sm">{analysis.feedback}</p>
              </div>
            )}
            {!analysis.analysable && <p className="text-xs text-muted-foreground">This answer could not be analysed and does not count towards the overall score.</p>}
            <Criteria criteria={analysis.criteriaScores} onSeek={seek} />
          </>
        )}
      </CardContent>
    </Card>
  );
}
