"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { CheckCircle2, Circle, RotateCcw, Square } from "lucide-react";
import Link from "next/link";
import * as React from "react";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { Alert, ErrorState, LoadingBlock } from "@/components/ui/feedback";
import { ApiError, errorMessage } from "@/lib/api";
import { translate, useLoadedT, type T } from "@/lib/i18n";
import { countdown, describeDuration } from "@/lib/interview";
import { acceptNotice, openBriefing, startInvitation, type Briefing } from "@/lib/invitations";
import { pickMimeType } from "@/lib/recorder";
import { formatDate, formatSeconds } from "@/lib/utils";
import { DeviceCheck, LivePreview, MicMeter } from "./device-check";

const QUESTION_TYPE: Record<string, string> = { text: "Written answer", multiple_choice: "Multiple choice", video: "Video", audio: "Audio" };
const PRACTICE_SECONDS = 30;

/**
 * Everything before the clock: what the interview is, how it is timed and judged, the device check (only when
 * something is recorded) and an optional practice recording that never leaves the browser. Only its last
 * button starts the interview; opening it is recorded once by the server (the candidate "opened" the invitation).
 */
export function BriefingScreen({
  invitationId,
  stream,
  onStream,
  onStarted,
}: {
  invitationId: string;
  stream: MediaStream | null;
  onStream: (stream: MediaStream) => void;
  onStarted: () => void;
}) {
  const briefing = useQuery({
    queryKey: ["invitations", invitationId, "briefing"],
    queryFn: () => openBriefing(invitationId),
    staleTime: Infinity,
    retry: false,
  });
  // Null until the candidate touches the checkbox: a notice accepted earlier (a reload) stays accepted.
  const [agreed, setAgreed] = React.useState<boolean | null>(null);
  const [humanOnly, setHumanOnly] = React.useState<boolean | null>(null);
  const start = useMutation({
    mutationFn: async (b: Briefing) => {
      // The acceptance is sent each time: the candidate may have changed the human-only choice.
      await acceptNotice(invitationId, b.notice, humanOnly ?? b.consent?.humanReviewRequested ?? false);
      await startInvitation(invitationId);
    },
    onSuccess: onStarted,
    onError: (error) => {
      if (error instanceof ApiError && error.code === "NOTICE_OUTDATED") {
        setAgreed(false);
        void briefing.refetch();
      }
    },
  });
  const t = useLoadedT();

  if (briefing.isPending) return <LoadingBlock rows={4} label={t("Loading the briefing…")} />;
  if (briefing.isError)
    return <ErrorState error={briefing.error} title={t("Could not open this interview")} retryLabel={t("Try again")} onRetry={() => void briefing.refetch()} />;
  const b = briefing.data;
  const recorded = b.needsCamera || b.needsMicrophone;
  const devicesReady = !recorded || stream !== null;
  const accepted = agreed ?? Boolean(b.consent);

  return (
    <div className="space-y-5">
      <Card>
        <CardHeader>
          <p className="text-sm text-muted-foreground">{b.companyName}</p>
          <h1 className="text-2xl font-bold">{b.templateTitle}</h1>
          <p className="text-sm">{t("Before you start: nothing is timed until you press “Start interview” at the bottom of this page.")}</p>
        </CardHeader>
        <CardContent className="space-y-5 text-sm">
          {b.templateDescription && <p className="whitespace-pre-line">{b.templateDescription}</p>}
          <BriefingFacts briefing={b} />
        </CardContent>
      </Card>

      <ConsentNoticeCard
        briefing={b}
        accepted={accepted}
        onAccepted={setAgreed}
        humanOnly={humanOnly ?? b.consent?.humanReviewRequested ?? false}
        onHumanOnly={setHumanOnly}
      />

      {recorded && (
        <Card>
          <CardContent className="space-y-4 pt-5">
            {stream ? (
              <div className="space-y-3">
                <p className="flex items-center gap-2 font-medium">
                  <CheckCircle2 className="h-5 w-5 text-emerald-600" aria-hidden />
                  {t(b.needsCamera ? "Camera and microphone are ready." : "Microphone is ready.")}
                </p>
                <PracticeRecorder stream={stream} video={b.needsCamera} />
              </div>
            ) : (
              <DeviceCheck wantVideo={b.needsCamera} onReady={onStream} />
            )}
          </CardContent>
        </Card>
      )}

      {start.isError && (
        <Alert variant="error" title={t("The interview could not start")}>
          {start.error instanceof ApiError && start.error.code === "NOTICE_OUTDATED"
            ? t("The notice changed while this page was open. Please read it again and accept it.")
            : errorMessage(start.error)}
        </Alert>
      )}
      <div className="flex flex-wrap items-center gap-3">
        <Button onClick={() => start.mutate(b)} disabled={!devicesReady || !accepted || start.isPending}>
          {t(start.isPending ? "Starting…" : "Start interview")}
        </Button>
        {!devicesReady && <p className="text-sm text-muted-foreground">{t("Check your devices first.")}</p>}
        {devicesReady && !accepted && <p className="text-sm text-muted-foreground">{t("Accept the notice above to start.")}</p>}
        <Button asChild variant="outline">
          <Link href="/candidate/dashboard">{t("Not now")}</Link>
        </Button>
      </div>
    </div>
  );
}

