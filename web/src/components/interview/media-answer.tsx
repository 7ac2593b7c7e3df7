"use client";

import { Circle, RotateCcw, Square, Upload } from "lucide-react";
import * as React from "react";
import { Button } from "@/components/ui/button";
import { Alert, Progress, Spinner } from "@/components/ui/feedback";
import { ApiError, errorMessage } from "@/lib/api";
import { useLoadedT, type T } from "@/lib/i18n";
import { canRetake, countdown, mediaResponse, msUntilLimit, secondsUntil, type MediaKind } from "@/lib/interview";
import { isTimeUp, submitResponse, type QuestionClock } from "@/lib/invitations";
import {
  clearSaved,
  extensionFor,
  loadRecording,
  loadUploadState,
  pickMimeType,
  recordingKey,
  saveRecording,
  saveUploadState,
  uploadContentType,
} from "@/lib/recorder";
import type { Question } from "@/lib/templates";
import { UploadRejected, browserTransport, uploadRecording, type UploadPhase } from "@/lib/upload";
import { cn, formatSeconds } from "@/lib/utils";
import { DeviceCheck, LivePreview, MicMeter } from "./device-check";
import { ThinkCountdown, useNow } from "./timers";

type Mode = "loading" | "ready" | "recording" | "recorded" | "uploading" | "failed";

type Recording = { blob: Blob; url: string; durationS: number };

const takesKey = (key: string) => `aivi-takes:${key}`;

function loadTakes(key: string): number {
  try {
    return Number(localStorage.getItem(takesKey(key)) ?? "0") || 0;
  } catch {
    return 0;
  }
}

function saveTakes(key: string, takes: number | null): void {
  try {
    if (takes === null) localStorage.removeItem(takesKey(key));
    else localStorage.setItem(takesKey(key), String(takes));
  } catch {
    // Not persisted: a reload forgets how many takes were used.
  }
}

function phaseLabel(phase: UploadPhase | "saving", t: T): string {
  switch (phase) {
    case "starting":
      return t("Preparing the upload…");
    case "uploading":
      return t("Uploading your answer…");
    case "confirming":
      return t("Finishing the upload…");
    case "processing":
      return t("Processing… (checking the recording)");
    case "ready":
    case "saving":
      return t("Saving your answer…");
  }
}

/**
 * Record, review and submit one video or audio answer. The recording is stored in IndexedDB as soon as it
 * stops and the upload's progress in localStorage, so after a reload the same answer offers "Resume upload".
 */
