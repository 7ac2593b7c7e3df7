"use client";

import { Camera, Mic } from "lucide-react";
import * as React from "react";
import { translate, useLoadedT, type T } from "@/lib/i18n";
import { cn } from "@/lib/utils";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/feedback";
import { Label, NativeSelect } from "@/components/ui/input";

/** A sentence the candidate can act on, for every way getUserMedia fails (in English unless `t` says otherwise). */
export function deviceErrorMessage(error: unknown, wantVideo: boolean, t: T = (text, vars) => translate("en", text, vars)): string {
  const name = error instanceof DOMException || error instanceof Error ? error.name : "";
  switch (name) {
    case "NotAllowedError":
    case "SecurityError":
      return t(
        wantVideo
          ? "Access to your camera and microphone was denied. Allow it in your browser's site settings (the icon at the left of the address bar), then check again."
          : "Access to your microphone was denied. Allow it in your browser's site settings (the icon at the left of the address bar), then check again.",
      );
    case "NotFoundError":
    case "OverconstrainedError":
      return t(
        wantVideo
          ? "No camera and microphone was found. Connect one (or choose another device) and check again."
          : "No microphone was found. Connect one (or choose another device) and check again.",
      );
    case "NotReadableError":
    case "AbortError":
      return t(
        wantVideo
          ? "Your camera and microphone could not be started: another application may be using it. Close it and check again."
          : "Your microphone could not be started: another application may be using it. Close it and check again.",
      );
    case "Unsupported":
      return t("This browser cannot record here. Use a recent Chrome, Edge, Firefox or Safari over a secure (https) connection.");
    default:
      // The browser's own reason, as it gave it (it has no translation here).
      return error instanceof Error && error.message
        ? t(wantVideo ? "Your camera and microphone could not be opened: {reason}" : "Your microphone could not be opened: {reason}", {
            reason: error.message,
          })
        : t(wantVideo ? "Your camera and microphone could not be opened." : "Your microphone could not be opened.");
  }
}

export async function openDevices(wantVideo: boolean, cameraId?: string, micId?: string): Promise<MediaStream> {
  if (typeof navigator === "undefined" || !navigator.mediaDevices?.getUserMedia || typeof MediaRecorder === "undefined") {
    const error = new Error("unsupported");
    error.name = "Unsupported";
    throw error;
  }
  return navigator.mediaDevices.getUserMedia({
    video: wantVideo ? { deviceId: cameraId ? { exact: cameraId } : undefined, width: { ideal: 640 }, height: { ideal: 480 } } : false,
    audio: { deviceId: micId ? { exact: micId } : undefined, echoCancellation: true, noiseSuppression: true },
  });
}

export function stopStream(stream: MediaStream | null | undefined): void {
  stream?.getTracks().forEach((t) => t.stop());
}