/**
 * The AI-use notice: who is hiring, that answers are recorded and scored by AI (on which criteria), that a person
 * decides, how long the data is kept and how to ask for a human-only review or another process. It is rendered in
 * the candidate's language from the facts the server hashed (its English text is the same words); starting needs
 * it accepted, and the candidate may ask for a human-only review.
 */
export function ConsentNoticeCard({
  briefing: b,
  accepted,
  onAccepted,
  humanOnly,
  onHumanOnly,
}: {
  briefing: Briefing;
  accepted: boolean;
  onAccepted: (accepted: boolean) => void;
  humanOnly: boolean;
  onHumanOnly: (humanOnly: boolean) => void;
}) {
  const t = useLoadedT();
  const n = b.notice;
  const company = n.companyName;
  const days = n.retentionDays ?? b.retentionDays;
  const started = b.status !== "pending";
  return (
    <Card>
      <CardContent className="space-y-4 pt-5 text-sm">
        <section aria-labelledby="consent-notice" className="space-y-2">
          <h2 id="consent-notice" className="text-base font-semibold">
            {t("How your answers are used")}
          </h2>
          <p>{t("{company} is hiring for {role} and asks you to answer these questions.", { company, role: b.templateTitle })}</p>
          <p>
            {t("Your answers are recorded. An AI transcribes and scores them on these criteria: {criteria}.", {
              criteria: n.criteria.map((c) => t(c)).join(", "),
            })}
          </p>
          <p>{t("The AI does not decide. A person at {company} reviews your answers and makes the decision.", { company })}</p>
          <p>
            {days != null
              ? t("Your answers, recordings and their scores are kept for {days} days after the decision, then deleted.", { days })
              : t("Your answers, recordings and their scores are kept until {company} deletes them or you ask for them to be deleted from your privacy page.", { company })}
          </p>
          <p>
            {t("You may ask for a human-only review: people score your answers without seeing the AI's scores.")}{" "}
            {n.contactEmail ? (
              <>
                {t("To ask for another way of applying instead of this interview, write to")}{" "}
                <a className="underline" href={`mailto:${n.contactEmail}`}>
                  {n.contactEmail}
                </a>
                .
              </>
            ) : (
              t("To ask for another way of applying instead of this interview, reply to {company}'s invitation.", { company })
            )}
          </p>
          <p className="text-xs text-muted-foreground">{t("Notice version {version}", { version: n.version })}</p>
        </section>
        {started && b.consent ? (
          <p role="status">
            {t("You accepted this notice on {date}.", { date: formatDate(b.consent.acceptedAt, true) })}{" "}
            {b.consent.humanReviewRequested && t("You asked for a human-only review.")}
          </p>
        ) : (
          <div className="space-y-2">
            <label className="flex items-start gap-2">
              <input
                type="checkbox"
                className="mt-0.5 h-4 w-4"
                checked={accepted}
                onChange={(e) => onAccepted(e.target.checked)}
              />
              <span>{t("I have read this notice and agree to take the interview on these terms.")}</span>
            </label>
            <label className="flex items-start gap-2">
              <input
                type="checkbox"
                className="mt-0.5 h-4 w-4"
                checked={humanOnly}
                onChange={(e) => onHumanOnly(e.target.checked)}
              />
              <span>{t("I ask for a human-only review: people score my answers before they see the AI's scores.")}</span>
            </label>
          </div>
        )}
      </CardContent>
    </Card>
  );
}

