"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { CheckCircle2, Flag } from "lucide-react";
import Link from "next/link";
import * as React from "react";
import { SelfIdentificationCard } from "@/components/fairness/self-identification-card";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Alert, ErrorState, LoadingBlock, Progress } from "@/components/ui/feedback";
import { useToast } from "@/components/ui/toast";
import { ApiError, errorMessage } from "@/lib/api";
import { useLoadedT } from "@/lib/i18n";
import { choiceResponse, firstUnansweredIndex, mediaKind, orderedQuestions, retakesAllowed, secondsUntil, textResponse } from "@/lib/interview";
import {
  completeInterview,
  invitationKeys,
  isTimeUp,
  openQuestion,
  sendHeartbeat,
  submitResponse,
  useInvitationWithTemplate,
  type Invitation,
} from "@/lib/invitations";
import { clearSaved, recordingKey } from "@/lib/recorder";
import type { Question } from "@/lib/templates";
import { formatDate } from "@/lib/utils";
import { ChoiceAnswer, TextAnswer } from "./answer-forms";
import { BriefingScreen, feedbackPromise } from "./briefing";
import { stopStream } from "./device-check";
import { MediaAnswer } from "./media-answer";
import { TimeLeft, useNow } from "./timers";

const HEARTBEAT_MS = 30_000;

/** The whole `/interview/[invitationId]` page: status screens around the question-by-question runner. */
export function InterviewPage({ invitationId }: { invitationId: string }) {
  const query = useInvitationWithTemplate(invitationId);
  const client = useQueryClient();
  const [finished, setFinished] = React.useState(false);
  // Opened by the briefing's device check and kept for the recorded answers.
  const [stream, setStream] = React.useState<MediaStream | null>(null);
  const t = useLoadedT();

  if (finished) return <ThankYou invitation={query.data?.status === "completed" ? query.data : undefined} />;
  if (query.isPending) return <LoadingBlock rows={4} label={t("Loading your interview…")} />;
  if (query.isError) {
    const error = query.error;
    const title = t(
      error instanceof ApiError && error.statusCode === 404
        ? "This interview does not exist"
        : error instanceof ApiError && error.statusCode === 403
          ? "This interview is not yours"
          : "Could not load the interview",
    );
    return (
      <div className="space-y-4">
        <ErrorState error={error} title={title} retryLabel={t("Try again")} onRetry={() => void query.refetch()} />
        <BackLink />
      </div>
    );
  }
  const invitation = query.data;
  // Past its expiry but not yet swept by the backend's job: it cannot be started any more.
  const pastExpiry = invitation.status === "pending" && Date.parse(invitation.expiresAt) < Date.now();
  switch (pastExpiry ? "expired" : invitation.status) {
    case "pending":
      return (
        <BriefingScreen
          invitationId={invitation.id}
          stream={stream}
          onStream={setStream}
          onStarted={() => void client.invalidateQueries({ queryKey: invitationKeys.withTemplate(invitation.id) })}
        />
      );
    case "in_progress":
      return <Runner invitation={invitation} stream={stream} onStream={setStream} onFinished={() => setFinished(true)} />;
    case "completed":
      return <ThankYou invitation={invitation} />;
    case "expired":
      return (
        <StatusCard title={t("This interview has expired")}>
          <p>
            {t("The invitation expired on {date}. Contact {company} if you still want to take it.", {
              date: formatDate(invitation.expiresAt, true),
              company: invitation.companyName,
            })}
          </p>
        </StatusCard>
      );
    case "cancelled":
      return (
        <StatusCard title={t("This invitation was withdrawn")}>
          <p>
            {t("{company} withdrew this invitation before you started. Contact them if you think this is a mistake.", {
              company: invitation.companyName,
            })}
          </p>
        </StatusCard>
      );
    default:
      return <StatusCard title={t("This interview cannot be taken any more")} />;
  }
}

/** The steps after completion, with the company's expected reply time (a template setting) when it gave one. */
export function WhatHappensNext({ invitation }: { invitation?: Invitation }) {
  const settings = invitation?.templateSettings;
  const reply = typeof settings?.expectedReplyTime === "string" && settings.expectedReplyTime.trim() ? settings.expectedReplyTime.trim() : null;
  const t = useLoadedT();
  const company = invitation?.companyName ?? t("The company");
  return (
    <section aria-labelledby="next-title" className="space-y-2 text-sm">
      <h2 id="next-title" className="text-base font-semibold">
        {t("What happens next")}
      </h2>
      <ol className="list-decimal space-y-1 pl-5">
        <li>{t("A person at {company} reviews your answers; AI assists them, but a person decides.", { company })}</li>
        <li>{reply ? t("{company} expects to reply {reply}.", { company, reply }) : t("{company} will get back to you.", { company })}</li>
        <li>{feedbackPromise({ companyName: company, candidateFeedback: settings?.candidateFeedback ?? "decision" }, t)}</li>
      </ol>
    </section>
  );
}

