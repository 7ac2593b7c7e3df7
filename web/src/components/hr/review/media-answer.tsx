"use client";

import * as React from "react";
import { Alert, ErrorState, Spinner } from "@/components/ui/feedback";
import type { CriterionScore } from "@/lib/analysis";
import { errorMessage } from "@/lib/api";
import { usePlayback, usePoster, useTranscript } from "@/lib/media";
import { formatSeconds } from "@/lib/utils";
import { quotesOf, Transcript } from "./evidence";

export type PlayerHandle = { seek: (seconds: number) => void };

/** A <video>/<audio> element fed by the presigned stream URL; a new URL is fetched when it fails or expires. */
export const MediaPlayer = React.forwardRef<PlayerHandle, { mediaId: string; kind: "video" | "audio"; label: string }>(
  function MediaPlayer({ mediaId, kind, label }, ref) {
    const playback = usePlayback(mediaId);
    const poster = usePoster(mediaId, kind === "video");
    const element = React.useRef<HTMLVideoElement & HTMLAudioElement>(null);
    const resume = React.useRef<{ at: number; play: boolean } | null>(null);
    const position = React.useRef({ at: 0, playing: false });
    const errors = React.useRef(0);
    const [failed, setFailed] = React.useState(false);

    React.useImperativeHandle(ref, () => ({
      seek(seconds: number) {
        const el = element.current;
        if (!el) return;
        el.scrollIntoView({ block: "nearest", behavior: "smooth" });
        if (el.readyState >= 1 && !el.error) {
          el.currentTime = seconds;
          void el.play().catch(() => {});
        } else {
          resume.current = { at: seconds, play: true };
          if (el.error) void playback.refetch();
          else el.load();
        }
      },
    }));

    if (playback.isPending) return <Spinner label="Loading the recording…" />;
    if (playback.isError) return <ErrorState error={playback.error} title="The recording cannot be played" onRetry={() => void playback.refetch()} />;

    const common = {
      ref: element,
      src: playback.data.url,
      controls: true,
      preload: "metadata" as const,
      "aria-label": label,
      onTimeUpdate: () => {
        if (element.current) position.current.at = element.current.currentTime;
      },
      onPlay: () => {
        position.current.playing = true;
      },
      onPause: () => {
        position.current.playing = false;
      },
      onLoadedMetadata: () => {
        errors.current = 0;
        setFailed(false);
        const el = element.current;
        const r = resume.current;
        if (el && r) {
          resume.current = null;
          el.currentTime = r.at;
          if (r.play) void el.play().catch(() => {});
        }
      },
      onError: () => {
        // Most likely the presigned URL expired: fetch a new one (a few times) and carry on where it was.
        resume.current ??= { at: position.current.at, play: position.current.playing };
        if (errors.current < 3) {
          errors.current += 1;
          void playback.refetch();
        } else setFailed(true);
      },
    };
    return (
      <div className="space-y-2">
        {kind === "video" ? (
          <video {...common} poster={poster.data ?? undefined} playsInline className="aspect-video w-full max-w-2xl rounded-md bg-black" />
        ) : (
          <audio {...common} className="w-full max-w-2xl" />
        )}
        {failed && (
          <Alert variant="error" title="The recording failed to load">
            The browser could not play it even with a fresh link.{" "}
            <button type="button" className="underline" onClick={() => {
                errors.current = 0;
                setFailed(false);
                void playback.refetch();
              }}>
              Try again
            </button>
          </Alert>
        )}
      </div>
    );
  },
);

/** A recorded answer: player, transcript with evidence marks, and quote buttons that seek. */
export function MediaAnswer({
  mediaId,
  kind,
  criteria,
  label,
  player,
}: {
  mediaId: string;
  kind: "video" | "audio";
  criteria: CriterionScore[];
  label: string;
  player: React.RefObject<PlayerHandle | null>;
}) {
  const transcript = useTranscript(mediaId);
  const quotes = React.useMemo(() => quotesOf(criteria), [criteria]);
  const seek = (s: number) => player.current?.seek(s);
  return (
    <div className="space-y-3">
      <MediaPlayer ref={player} mediaId={mediaId} kind={kind} label={label} />
      <div>
        <h4 className="mb-1 text-sm font-semibold">Transcript</h4>
        {transcript.isPending ? (
          <Spinner label="Loading the transcript…" />
        ) : transcript.isError ? (
          <Alert variant="error">{errorMessage(transcript.error)}</Alert>
        ) : transcript.data.status === "completed" && transcript.data.segments.length > 0 ? (
          <div className="max-h-72 overflow-y-auto rounded-md border p-3">
            <Transcript segments={transcript.data.segments} quotes={quotes} onSeek={seek} />
          </div>
        ) : transcript.data.status === "completed" && transcript.data.text ? (
          <p className="whitespace-pre-wrap rounded-md border p-3 text-sm">{transcript.data.text}</p>
        ) : transcript.data.status === "pending" || transcript.data.status === "processing" ? (
          <Spinner label="Transcribing… this refreshes by itself" />
        ) : (
          <p className="text-sm text-muted-foreground">
            No transcript{transcript.data.reason ? `: ${transcript.data.reason}` : "."}
          </p>
        )}
      </div>
      {quotes.some((q) => q.startS != null) && (
        <div>
          <h4 className="mb-1 text-sm font-semibold">Jump to evidence</h4>
          <ul className="flex flex-wrap gap-2">
            {quotes
              .filter((q) => q.startS != null)
              .map((q) => (
                <li key={q.text}>
                  <button
                    type="button"
                    onClick={() => seek(q.startS!)}
                    className="rounded-md border bg-amber-50 px-2 py-1 text-left text-xs hover:bg-amber-100 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
                    aria-label={`${formatSeconds(q.startS!)} ${q.criterion}: play the evidence`}
                  >
                    <span className="font-mono">{formatSeconds(q.startS!)}</span> {q.criterion}
                  </button>
                </li>
              ))}
          </ul>
        </div>
      )}
    </div>
  );
}