export function MediaAnswer({
  invitationId,
  question,
  index,
  kind,
  stream,
  wantVideo,
  onStream,
  retakes,
  onAnswered,
  onBusyChange,
  onGone,
  clock = null,
  onTimeUp,
}: {
  invitationId: string;
  question: Question;
  index: number;
  kind: MediaKind;
  /** The open camera/microphone; null until the device check (not needed to resume an upload). */
  stream: MediaStream | null;
  /** Whether the device check asks for the camera too (a later question may need it). */
  wantVideo: boolean;
  onStream: (stream: MediaStream) => void;
  retakes: number;
  onAnswered: () => void;
  onBusyChange: (busy: boolean) => void;
  /** The interview can no longer take answers (expired, completed): reload the page's data. */
  onGone: () => void;
  /** The question's clock on the server: think time, then the answer time; null while it is being opened. */
  clock?: QuestionClock | null;
  /** The server refused the answer as too late: the runner moves on. */
  onTimeUp?: () => void;
}) {
  const key = recordingKey(invitationId, question.id);
  const limit = question.timeLimit;
  const clockNow = useNow(500);
  const t = useLoadedT();
  const [thinkDone, setThinkDone] = React.useState(false);
  // Back after the think time ended (a reload): the answer time is running, but recording waits for the candidate.
  React.useEffect(() => {
    if (clock && Date.parse(clock.answerFrom) <= Date.now()) setThinkDone(true);
  }, [clock]);
  const [mode, setMode] = React.useState<Mode>("loading");
  const [recording, setRecording] = React.useState<Recording | null>(null);
  const [takes, setTakes] = React.useState(0);
  const [resumable, setResumable] = React.useState(false);
  const [phase, setPhase] = React.useState<UploadPhase | "saving">("starting");
  const [fraction, setFraction] = React.useState(0);
  const [error, setError] = React.useState<string | null>(null);
  const [rejected, setRejected] = React.useState(false);
  const [startedAt, setStartedAt] = React.useState(0);
  const [now, setNow] = React.useState(0);
  const recorderRef = React.useRef<MediaRecorder | null>(null);
  const stopTimer = React.useRef<number | undefined>(undefined);
  const abortRef = React.useRef<AbortController | null>(null);

  // A recording kept from before a reload comes back, ready to be (re)submitted.
  React.useEffect(() => {
    let cancelled = false;
    void loadRecording(key).then((saved) => {
      if (cancelled) return;
      setTakes(loadTakes(key) || (saved ? 1 : 0));
      if (saved) {
        setRecording({ blob: saved.blob, url: URL.createObjectURL(saved.blob), durationS: saved.durationS });
        setResumable(loadUploadState(key) !== null);
        setMode("recorded");
      } else {
        setMode("ready");
      }
    });
    return () => {
      cancelled = true;
    };
  }, [key]);

  React.useEffect(() => () => {
    if (recording) URL.revokeObjectURL(recording.url);
  }, [recording]);

  React.useEffect(() => {
    onBusyChange(mode === "recording" || mode === "uploading");
  }, [mode, onBusyChange]);
  // Accepting the answer moves the runner on and unmounts this while it still says "uploading": the runner must
  // not stay busy, or it never completes an interview whose last answer was a recording.
  React.useEffect(() => () => onBusyChange(false), [onBusyChange]);

  React.useEffect(
    () => () => {
      window.clearTimeout(stopTimer.current);
      abortRef.current?.abort();
      if (recorderRef.current?.state === "recording") recorderRef.current.stop();
    },
    [],
  );

  // The countdown ticks while recording.
  React.useEffect(() => {
    if (mode !== "recording") return;
    const id = window.setInterval(() => setNow(Date.now()), 250);
    return () => window.clearInterval(id);
  }, [mode]);

  function stop() {
    window.clearTimeout(stopTimer.current);
    if (recorderRef.current?.state === "recording") recorderRef.current.stop();
  }

  function start() {
    if (!stream) return;
    setError(null);
    setRejected(false);
    const previous = loadUploadState(key);
    if (previous && previous.phase === "uploading") void browserTransport().abort(previous.mediaId).catch(() => undefined);
    saveUploadState(key, null);
    setResumable(false);
    const mimeType = pickMimeType(kind);
    const source = kind === "audio" ? new MediaStream(stream.getAudioTracks()) : stream;
    let recorder: MediaRecorder;
    try {
      recorder = new MediaRecorder(source, mimeType ? { mimeType } : undefined);
    } catch (e) {
      setError(t("Recording cannot start in this browser: {reason}", { reason: errorMessage(e) }));
      return;
    }
    const chunks: Blob[] = [];
    const began = Date.now();
    recorder.ondataavailable = (e) => {
      if (e.data.size > 0) chunks.push(e.data);
    };
    recorder.onstop = () => {
      const blob = new Blob(chunks, { type: recorder.mimeType || mimeType });
      const durationS = Math.min(limit, (Date.now() - began) / 1000);
      if (blob.size === 0) {
        setError(t("Nothing was recorded. Check your camera and microphone, then record again."));
        setMode("ready");
        return;
      }
      setRecording({ blob, url: URL.createObjectURL(blob), durationS });
      setMode("recorded");
      void saveRecording(key, { blob, durationS, kind, savedAt: Date.now() }).catch(() => undefined);
    };
    recorder.start(1000);
    recorderRef.current = recorder;
    const nextTakes = takes + 1;
    setTakes(nextTakes);
    saveTakes(key, nextTakes);
    setStartedAt(began);
    setNow(began);
    setRecording(null);
    setMode("recording");
    // The answer time limit is enforced: the recording stops by itself when it is reached, or earlier when the
    // server's clock for this question (which began when it was shown) runs out first.
    const serverLeftS = clock ? secondsUntil(clock.answerBy, began) : limit;
    stopTimer.current = window.setTimeout(stop, msUntilLimit(Math.min(limit, Math.max(1, serverLeftS)), began, Date.now()));
  }

  async function submit() {
    if (!recording) return;
    setMode("uploading");
    setError(null);
    setRejected(false);
    setFraction(0);
    const controller = new AbortController();
    abortRef.current = controller;
    const contentType = uploadContentType(recording.blob.type, kind);
    try {
      const mediaId = await uploadRecording({
        blob: recording.blob,
        transport: browserTransport(),
        invitationId,
        questionId: question.id,
        fileName: `answer-${index + 1}.${extensionFor(contentType)}`,
        contentType,
        saved: loadUploadState(key),
        persist: (state) => saveUploadState(key, state),
        onPhase: setPhase,
        onProgress: setFraction,
        signal: controller.signal,
      });
      setPhase("saving");
      await submitResponse(invitationId, mediaResponse(question, index, kind, mediaId, recording.durationS));
      await clearSaved(key);
      saveTakes(key, null);
      onAnswered();
    } catch (e) {
      if (e instanceof DOMException && e.name === "AbortError") return;
      if (e instanceof UploadRejected) {
        // The stored recording is unusable: a new one is needed whatever the retake allowance.
        saveUploadState(key, null);
        setRejected(true);
        setResumable(false);
        // The uploader's own fallback reason has German; the media service's reasons stay as it wrote them.
        setError(t("The recording was not accepted: {reason}", { reason: t(e.reason) }));
      } else if (e instanceof ApiError && e.code === "DUPLICATE_RESPONSE") {
        // Accepted already (a submission whose reply was lost): nothing left to do for this question.
        await clearSaved(key);
        saveTakes(key, null);
        onAnswered();
        return;
      } else if (e instanceof ApiError && (e.statusCode === 410 || e.code === "INVALID_INVITATION_STATE")) {
        onGone();
        return;
      } else if (isTimeUp(e)) {
        await clearSaved(key);
        saveTakes(key, null);
        onTimeUp?.();
        return;
      } else {
        setResumable(loadUploadState(key) !== null);
        setError(errorMessage(e));
      }
      setMode("failed");
    }
  }

  const timer = countdown(limit, startedAt, now);
  const thinking = clock !== null && clock.thinkTime > 0 && !thinkDone && takes === 0;
  const mayRetake = rejected || canRetake(takes, retakes);

  return (
    <div className="space-y-4">
      <p className="text-sm text-muted-foreground">
        {kind === "video" ? t("Video answer") : t("Audio answer")} ·{" "}
        {t("up to {time} (the recording stops by itself at the limit)", { time: formatSeconds(limit) })} ·{" "}
        {retakes > 0 ? t(retakes === 1 ? "1 retake allowed" : "{n} retakes allowed", { n: retakes }) : t("one take, no retakes")}
      </p>

      {mode === "loading" && <Spinner label={t("Loading…")} />}

      {mode === "ready" && !stream && <DeviceCheck wantVideo={wantVideo || kind === "video"} onReady={onStream} />}

      {mode === "ready" && stream && thinking && clock && (
        <ThinkCountdown
          until={clock.answerFrom}
          now={clockNow}
          canStart={!!stream}
          onDone={() => {
            setThinkDone(true);
            start();
          }}
        />
      )}

      {(mode === "ready" || mode === "recording") && stream && !(mode === "ready" && thinking) && (
        <div className="space-y-3">
          {kind === "video" ? (
            <div className="relative max-w-xl">
              <LivePreview stream={stream} />
              {mode === "recording" && (
                <span className="absolute left-2 top-2 flex items-center gap-1 rounded bg-red-600 px-2 py-0.5 text-xs font-semibold text-white">
                  <Circle className="h-3 w-3 fill-current" aria-hidden /> {t("REC")}
                </span>
              )}
            </div>
          ) : (
            <div className="max-w-xl rounded-lg border p-4">
              <MicMeter stream={stream} />
            </div>
          )}
          {mode === "recording" && (
            <div className="max-w-xl space-y-1">
              <p className={cn("text-sm font-medium tabular-nums", timer.warning && "text-destructive")} aria-live="off">
                {t("Time left: {time}", { time: formatSeconds(timer.remaining) })}
              </p>
              <Progress value={timer.fraction * 100} label={t("Answer time used")} />
              {timer.warning && (
                <p role="status" className="text-xs text-destructive">
                  {t("Almost out of time: the recording stops at {time}.", { time: formatSeconds(limit) })}
                </p>
              )}
            </div>
          )}
          <div className="flex flex-wrap gap-2">
            {mode === "ready" ? (
              <Button onClick={start}>
                <Circle aria-hidden /> {t("Start recording")}
              </Button>
            ) : (
              <Button variant="destructive" onClick={stop}>
                <Square aria-hidden /> {t("Stop recording")}
              </Button>
            )}
          </div>
        </div>
      )}

      {(mode === "recorded" || mode === "uploading" || mode === "failed") && recording && (
        <div className="space-y-3">
          {kind === "video" ? (
            <video src={recording.url} controls playsInline aria-label={t("Your recorded answer")} className="aspect-video w-full max-w-xl rounded-lg bg-black" />
          ) : (
            <audio src={recording.url} controls aria-label={t("Your recorded answer")} className="w-full max-w-xl" />
          )}
          <p className="text-sm text-muted-foreground">
            {t("Recorded {duration} · {size} MB", {
              duration: formatSeconds(recording.durationS),
              size: (recording.blob.size / 1024 / 1024).toFixed(1),
            })}
          </p>

          {mode === "uploading" && (
            <div className="max-w-xl space-y-1" aria-live="polite">
              <p className="text-sm">{phaseLabel(phase, t)}</p>
              <Progress value={fraction * 100} label={t("Upload progress")} />
              <p className="text-xs text-muted-foreground">{t("Keep this page open until the answer is saved.")}</p>
            </div>
          )}

          {error && (
            <Alert variant="error" title={t(rejected ? "Recording rejected" : "Your answer was not saved yet")}>
              {error}
              {!rejected && <span className="block pt-1">{t("Your recording is kept on this device; you can try again.")}</span>}
            </Alert>
          )}

          {mode === "recorded" && resumable && !error && (
            <Alert variant="info" title={t("Upload interrupted")}>
              {t("This answer was being uploaded when the page closed. Resume to continue where it stopped.")}
            </Alert>
          )}

          {mode !== "uploading" && (
            <div className="flex flex-wrap gap-2">
              {!rejected && (
                <Button onClick={() => void submit()}>
                  <Upload aria-hidden /> {resumable || mode === "failed" ? t("Resume upload") : t("Submit answer")}
                </Button>
              )}
              {mayRetake && (
                <Button
                  variant="outline"
                  onClick={() => {
                    setRecording(null);
                    setError(null);
                    setMode("ready");
                  }}
                >
                  <RotateCcw aria-hidden /> {t(rejected ? "Record again" : "Retake")}
                </Button>
              )}
            </div>
          )}
          {mode === "recorded" && !mayRetake && retakes > 0 && (
            <p className="text-xs text-muted-foreground">{t("You have used every retake for this question.")}</p>
          )}
        </div>
      )}

      {mode === "ready" && error && (
        <Alert variant="error" title={t("Recording problem")}>
          {error}
        </Alert>
      )}
    </div>
  );
}