function BackLink() {
  const t = useLoadedT();
  return (
    <Button asChild variant="outline">
      <Link href="/candidate/dashboard">{t("Back to my interviews")}</Link>
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

/** After the last answer: what happens next, in the company's words where it gave them. */
export function ThankYou({ invitation }: { invitation?: Invitation }) {
  const t = useLoadedT();
  return (
    <div className="space-y-4">
      <Card>
        <CardHeader className="items-start">
          <CheckCircle2 className="h-10 w-10 text-emerald-600" aria-hidden />
          <h1 className="text-2xl font-bold">{t("Interview complete")}</h1>
        </CardHeader>
        <CardContent className="space-y-4 text-sm">
          <p>
            {invitation
              ? t("Thank you for completing “{title}” for {company}. Your answers have been sent.", {
                  title: invitation.templateTitle ?? t("the interview"),
                  company: invitation.companyName,
                })
              : t("Thank you. Your answers have been sent.")}
          </p>
          {invitation?.completedReason === "early_finish" && (
            <p className="text-muted-foreground">{t("You finished early: questions without an answer stay unanswered.")}</p>
          )}
          <WhatHappensNext invitation={invitation} />
          <div className="flex flex-wrap gap-2">
            <Button asChild>
              <Link href="/candidate/dashboard">{t("Back to my interviews")}</Link>
            </Button>
          </div>
        </CardContent>
      </Card>
      {/* Asked only now, apart from the interview and after it, so it cannot weigh on the answers. */}
      <SelfIdentificationCard />
    </div>
  );
}

function Runner({
  invitation,
  stream,
  onStream,
  onFinished,
}: {
  invitation: Invitation;
  stream: MediaStream | null;
  onStream: (stream: MediaStream) => void;
  onFinished: () => void;
}) {
  const client = useQueryClient();
  const toast = useToast();
  const t = useLoadedT();
  const questions = React.useMemo(() => orderedQuestions(invitation.questions), [invitation.questions]);
  const total = questions.length || invitation.progress.total;
  const [localAnswered, setLocalAnswered] = React.useState<string[]>([]);
  // Questions whose time ran out unanswered: passed over, left unanswered.
  const [timedOut, setTimedOut] = React.useState<string[]>([]);
  const answeredIds = React.useMemo(
    () => [...new Set([...invitation.responses.map((r) => r.questionId), ...localAnswered])],
    [invitation.responses, localAnswered],
  );
  const index = firstUnansweredIndex(
    questions,
    [...answeredIds, ...timedOut].map((questionId) => ({ questionId })),
  );
  const question: Question | undefined = questions[index];
  const answered = Math.min(total, answeredIds.length);
  const retakes = retakesAllowed(invitation);
  const [busy, setBusy] = React.useState(false);
  const [submitting, setSubmitting] = React.useState(false);
  const [answerError, setAnswerError] = React.useState<string | null>(null);
  const [shownAt, setShownAt] = React.useState(() => Date.now());
  const [finishOpen, setFinishOpen] = React.useState(false);
  const [finishing, setFinishing] = React.useState(false);
  const [finishError, setFinishError] = React.useState<string | null>(null);
  const now = useNow(500);
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

  // Showing a question starts its clock on the server (a reload gets the same clock back, not a new one).
  const questionId = question?.id;
  const clock = useQuery({
    queryKey: ["invitations", invitation.id, "clock", questionId],
    queryFn: () => openQuestion(invitation.id, questionId!),
    enabled: !!questionId,
    staleTime: Infinity,
    retry: false,
  });
  const [totalDeadline, setTotalDeadline] = React.useState<string | null>(null);
  React.useEffect(() => {
    if (clock.data?.totalDeadline) setTotalDeadline(clock.data.totalDeadline);
  }, [clock.data]);

  const passOver = React.useCallback(
    (id: string) => {
      setTimedOut((all) => (all.includes(id) ? all : [...all, id]));
      toast({ title: t("Time is up for that question"), description: t("It stays unanswered; here is the next one.") });
    },
    [toast, t],
  );
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

  // After the last question the interview is completed straight away (early when some ran out of time), and
  // when the whole interview's time is up.
  const allAnswered = index >= questions.length && questions.length > 0;
  const totalUp = totalDeadline !== null && secondsUntil(totalDeadline, now) === 0;
  const autoFinished = React.useRef(false);
  React.useEffect(() => {
    if ((allAnswered || totalUp) && !autoFinished.current && !busy) {
      autoFinished.current = true;
      void finish(allAnswered && timedOut.length === 0 ? "manual" : "early_finish");
    }
  }, [allAnswered, totalUp, busy, finish, timedOut.length]);

  // A written or multiple-choice answer's time ran out: the question is passed over (the server would refuse it).
  const clockData = clock.data;
  const plainTimeUp = !!question && mediaKind(question.type) === null && !!clockData && secondsUntil(clockData.answerBy, now) === 0;
  React.useEffect(() => {
    if (plainTimeUp && question && !submitting) passOver(question.id);
  }, [plainTimeUp, question, submitting, passOver]);
  // The server refused to open it: its time (or the interview's) is already up.
  React.useEffect(() => {
    if (clock.isError && isTimeUp(clock.error) && questionId) {
      if (clock.error instanceof ApiError && clock.error.code === "TOTAL_TIME_LIMIT_EXCEEDED") setTotalDeadline(new Date(0).toISOString());
      else passOver(questionId);
    }
  }, [clock.isError, clock.error, questionId, passOver]);

  async function submitPlain(body: Parameters<typeof submitResponse>[1]) {
    setSubmitting(true);
    setAnswerError(null);
    try {
      await submitResponse(invitation.id, body);
      markAnswered(body.questionId);
    } catch (e) {
      if (e instanceof ApiError && e.code === "DUPLICATE_RESPONSE") markAnswered(body.questionId);
      else if (isTimeUp(e)) passOver(body.questionId);
      else if (e instanceof ApiError && (e.statusCode === 410 || e.code === "INVALID_INVITATION_STATE")) void refresh();
      else setAnswerError(errorMessage(e));
    } finally {
      setSubmitting(false);
    }
  }

  const durationS = () => (Date.now() - shownAt) / 1000;
  const kind = question ? mediaKind(question.type) : null;
  const unanswered = total - answered;

  return (
    <div className="space-y-5">
      <header className="space-y-3">
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div>
            <p className="text-sm text-muted-foreground">{invitation.companyName}</p>
            <h1 className="text-xl font-bold sm:text-2xl">{invitation.templateTitle ?? t("Interview")}</h1>
          </div>
          <div className="flex items-center gap-2">
            {totalDeadline && invitation.showTimer && (
              <TimeLeft until={totalDeadline} now={now} label={t("Interview time left")} className="rounded-md border px-2 py-1" />
            )}
            <Button variant="outline" size="sm" onClick={() => setFinishOpen(true)} disabled={busy || submitting || finishing}>
              <Flag aria-hidden /> {t("Finish early")}
            </Button>
          </div>
        </div>
        <div className="space-y-1">
          <p className="text-sm font-medium" aria-live="polite">
            {t("{answered}/{total} answered", { answered, total })}
          </p>
          <Progress value={total ? (answered / total) * 100 : 0} label={t("Interview progress")} />
        </div>
      </header>

      {finishError && (
        <Alert variant="error" title={t("The interview could not be finished")}>
          <p>{finishError}</p>
          <Button size="sm" variant="outline" className="mt-2" onClick={() => void finish(allAnswered ? "manual" : "early_finish")}>
            {t("Try again")}
          </Button>
        </Alert>
      )}

      {question ? (
        <Card>
          <CardHeader className="space-y-2">
            <p className="text-xs font-semibold uppercase tracking-wide text-muted-foreground">
              {t("Question {n} of {total}", { n: index + 1, total: questions.length })}
              {question.required ? "" : ` · ${t("optional")}`}
            </p>
            <h2 ref={headingRef} tabIndex={-1} className="text-lg font-semibold leading-snug focus:outline-none">
              {question.text}
            </h2>
            {question.hints && <p className="text-sm text-muted-foreground">{t("Hint: {hint}", { hint: question.hints })}</p>}
            {!kind && clockData && <TimeLeft until={clockData.answerBy} now={now} />}
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
                onStream={onStream}
                clock={clock.data ?? null}
                onTimeUp={() => passOver(question.id)}
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
        <LoadingBlock rows={2} label={t("Finishing your interview…")} />
      )}

      <Dialog open={finishOpen} onOpenChange={setFinishOpen}>
        <DialogContent>
          <DialogHeader>
            <DialogTitle>{t("Finish the interview now?")}</DialogTitle>
            <DialogDescription>
              {unanswered > 0
                ? t("{unanswered} of {total} questions are still unanswered. Unanswered questions will be left unanswered and not scored.", {
                    unanswered,
                    total,
                  })
                : t("Every question is answered.")}{" "}
              {t("You cannot come back to this interview afterwards.")}
            </DialogDescription>
          </DialogHeader>
          <DialogFooter>
            <Button variant="outline" onClick={() => setFinishOpen(false)}>
              {t("Keep going")}
            </Button>
            <Button variant="destructive" disabled={finishing} onClick={() => void finish(unanswered > 0 ? "early_finish" : "manual")}>
              {t(finishing ? "Finishing…" : "Finish now")}
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </div>
  );
}