export function BriefingFacts({ briefing: b }: { briefing: Briefing }) {
  const t = useLoadedT();
  const thinking = b.questions.some((q) => q.thinkTime > 0);
  const n = b.questions.length;
  return (
    <div className="space-y-4">
      <section aria-labelledby="briefing-time" className="space-y-2">
        <h2 id="briefing-time" className="text-base font-semibold">
          {t("Time")}
        </h2>
        <p>
          {t(n === 1 ? "1 question, about {duration} in all." : "{n} questions, about {duration} in all.", {
            n,
            duration: describeDuration(b.expectedDuration),
          })}{" "}
          {b.totalTimeLimit
            ? t("Once you start you have {minutes} minutes in total; the timer counts down from the start.", { minutes: b.totalTimeLimit })
            : t("There is no overall time limit, only each question's.")}
        </p>
        <ol className="list-decimal space-y-1 pl-5">
          {b.questions.map((q) => (
            <li key={q.order}>
              {t(QUESTION_TYPE[q.type] ?? "Answer")}: {t("{time} to answer", { time: formatSeconds(q.timeLimit) })}
              {q.thinkTime > 0 ? `, ${t("after {time} to think", { time: formatSeconds(q.thinkTime) })}` : ""}
            </li>
          ))}
        </ol>
        <p className="text-muted-foreground">
          {t(
            thinking
              ? "A timer counts down for each question (first the time to think, then the time to answer). An answer sent after its time is up is not accepted."
              : "A timer counts down for each question. An answer sent after its time is up is not accepted.",
          )}
        </p>
      </section>
      <section aria-labelledby="briefing-rules" className="space-y-2">
        <h2 id="briefing-rules" className="text-base font-semibold">
          {t("Pauses and retakes")}
        </h2>
        <ul className="list-disc space-y-1 pl-5">
          <li>
            {t(
              b.allowPause
                ? "You can pause between questions and come back later, before the invitation expires."
                : "Once started, keep going: an interview left idle for 30 minutes is closed.",
            )}
          </li>
          <li>
            {b.retakesAllowed > 0
              ? t(b.retakesAllowed === 1 ? "Each recorded answer can be retaken once; the last take counts." : "Each recorded answer can be retaken {n} times; the last take counts.", {
                  n: b.retakesAllowed,
                })
              : t("An answer cannot be changed once submitted.")}
          </li>
          <li>{t("Available until {date}.", { date: formatDate(b.expiresAt, true) })}</li>
        </ul>
      </section>
      <section aria-labelledby="briefing-judged" className="space-y-2">
        <h2 id="briefing-judged" className="text-base font-semibold">
          {t("What is recorded and who decides")}
        </h2>
        <ul className="list-disc space-y-1 pl-5">
          <li>
            {t(
              b.needsCamera
                ? "Your answers (video and sound for video questions) are saved and shared with {company}."
                : b.needsMicrophone
                  ? "Your answers (sound for audio questions) are saved and shared with {company}."
                  : "Your answers are saved and shared with {company}.",
              { company: b.companyName },
            )}
          </li>
          <li>
            {t("An AI scores the answers to help the reviewers; a person at {company} reads or watches them and makes the decision.", {
              company: b.companyName,
            })}
          </li>
          <li>{feedbackPromise(b, t)}</li>
        </ul>
      </section>
    </div>
  );
}

export function feedbackPromise(b: Pick<Briefing, "candidateFeedback" | "companyName">, t: T = (text, vars) => translate("en", text, vars)): string {
  switch (b.candidateFeedback) {
    case "none":
      return t("{company} contacts you directly about the outcome; it is not shown here.", { company: b.companyName });
    case "decision_and_feedback":
      return t("You will see their decision here, with a few words of feedback from them.");
    default:
      return t("You will see their decision here.");
  }
}

