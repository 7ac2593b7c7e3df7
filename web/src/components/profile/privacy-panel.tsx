"use client";

import * as React from "react";
import { ErasureReportView } from "@/components/profile/erasure-report";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Alert } from "@/components/ui/feedback";
import { Field, Input } from "@/components/ui/input";
import { ApiError, errorMessage } from "@/lib/api";
import { downloadExport, requestErasure, type ErasureRequested } from "@/lib/privacy";

function exportProblem(error: unknown): string {
  if (error instanceof ApiError && error.code === "EXPORT_INCOMPLETE") {
    return "Part of your data could not be collected just now, so no file was made. Please try again in a few minutes.";
  }
  if (error instanceof ApiError && error.statusCode === 429) {
    return "You downloaded your data several times in the last hour. Please try again later.";
  }
  return errorMessage(error);
}

/** Download everything held about the candidate, as a file or a page to read and print. */
function DownloadData() {
  const [busy, setBusy] = React.useState<"json" | "html" | null>(null);
  const [problem, setProblem] = React.useState<string | null>(null);

  async function run(format: "json" | "html") {
    setBusy(format);
    setProblem(null);
    try {
      const blob = await downloadExport(format);
      const url = URL.createObjectURL(blob);
      if (format === "html") {
        window.open(url, "_blank", "noopener");
      } else {
        const link = document.createElement("a");
        link.href = url;
        link.download = "my-data.json";
        link.click();
      }
      // The page or file has its copy; the link to the blob is not needed after this turn.
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (error) {
      setProblem(exportProblem(error));
    } finally {
      setBusy(null);
    }
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle>Download your data</CardTitle>
        <CardDescription>
          Your profile, interviews, answers, transcripts, scores with the reasons behind them, decisions and feedback
          you may see, messages, and links to your recordings (the links work for a few minutes).
        </CardDescription>
      </CardHeader>
      <CardContent className="space-y-3">
        <div className="flex flex-col gap-2 sm:flex-row">
          <Button onClick={() => void run("json")} disabled={busy !== null}>
            {busy === "json" ? "Preparing your file…" : "Download as a file (JSON)"}
          </Button>
          <Button variant="outline" onClick={() => void run("html")} disabled={busy !== null}>
            {busy === "html" ? "Preparing the page…" : "Open as a readable page"}
          </Button>
        </div>
        {problem && (
          <Alert variant="error" title="Your data could not be downloaded">
            {problem}
          </Alert>
        )}
      </CardContent>
    </Card>
  );
}

/** Erase the account and everything about it, after a plain warning and typing the account's address. */
function EraseData({ email, onErased }: { email: string; onErased: (requested: ErasureRequested) => void }) {
  const [typed, setTyped] = React.useState("");
  const [fieldError, setFieldError] = React.useState<string | undefined>();
  const [problem, setProblem] = React.useState<string | null>(null);
  const [busy, setBusy] = React.useState(false);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setProblem(null);
    if (typed.trim().toLowerCase() !== email.trim().toLowerCase()) {
      setFieldError("Type the e-mail address of your account exactly as shown");
      return;
    }
    setFieldError(undefined);
    setBusy(true);
    try {
      onErased(await requestErasure(typed.trim()));
    } catch (error) {
      const fields = error instanceof ApiError ? error.fieldErrors() : {};
      if (fields.confirmEmail) setFieldError("Type the e-mail address of your account exactly as shown");
      else setProblem(errorMessage(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle>Erase your account and data</CardTitle>
        <CardDescription>This cannot be undone.</CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={(e) => void submit(e)} className="space-y-4" noValidate>
          <Alert variant="warning" title="Everything goes">
            Your account, every interview you were invited to with your answers and recordings, their transcripts
            and scores, and your messages are erased from every part of the platform. Companies you applied to can no
            longer see your interviews. Billing keeps only counts that do not name you. You will be signed out, and we
            e-mail you a report of what was erased once every part has confirmed it.
          </Alert>
          <Field id="confirm-email" label={`Type ${email} to confirm`} error={fieldError}>
            <Input
              id="confirm-email"
              type="email"
              autoComplete="off"
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
            />
          </Field>
          {problem && (
            <Alert variant="error" title="Your data was not erased">
              {problem}
            </Alert>
          )}
          <Button type="submit" variant="destructive" disabled={busy}>
            {busy ? "Erasing…" : "Erase my account and data"}
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}

/** The candidate's privacy page: download everything, or erase it and follow the report. */
export function PrivacyPanel({ email }: { email: string }) {
  const [erased, setErased] = React.useState<ErasureRequested | null>(null);
  if (erased) {
    const [path, query] = erased.reportPath.split("?");
    const token = new URLSearchParams(query).get("token") ?? "";
    return (
      <div className="space-y-4">
        <Alert variant="success" title="Your account is erased">
          You are signed out. Keep this link to see the report later:{" "}
          <a className="underline" href={erased.reportPath}>
            your erasure report
          </a>
          . We also e-mail it to you once every part of the platform has confirmed.
        </Alert>
        <ErasureReportView erasureId={path.split("/").pop() ?? erased.erasureId} token={token} />
      </div>
    );
  }
  return (
    <div className="max-w-2xl space-y-6">
      <DownloadData />
      <EraseData email={email} onErased={setErased} />
    </div>
  );
}
