"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { CheckCircle2, Clock, Flag } from "lucide-react";
import Link from "next/link";
import * as React from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Alert, ErrorState, LoadingBlock, Progress } from "@/components/ui/feedback";
import { useToast } from "@/components/ui/toast";
import { ApiError, errorMessage } from "@/lib/api";
import { choiceResponse, firstUnansweredIndex, mediaKind, orderedQuestions, retakesAllowed, textResponse } from "@/lib/interview";
import {
  completeInterview,
  invitationKeys,
  sendHeartbeat,
  startInvitation,
  submitResponse,
  useInvitationWithTemplate,
  type Invitation,
} from "@/lib/invitations";
import { clearSaved, recordingKey } from "@/lib/recorder";
import type { Question } from "@/lib/templates";
import { formatDate, formatSeconds } from "@/lib/utils";
import { ChoiceAnswer, TextAnswer } from "./answer-forms";
import { stopStream } from "./device-check";
import { MediaAnswer } from "./media-answer";

const HEARTBEAT_MS = 30_000;

/** The whole `/interview/[invitationId]` page: status screens around the question-by-question runner. */
export function InterviewPage({ invitationId }: { invitationId: string }) {
  const query = useInvitationWithTemplate(invitationId);
  const [finished, setFinished] = React.useState(false);

  if (finished) return <ThankYou invitation={query.data?.status === "completed" ? query.data : undefined} />;
  if (query.isPending) return <LoadingBlock rows={4} label="Loading your interview…" />;
  if (query.isError) {
    const error = query.error;
    const title =
      error instanceof ApiError && error.statusCode === 404
        ? "This interview does not exist"
        : error instanceof ApiError && error.statusCode === 403
          ? "This interview is not yours"
          : "Could not load the interview";
    return (
      <div className="space-y-4">
        <ErrorState error={error} title={title} onRetry={() => void query.refetch()} />
        <BackLink />
      </div>
    );
  }
  const invitation = query.data;
  // Past its expiry but not yet swept by the backend's job: it cannot be started any more.
  const pastExpiry = invitation.status === "pending" && Date.parse(invitation.expiresAt) < Date.now();
  switch (pastExpiry ? "expired" : invitation.status) {
    case "pending":
      return <PendingScreen invitation={invitation} />;
    case "in_progress":
      return <Runner invitation={invitation} onFinished={() => setFinished(true)} />;
    case "completed":
      return <ThankYou invitation={invitation} />;
    case "expired":
      return (
        <StatusCard title="This interview has expired">
          <p>
            The invitation expired on {formatDate(invitation.expiresAt, true)}. Contact {invitation.companyName} if you still want to take
            it.
          </p>
        </StatusCard>
      );
    case "cancelled":
      return (
        <StatusCard title="This invitation was withdrawn">
          <p>{invitation.companyName} withdrew this invitation before you started. Contact them if you think this is a mistake.</p>
        </StatusCard>
      );
    default:
      return <StatusCard title={`This interview is ${invitation.status}`} />;
  }
}

function BackLink() {
  return (
    <Button asChild variant="outline">
      <Link href="/candidate/dashboard">Back to my interviews</Link>
    </Button>
  );
}

function StatusCard({ title, children }: { title: string; children?: React.ReactNode }) {
  return (
    <Card>
      <CardHeader>
        <h1 className="text-2xl font-bold">{title}</h1>
      </CardHeader>
      <CardContent className="space-y-4 text-sm">
        {children}
        <BackLink />
      </CardContent>
    </Card>
  );
}