/**
 * A practice recording: made, played back and thrown away in the browser. It is never uploaded and never
 * an answer, so the candidate can try the camera and their voice without anything being timed or kept.
 */
export function PracticeRecorder({ stream, video }: { stream: MediaStream; video: boolean }) {
  const [mode, setMode] = React.useState<"idle" | "recording" | "done">("idle");
  const [url, setUrl] = React.useState<string | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [startedAt, setStartedAt] = React.useState(0);
  const [now, setNow] = React.useState(0);
  const recorder = React.useRef<MediaRecorder | null>(null);
  const timer = React.useRef<number | undefined>(undefined);
  const t = useLoadedT();

  React.useEffect(() => () => {
    window.clearTimeout(timer.current);
    if (recorder.current?.state === "recording") recorder.current.stop();
  }, []);
  React.useEffect(() => () => {
    if (url) URL.revokeObjectURL(url);
  }, [url]);
  React.useEffect(() => {
    if (mode !== "recording") return;
    const id = window.setInterval(() => setNow(Date.now()), 250);
    return () => window.clearInterval(id);
  }, [mode]);

  function stop() {
    window.clearTimeout(timer.current);
    if (recorder.current?.state === "recording") recorder.current.stop();
  }

  function record() {
    setError(null);
    const kind = video ? "video" : "audio";
    const mimeType = pickMimeType(kind);
    const source = video ? stream : new MediaStream(stream.getAudioTracks());
    let r: MediaRecorder;
    try {
      r = new MediaRecorder(source, mimeType ? { mimeType } : undefined);
    } catch (e) {
      setError(t("Recording cannot start in this browser: {reason}", { reason: errorMessage(e) }));
      return;
    }
    const chunks: Blob[] = [];
    r.ondataavailable = (e) => {
      if (e.data.size > 0) chunks.push(e.data);
    };
    r.onstop = () => {
      setUrl(URL.createObjectURL(new Blob(chunks, { type: r.mimeType || mimeType })));
      setMode("done");
    };
    r.start(500);
    recorder.current = r;
    const began = Date.now();
    setStartedAt(began);
    setNow(began);
    setUrl(null);
    setMode("recording");
    timer.current = window.setTimeout(stop, PRACTICE_SECONDS * 1000);
  }

  const left = countdown(PRACTICE_SECONDS, startedAt, now);
  return (
    <section aria-labelledby="practice-title" className="space-y-3">
      <div>
        <h2 id="practice-title" className="text-base font-semibold">
          {t("Practice (optional)")}
        </h2>
        <p className="text-sm text-muted-foreground">
          {t(
            "Record up to {seconds} seconds and play it back. The practice stays on this device: it is not sent, not scored and not part of your interview.",
            { seconds: PRACTICE_SECONDS },
          )}
        </p>
      </div>
      {video ? <LivePreview stream={stream} className="aspect-video w-full max-w-md rounded-lg bg-black object-cover" /> : <MicMeter stream={stream} />}
      {mode === "recording" && <p className="text-sm font-medium tabular-nums">{t("Time left: {time}", { time: formatSeconds(left.remaining) })}</p>}
      {error && (
        <Alert variant="error" title={t("Recording problem")}>
          {error}
        </Alert>
      )}
      {mode === "done" && url && (
        video ? (
          <video src={url} controls playsInline aria-label={t("Your practice recording")} className="aspect-video w-full max-w-md rounded-lg bg-black" />
        ) : (
          <audio src={url} controls aria-label={t("Your practice recording")} className="w-full max-w-md" />
        )
      )}
      <div className="flex flex-wrap gap-2">
        {mode === "recording" ? (
          <Button variant="destructive" onClick={stop}>
            <Square aria-hidden /> {t("Stop practice")}
          </Button>
        ) : (
          <Button variant="outline" onClick={record}>
            {mode === "done" ? <RotateCcw aria-hidden /> : <Circle aria-hidden />} {mode === "done" ? t("Practise again") : t("Record a practice answer")}
          </Button>
        )}
      </div>
    </section>
  );
}