/** A live microphone level 0..1 (RMS of the signal), updated every animation frame. */
export function useMicLevel(stream: MediaStream | null): number {
  const [level, setLevel] = React.useState(0);
  React.useEffect(() => {
    if (!stream || stream.getAudioTracks().length === 0 || typeof AudioContext === "undefined") return;
    const context = new AudioContext();
    const source = context.createMediaStreamSource(new MediaStream(stream.getAudioTracks()));
    const analyser = context.createAnalyser();
    analyser.fftSize = 512;
    source.connect(analyser);
    const data = new Uint8Array(analyser.fftSize);
    let frame = 0;
    let last = 0;
    const tick = (t: number) => {
      if (t - last > 80) {
        last = t;
        analyser.getByteTimeDomainData(data);
        let sum = 0;
        for (const v of data) sum += ((v - 128) / 128) ** 2;
        setLevel(Math.min(1, Math.sqrt(sum / data.length) * 4));
      }
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => {
      cancelAnimationFrame(frame);
      source.disconnect();
      void context.close();
    };
  }, [stream]);
  return level;
}

export function MicMeter({ stream }: { stream: MediaStream | null }) {
  const level = useMicLevel(stream);
  const t = useLoadedT();
  const pct = Math.round(level * 100);
  return (
    <div className="flex items-center gap-2">
      <Mic className="h-4 w-4 text-muted-foreground" aria-hidden />
      <div role="meter" aria-label={t("Microphone level")} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} className="h-2 w-full overflow-hidden rounded-full bg-muted">
        <div className="h-full bg-emerald-500 transition-[width] duration-75" style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}

export function LivePreview({ stream, className }: { stream: MediaStream | null; className?: string }) {
  const ref = React.useRef<HTMLVideoElement>(null);
  const t = useLoadedT();
  React.useEffect(() => {
    if (ref.current) ref.current.srcObject = stream;
  }, [stream]);
  return (
    <video
      ref={ref}
      autoPlay
      muted
      playsInline
      aria-label={t("Live camera preview")}
      // Mirrored like a selfie camera (only the preview: the recording stays the right way round), and
      // upright on a phone held upright.
      className={cn(className ?? "aspect-video w-full rounded-lg bg-black object-cover", "-scale-x-100 max-sm:aspect-[3/4] max-sm:max-h-[60vh]")}
      data-mirrored="true"
    />
  );
}

/**
 * Before the first recorded answer: ask for the devices, show the picture and the sound level, let the
 * candidate pick another camera or microphone. `onReady` hands over the open stream.
 */
export function DeviceCheck({ wantVideo, onReady }: { wantVideo: boolean; onReady: (stream: MediaStream) => void }) {
  const [stream, setStream] = React.useState<MediaStream | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [busy, setBusy] = React.useState(false);
  const [cameras, setCameras] = React.useState<MediaDeviceInfo[]>([]);
  const [mics, setMics] = React.useState<MediaDeviceInfo[]>([]);
  const [cameraId, setCameraId] = React.useState("");
  const [micId, setMicId] = React.useState("");
  const handedOver = React.useRef(false);
  const streamRef = React.useRef<MediaStream | null>(null);
  const t = useLoadedT();

  React.useEffect(
    () => () => {
      if (!handedOver.current) stopStream(streamRef.current);
    },
    [],
  );

  async function check(nextCamera = cameraId, nextMic = micId) {
    setBusy(true);
    setError(null);
    try {
      const opened = await openDevices(wantVideo, nextCamera || undefined, nextMic || undefined);
      stopStream(streamRef.current);
      streamRef.current = opened;
      setStream(opened);
      const devices = await navigator.mediaDevices.enumerateDevices();
      setCameras(devices.filter((d) => d.kind === "videoinput"));
      setMics(devices.filter((d) => d.kind === "audioinput"));
      setCameraId(opened.getVideoTracks()[0]?.getSettings().deviceId ?? nextCamera);
      setMicId(opened.getAudioTracks()[0]?.getSettings().deviceId ?? nextMic);
    } catch (e) {
      setError(deviceErrorMessage(e, wantVideo, t));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="device-check-title" className="space-y-4">
      <div>
        <h3 id="device-check-title" className="text-base font-semibold">
          {t(wantVideo ? "Check your camera and microphone" : "Check your microphone")}
        </h3>
        <p className="text-sm text-muted-foreground">
          {t(
            wantVideo
              ? "This interview has recorded answers (video). Your browser will ask for permission; nothing is recorded until you press “Start recording”."
              : "This interview has recorded answers (audio only). Your browser will ask for permission; nothing is recorded until you press “Start recording”.",
          )}
        </p>
      </div>
      {error && (
        <Alert variant="error" title={t("Devices not available")}>
          {error}
        </Alert>
      )}
      {stream ? (
        <div className="space-y-3">
          {wantVideo && <LivePreview stream={stream} className="aspect-video w-full max-w-xl rounded-lg bg-black object-cover" />}
          <div className="max-w-xl space-y-1">
            <p className="text-sm">{t("Say something: the bar should move.")}</p>
            <MicMeter stream={stream} />
          </div>
          <div className="grid max-w-xl gap-3 sm:grid-cols-2">
            {wantVideo && (
              <div className="space-y-1.5">
                <Label htmlFor="camera-select">{t("Camera")}</Label>
                <NativeSelect
                  id="camera-select"
                  value={cameraId}
                  disabled={busy}
                  onChange={(e) => {
                    setCameraId(e.target.value);
                    void check(e.target.value, micId);
                  }}
                >
                  {cameras.map((d, i) => (
                    <option key={d.deviceId || i} value={d.deviceId}>
                      {d.label || t("Camera {n}", { n: i + 1 })}
                    </option>
                  ))}
                </NativeSelect>
              </div>
            )}
            <div className="space-y-1.5">
              <Label htmlFor="mic-select">{t("Microphone")}</Label>
              <NativeSelect
                id="mic-select"
                value={micId}
                disabled={busy}
                onChange={(e) => {
                  setMicId(e.target.value);
                  void check(cameraId, e.target.value);
                }}
              >
                {mics.map((d, i) => (
                  <option key={d.deviceId || i} value={d.deviceId}>
                    {d.label || t("Microphone {n}", { n: i + 1 })}
                  </option>
                ))}
              </NativeSelect>
            </div>
          </div>
          <Button
            onClick={() => {
              handedOver.current = true;
              onReady(stream);
            }}
          >
            {t("Continue")}
          </Button>
        </div>
      ) : (
        <Button onClick={() => void check()} disabled={busy}>
          {wantVideo ? <Camera aria-hidden /> : <Mic aria-hidden />}
          {t(busy ? "Checking…" : wantVideo ? "Check camera and microphone" : "Check microphone")}
        </Button>
      )}
    </section>
  );
}