function ThankYou({ invitation }: { invitation?: Invitation }) {
  return (
    <Card>
      <CardHeader className="items-start">
        <CheckCircle2 className="h-10 w-10 text-emerald-600" aria-hidden />
        <h1 className="text-2xl font-bold">Interview complete</h1>
      </CardHeader>
      <CardContent className="space-y-4 text-sm">
        <p>
          Thank you{invitation ? ` for completing “${invitation.templateTitle ?? "the interview"}” for ${invitation.companyName}` : ""}. Your
          answers have been submitted and will be analysed; you can follow the results from your dashboard.
        </p>
        {invitation?.completedReason === "early_finish" && (
          <p className="text-muted-foreground">You finished early: unanswered questions were left unanswered and are not scored.</p>
        )}
        <div className="flex flex-wrap gap-2">
          <Button asChild>
            <Link href="/candidate/dashboard">Back to my interviews</Link>
          </Button>
          {invitation && (
            <Button asChild variant="outline">
              <Link href={`/candidate/results/${invitation.id}`}>View results</Link>
            </Button>
          )}
        </div>
      </CardContent>
    </Card>
  );
}

function PendingScreen({ invitation }: { invitation: Invitation }) {
  const client = useQueryClient();
  const toast = useToast();
  const questions = orderedQuestions(invitation.questions);
  const needsDevices = questions.some((q) => mediaKind(q.type) !== null);
  const start = useMutation({
    mutationFn: () => startInvitation(invitation.id),
    onSuccess: () => client.invalidateQueries({ queryKey: invitationKeys.withTemplate(invitation.id) }),
    onError: (e) => {
      toast({ title: "Could not start the interview", description: errorMessage(e), variant: "error" });
      void client.invalidateQueries({ queryKey: invitationKeys.withTemplate(invitation.id) });
    },
  });
  return (
    <Card>
      <CardHeader>
        <p className="text-sm text-muted-foreground">{invitation.companyName}</p>
        <h1 className="text-2xl font-bold">{invitation.templateTitle ?? "Interview"}</h1>
      </CardHeader>
      <CardContent className="space-y-4 text-sm">
        {invitation.templateDescription && <p className="whitespace-pre-line">{invitation.templateDescription}</p>}
        <ul className="list-disc space-y-1 pl-5">
          <li>
            {questions.length} question{questions.length === 1 ? "" : "s"}, answered one at a time. An answer cannot be changed once
            submitted{retakesAllowed(invitation) > 0 ? " (recordings may be retaken before you submit them)" : ""}.
          </li>
          {needsDevices && <li>Some questions are answered by recording: you will need a camera and/or microphone.</li>}
          {!invitation.allowPause && <li>Once started, keep going: an interview left idle for 30 minutes is closed automatically.</li>}
          <li>Available until {formatDate(invitation.expiresAt, true)}.</li>
        </ul>
        <div className="flex flex-wrap gap-2">
          <Button onClick={() => start.mutate()} disabled={start.isPending}>
            {start.isPending ? "Starting…" : "Start interview"}
          </Button>
          <BackLink />
        </div>
      </CardContent>
    </Card>
  );
}

function useElapsed(since: string | null | undefined): number {
  const [now, setNow] = React.useState(() => Date.now());
  React.useEffect(() => {
    const id = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(id);
  }, []);
  return since ? Math.max(0, (now - Date.parse(since)) / 1000) : 0;
}

