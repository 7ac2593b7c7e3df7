"use client";

import { Clock } from "lucide-react";
import * as React from "react";
import { Button } from "@/components/ui/button";
import { useLoadedT } from "@/lib/i18n";
import { secondsUntil } from "@/lib/interview";
import { cn, formatSeconds } from "@/lib/utils";

/** The current time, ticking every `intervalMs` while mounted. */
export function useNow(intervalMs = 250): number {
  const [now, setNow] = React.useState(() => Date.now());
  React.useEffect(() => {
    const id = window.setInterval(() => setNow(Date.now()), intervalMs);
    return () => window.clearInterval(id);
  }, [intervalMs]);
  return now;
}

/**
 * The one timer of the interview: "Time left", counting down to an instant the server keeps (a question's or
 * the whole interview's). The last ten seconds are shown in the warning colour and announced once.
 */
export function TimeLeft({ until, now, label: given, className }: { until: string; now: number; label?: string; className?: string }) {
  const t = useLoadedT();
  const label = given ?? t("Time left");
  const left = secondsUntil(until, now);
  const warning = left <= 10;
  return (
    <p className={cn("flex items-center gap-1 text-sm font-medium tabular-nums", warning && "text-destructive", className)}>
      <Clock className="h-3.5 w-3.5" aria-hidden />
      <span role="timer" aria-label={`${label}: ${formatSeconds(left)}`}>
        {label}: {formatSeconds(left)}
      </span>
      {left === 0 ? (
        <span role="status" className="sr-only">
          {t("Time is up")}
        </span>
      ) : warning ? (
        <span role="status" className="sr-only">
          {t("Ten seconds left")}
        </span>
      ) : null}
    </p>
  );
}

/**
 * Think time before a recorded answer: a visible countdown, after which recording starts by itself; the
 * candidate may start earlier.
 */
export function ThinkCountdown({ until, now, onDone, canStart }: { until: string; now: number; onDone: () => void; canStart: boolean }) {
  const t = useLoadedT();
  const left = secondsUntil(until, now);
  const done = React.useRef(false);
  React.useEffect(() => {
    if (left === 0 && !done.current) {
      done.current = true;
      onDone();
    }
  }, [left, onDone]);
  return (
    <section aria-labelledby="think-title" className="max-w-xl space-y-2 rounded-lg border p-4">
      <h3 id="think-title" className="text-base font-semibold">
        {t("Time to think")}
      </h3>
      <p className="text-3xl font-bold tabular-nums" role="timer" aria-label={t("Time to think left: {time}", { time: formatSeconds(left) })}>
        {formatSeconds(left)}
      </p>
      <p className="text-sm text-muted-foreground">{t("Recording starts by itself when this reaches 0:00.")}</p>
      <Button onClick={() => { done.current = true; onDone(); }} disabled={!canStart}>
        {t("Start recording now")}
      </Button>
    </section>
  );
}
