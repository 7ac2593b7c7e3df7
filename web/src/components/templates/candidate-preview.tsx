"use client";

import { ChevronLeft, ChevronRight, Eye } from "lucide-react";
import * as React from "react";
import { ChoiceAnswer, TextAnswer } from "@/components/interview/answer-forms";
import { BriefingFacts } from "@/components/interview/briefing";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { Alert } from "@/components/ui/feedback";
import type { Briefing } from "@/lib/invitations";
import type { Question, Template } from "@/lib/templates";
import { formatSeconds } from "@/lib/utils";

const DAY_MS = 86_400_000;

/**
 * The briefing a candidate would get for `template`, built in the browser from the template itself: nothing is
 * asked of the server, so a preview opens no invitation, records no opening and starts no clock. The deadline is
 * a stand-in (a week from now), since only an invitation has one.
 */
export function previewBriefing(template: Template, companyName: string, now: number): Briefing {
  const questions = [...template.questions].sort((a, b) => a.order - b.order);
  const settings = template.settings ?? {};
  const allowPause = settings.allowPause !== false;
  const types = new Set(questions.map((q) => q.type));
  // Only the facts the briefing shows: the AI-use notice belongs to an invitation, and a preview has none.
  const facts = {
    invitationId: "preview",
    status: "pending",
    companyName,
    templateTitle: template.title,
    templateDescription: template.description,
    expiresAt: new Date(now + 7 * DAY_MS).toISOString(),
    questions: questions.map((q) => ({ order: q.order, type: q.type, timeLimit: q.timeLimit, thinkTime: q.thinkTime ?? 0 })),
    expectedDuration: questions.reduce((sum, q) => sum + q.timeLimit + (q.thinkTime ?? 0), 0),
    totalTimeLimit: allowPause ? null : typeof settings.totalTimeLimit === "number" ? settings.totalTimeLimit : null,
    allowPause,
    retakesAllowed: settings.allowRetakes === true ? (typeof settings.maxRetakes === "number" ? settings.maxRetakes : 1) : 0,
    needsCamera: types.has("video"),
    needsMicrophone: types.has("video") || types.has("audio"),
    candidateFeedback: settings.candidateFeedback ?? "decision",
    expectedReplyTime: settings.expectedReplyTime ?? null,
    graceSeconds: 0,
  };
  return facts as Briefing;
}

function PreviewAnswer({ question, onAnswered }: { question: Question; onAnswered: () => void }) {
  if (question.type === "multiple_choice") return <ChoiceAnswer question={question} busy={false} error={null} onSubmit={onAnswered} />;
  if (question.type === "video" || question.type === "audio")
    return (
      <p className="rounded-md border border-dashed p-3 text-sm text-muted-foreground">
        Here the candidate records their {question.type === "video" ? "video" : "audio"} answer, after the device check
        on the briefing. The preview does not open the camera or microphone.
      </p>
    );
  return <TextAnswer question={question} busy={false} error={null} onSubmit={onAnswered} />;
}

/**
 * HR's view of the candidate's interview: the briefing, then the questions in order with their limits and think
 * times and usable answer forms. Nothing is timed, sent or saved, and the page says so throughout.
 */
export function CandidatePreview({ template, companyName }: { template: Template; companyName: string }) {
  const [now] = React.useState(() => Date.now());
  const briefing = React.useMemo(() => previewBriefing(template, companyName, now), [template, companyName, now]);
  const questions = React.useMemo(() => [...template.questions].sort((a, b) => a.order - b.order), [template.questions]);
  // -1: the briefing; 0..n-1: a question; n: the end.
  const [step, setStep] = React.useState(-1);
  const [answered, setAnswered] = React.useState<Set<string>>(() => new Set());
  const headingRef = React.useRef<HTMLHeadingElement>(null);
  React.useEffect(() => {
    if (step >= 0) headingRef.current?.focus();
  }, [step]);
  const question = step >= 0 && step < questions.length ? questions[step] : null;

  return (
    <div className="space-y-5">
      <Alert variant="info" title="Preview as candidate">
        <p className="flex items-start gap-2">
          <Eye className="mt-0.5 h-4 w-4 shrink-0" aria-hidden />
          <span>
            This is what a candidate sees. Nothing is timed and nothing is saved or sent: no invitation, answer or
            analysis is created. {template.status === "draft" ? "This draft is shown as it is now." : ""}
          </span>
        </p>
      </Alert>

      {step === -1 && (
        <>
          <Card>
            <CardHeader>
              <p className="text-sm text-muted-foreground">{briefing.companyName}</p>
              <h2 className="text-2xl font-bold">{briefing.templateTitle}</h2>
              <p className="text-sm">Before you start: nothing is timed until you press “Start interview” at the bottom of this page.</p>
            </CardHeader>
            <CardContent className="space-y-5 text-sm">
              {briefing.templateDescription && <p className="whitespace-pre-line">{briefing.templateDescription}</p>}
              <BriefingFacts briefing={briefing} />
            </CardContent>
          </Card>
          <p className="text-sm text-muted-foreground">
            The candidate also reads and accepts the AI-use notice{briefing.needsCamera || briefing.needsMicrophone ? " and checks their camera and microphone" : ""} here.
          </p>
          <Button onClick={() => setStep(0)} disabled={questions.length === 0}>
            Start interview (preview)
          </Button>
        </>
      )}

      {question && (
        <Card>
          <CardHeader className="space-y-2">
            <p className="text-sm text-muted-foreground">
              Question {step + 1} of {questions.length}
            </p>
            <h2 ref={headingRef} tabIndex={-1} className="whitespace-pre-line text-lg font-semibold focus:outline-none">
              {question.text}
            </h2>
            <p className="text-sm" data-testid="preview-limits">
              {(question.thinkTime ?? 0) > 0 ? `${formatSeconds(question.thinkTime ?? 0)} to think, then ` : ""}
              {formatSeconds(question.timeLimit)} to answer (not counting down in the preview)
            </p>
            {question.hints && <p className="text-sm text-muted-foreground">Hint: {question.hints}</p>}
          </CardHeader>
          <CardContent className="space-y-4">
            {answered.has(question.id) && (
              <p role="status" className="text-sm font-medium">
                Answer not saved: this is a preview.
              </p>
            )}
            <PreviewAnswer
              key={question.id}
              question={question}
              onAnswered={() => setAnswered((done) => new Set(done).add(question.id))}
            />
            <div className="flex flex-wrap justify-between gap-2 border-t pt-4">
              <Button variant="outline" onClick={() => setStep(step - 1)}>
                <ChevronLeft aria-hidden /> {step === 0 ? "Back to the briefing" : "Previous question"}
              </Button>
              <Button variant="outline" onClick={() => setStep(step + 1)}>
                {step === questions.length - 1 ? "Finish preview" : "Next question"} <ChevronRight aria-hidden />
              </Button>
            </div>
          </CardContent>
        </Card>
      )}

      {step === questions.length && (
        <Card>
          <CardContent className="space-y-3 pt-5">
            <h2 ref={headingRef} tabIndex={-1} className="text-lg font-semibold focus:outline-none">
              End of the preview
            </h2>
            <p className="text-sm">
              A candidate would now see that their interview is complete and what happens next. Nothing was saved.
            </p>
            <Button variant="outline" onClick={() => setStep(-1)}>
              Start the preview again
            </Button>
          </CardContent>
        </Card>
      )}
    </div>
  );
}