function Runner({ invitation, onFinished }: { invitation: Invitation; onFinished: () => void }) {
  const client = useQueryClient();
  const questions = React.useMemo(() => orderedQuestions(invitation.questions), [invitation.questions]);
  const total = questions.length || invitation.progress.total;
  const [localAnswered, setLocalAnswered] = React.useState<string[]>([]);
  const answeredIds = React.useMemo(
    () => [...new Set([...invitation.responses.map((r) => r.questionId), ...localAnswered])],
    [invitation.responses, localAnswered],
  );
  const index = firstUnansweredIndex(
    questions,
    answeredIds.map((questionId) => ({ questionId })),
  );
  const question: Question | undefined = questions[index];
  const answered = Math.min(total, answeredIds.length);
  const retakes = retakesAllowed(invitation);
  const [stream, setStream] = React.useState<MediaStream | null>(null);
  const [busy, setBusy] = React.useState(false);
  const [submitting, setSubmitting] = React.useState(false);
  const [answerError, setAnswerError] = React.useState<string | null>(null);
  const [shownAt, setShownAt] = React.useState(() => Date.now());
  const [finishOpen, setFinishOpen] = React.useState(false);
  const [finishing, setFinishing] = React.useState(false);
  const [finishError, setFinishError] = React.useState<string | null>(null);
  const elapsed = useElapsed(invitation.startedAt);
  const headingRef = React.useRef<HTMLHeadingElement>(null);
  const remainingMedia = questions.slice(index).filter((q) => mediaKind(q.type) !== null);
  const wantVideo = remainingMedia.some((q) => q.type === "video");

  const refresh = React.useCallback(() => client.invalidateQueries({ queryKey: invitationKeys.withTemplate(invitation.id) }), [client, invitation.id]);

  // What was kept for answers the server already has (a reload right after acceptance) is dropped.
  React.useEffect(() => {
    for (const r of invitation.responses) void clearSaved(recordingKey(invitation.id, r.questionId));
  }, [invitation.id, invitation.responses]);

  // Heartbeat while the interview is open, so a non-pausable one is not closed as idle.
  React.useEffect(() => {
    const beat = () => void sendHeartbeat(invitation.id).catch(() => undefined);
    beat();
    const id = window.setInterval(beat, HEARTBEAT_MS);
    return () => window.clearInterval(id);
  }, [invitation.id]);

  // Leaving while recording or uploading loses work: the browser asks first.
  React.useEffect(() => {
    if (!busy && !submitting && !finishing) return;
    const handler = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = "";
    };
    window.addEventListener("beforeunload", handler);
    return () => window.removeEventListener("beforeunload", handler);
  }, [busy, submitting, finishing]);

  React.useEffect(() => () => stopStream(stream), [stream]);

  // A new question: reset its clock and move focus to it.
  const questionId = question?.id;
  React.useEffect(() => {
    setShownAt(Date.now());
    setAnswerError(null);
    if (questionId) headingRef.current?.focus();
  }, [questionId]);

  const finish = React.useCallback(
    async (reason: "manual" | "early_finish") => {
      setFinishing(true);
      setFinishError(null);
      try {
        await completeInterview(invitation.id, reason);
        stopStream(stream);
        onFinished();
        void client.invalidateQueries({ queryKey: invitationKeys.candidate });
        void refresh();
      } catch (e) {
        setFinishError(errorMessage(e));
        if (e instanceof ApiError && e.statusCode === 422) void refresh();
      } finally {
        setFinishing(false);
        setFinishOpen(false);
      }
    },
    [client, invitation.id, onFinished, refresh, stream],
  );

  const markAnswered = React.useCallback(
    (id: string) => {
      setLocalAnswered((all) => [...all, id]);
      void refresh();
    },
    [refresh],
  );

  // After the last answer the interview is completed straight away.
  const allAnswered = index >= questions.length && questions.length > 0;
  const autoFinished = React.useRef(false);
  React.useEffect(() => {
    if (allAnswered && !autoFinished.current) {
      autoFinished.current = true;
      void finish("manual");
    }
  }, [allAnswered, finish]);

  async function submitPlain(body: Parameters<typeof submitResponse>[1]) {
    setSubmitting(true);
    setAnswerError(null);
    try {
      await submitResponse(invitation.id, body);
      markAnswered(body.questionId);
    } catch (e) {
      if (e instanceof ApiError && e.code === "DUPLICATE_RESPONSE") markAnswered(body.questionId);
      else if (e instanceof ApiError && (e.statusCode === 410 || e.code === "INVALID_INVITATION_STATE")) void refresh();
      else setAnswerError(errorMessage(e));
    } finally {
      setSubmitting(false);
    }
  }

  const durationS = () => (Date.now() - shownAt) / 1000;
  const totalLimitMin = typeof invitation.templateSettings?.totalTimeLimit === "number" ? invitation.templateSettings.totalTimeLimit : null;
  const kind = question ? mediaKind(question.type) : null;
  const unanswered = total - answered;

  return (
    <div className="space-y-5">
      <header className="space-y-3">
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div>
            <p className="text-sm text-muted-foreground">{invitation.companyName}</p>
            <h1 className="text-xl font-bold sm:text-2xl">{invitation.templateTitle ?? "Interview"}</h1>
          </div>
          <div className="flex items-center gap-2">
            {invitation.showTimer && (
              <Badge variant="outline" className="gap-1 py-1 text-sm tabular-nums" aria-label={`Time elapsed ${formatSeconds(elapsed)}`}>
                <Clock className="h-3.5 w-3.5" aria-hidden />
                {formatSeconds(elapsed)}
                {totalLimitMin ? <span className="text-muted-foreground"> / {totalLimitMin} min</span> : null}
              </Badge>
            )}
            <Button variant="outline" size="sm" onClick={() => setFinishOpen(true)} disabled={busy || submitting || finishing}>
              <Flag aria-hidden /> Finish early
            </Button>
          </div>
        </div>
        <div className="space-y-1">
          <p className="text-sm font-medium" aria-live="polite">
            {answered}/{total} answered
          </p>
          <Progress value={total ? (answered / total) * 100 : 0} label="Interview progress" />
        </div>
      </header>

      {finishError && (
        <Alert variant="error" title="The interview could not be finished">
          <p>{finishError}</p>
          <Button size="sm" variant="outline" className="mt-2" onClick={() => void finish(allAnswered ? "manual" : "early_finish")}>
            Try again
          </Button>
        </Alert>
      )}

      {question ? (
        <Card>
          <CardHeader className="space-y-2">
            <p className="text-xs font-semibold uppercase tracking-wide text-muted-foreground">
              Question {index + 1} of {questions.length}
              {question.required ? "" : " · optional"}
            </p>
            <h2 ref={headingRef} tabIndex={-1} className="text-lg font-semibold leading-snug focus:outline-none">
              {question.text}
            </h2>
            {question.hints && <p className="text-sm text-muted-foreground">Hint: {question.hints}</p>}
            {!kind && question.timeLimit > 0 && (
              <p className="text-xs text-muted-foreground">Suggested time: about {formatSeconds(question.timeLimit)}.</p>
            )}
          </CardHeader>
          <CardContent>
            {kind ? (
              <MediaAnswer
                key={question.id}
                invitationId={invitation.id}
                question={question}
                index={index}
                kind={kind}
                stream={stream}
                wantVideo={wantVideo}
                onStream={setStream}
                retakes={retakes}
                onAnswered={() => markAnswered(question.id)}
                onBusyChange={setBusy}
                onGone={() => void refresh()}
              />
            ) : question.type === "multiple_choice" ? (
              <ChoiceAnswer
                key={question.id}
                question={question}
                busy={submitting}
                error={answerError}
                onSubmit={(optionId) => void submitPlain(choiceResponse(question, index, optionId, durationS()))}
              />
            ) : (
              <TextAnswer
                key={question.id}
                question={question}
                busy={submitting}
                error={answerError}
                onSubmit={(text) => void submitPlain(textResponse(question, index, text, durationS()))}
              />
            )}
          </CardContent>
        </Card>
      ) : (
        <LoadingBlock rows={2} label="Finishing your interview…" />
      )}

      <Dialog open={finishOpen} onOpenChange={setFinishOpen}>
        <DialogContent>
          <DialogHeader>
            <DialogTitle>Finish the interview now?</DialogTitle>
            <DialogDescription>
              {unanswered > 0
                ? `${unanswered} of ${total} question${total === 1 ? " is" : "s are"} still unanswered. Unanswered questions will be left unanswered and not scored.`
                : "Every question is answered."}{" "}
              You cannot come back to this interview afterwards.
            </DialogDescription>
          </DialogHeader>
          <DialogFooter>
            <Button variant="outline" onClick={() => setFinishOpen(false)}>
              Keep going
            </Button>
            <Button variant="destructive" disabled={finishing} onClick={() => void finish(unanswered > 0 ? "early_finish" : "manual")}>
              {finishing ? "Finishing…" : "Finish now"}
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </div>
  );
}
