"use client";

import * as React from "react";
import { DecisionBadge } from "@/components/hr/badges";
import { MessagePicker } from "@/components/hr/messages/message-picker";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Alert } from "@/components/ui/feedback";
import { Label, Textarea } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";
import { ApiError, errorMessage } from "@/lib/api";
import { useDecide, type Invitation } from "@/lib/invitations";
import { fillMessage } from "@/lib/messages";
import { useReviewBoard } from "@/lib/reviews";
import { formatDate } from "@/lib/utils";

export const NOTE_MAX = 2000;

/** Approve / Reject with a note (required to reject), or the decision once made. */
export function DecisionPanel({ invitation, analysisStatus }: { invitation: Invitation; analysisStatus: string | null | undefined }) {
  const [mode, setMode] = React.useState<"approve" | "reject" | null>(null);
  if (invitation.decision) {
    return (
      <section aria-labelledby="decision-heading" className="space-y-3">
        <h2 id="decision-heading" className="text-lg font-semibold">
          Decision
        </h2>
        <div className="flex flex-wrap items-center gap-2">
          <DecisionBadge decision={invitation.decision} />
          <span className="text-sm text-muted-foreground">{formatDate(invitation.decisionAt, true)}</span>
        </div>
        {invitation.decisionNote ? (
          <Alert variant={invitation.decision === "approved" ? "success" : "warning"} title="Note">
            <p className="whitespace-pre-wrap">{invitation.decisionNote}</p>
          </Alert>
        ) : (
          <p className="text-sm text-muted-foreground">No note was added.</p>
        )}
      </section>
    );
  }
  const completed = invitation.status === "completed";
  return (
    <section aria-labelledby="decision-heading" className="space-y-3">
      <h2 id="decision-heading" className="text-lg font-semibold">
        Decision
      </h2>
      {!completed && <p className="text-sm text-muted-foreground">You can decide once the candidate has completed the interview.</p>}
      <div className="flex flex-wrap gap-2">
        <Button disabled={!completed} onClick={() => setMode("approve")}>
          Approve
        </Button>
        <Button variant="destructive" disabled={!completed} onClick={() => setMode("reject")}>
          Reject
        </Button>
      </div>
      <Dialog open={mode !== null} onOpenChange={(open) => !open && setMode(null)}>
        <DialogContent>{mode && <DecisionForm invitation={invitation} mode={mode} analysisStatus={analysisStatus} onDone={() => setMode(null)} />}</DialogContent>
      </Dialog>
    </section>
  );
}

function DecisionForm({
  invitation,
  mode,
  analysisStatus,
  onDone,
}: {
  invitation: Invitation;
  mode: "approve" | "reject";
  analysisStatus: string | null | undefined;
  onDone: () => void;
}) {
  const decide = useDecide(invitation.id);
  const toast = useToast();
  const [note, setNote] = React.useState("");
  const [error, setError] = React.useState<string | null>(null);
  // The candidate's words: only where the template gives written feedback (unknown settings: offered, the API decides).
  const offersFeedback = (invitation.templateSettings?.candidateFeedback ?? "decision_and_feedback") === "decision_and_feedback";
  const [feedback, setFeedback] = React.useState("");
  const [feedbackError, setFeedbackError] = React.useState<string | null>(null);
  const [writing, setWriting] = React.useState(false);
  const [serverError, setServerError] = React.useState<string | null>(null);
  const approve = mode === "approve";

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setServerError(null);
    // A person decides and says why, for the audit trail: the API keeps approve's note optional for its clients.
    if (!note.trim())
      return setError(approve ? "Write why you approve: your team and the audit trail keep the reason." : "A rejection needs a note: tell the candidate why.");
    if (note.length > NOTE_MAX) return setError(`At most ${NOTE_MAX} characters.`);
    setError(null);
    if (feedback.length > NOTE_MAX) return setFeedbackError(`At most ${NOTE_MAX} characters.`);
    setFeedbackError(null);
    try {
      await decide.mutateAsync({ decision: mode, note, candidateFeedback: offersFeedback ? feedback : undefined });
      toast({ title: "Decision saved", description: "The candidate sees it on their dashboard.", variant: "success" });
      onDone();
    } catch (err) {
      const fields = err instanceof ApiError ? err.fieldErrors() : {};
      if (err instanceof ApiError && err.code === "FEEDBACK_NOT_OFFERED")
        setFeedbackError("This interview does not give candidates written feedback. Clear the message to the candidate.");
      else if (fields.candidateFeedback) setFeedbackError(`Keep the message to the candidate to at most ${NOTE_MAX} characters.`);
      else if (fields.note) setError(fields.note);
      else setServerError(errorMessage(err));
    }
  };

  return (
    <form onSubmit={submit} noValidate className="space-y-4">
      <DialogHeader>
        <DialogTitle>{approve ? "Approve the candidate" : "Reject the candidate"}</DialogTitle>
        <DialogDescription>
          {approve
            ? "The candidate is told they were selected. Write why: the reason is kept for your team and the audit trail."
            : invitation.templateSettings?.candidateExplanations
              ? "The candidate is told they were not selected, with this note as the reason: this template explains outcomes to candidates. A note is required."
              : "The candidate is told they were not selected. A note is required."}
        </DialogDescription>
      </DialogHeader>
      {approve && analysisStatus !== "completed" && (
        <Alert variant="warning" title={analysisStatus === "failed" ? "The AI analysis failed" : "No finished AI analysis"}>
          You are approving without an AI assessment; make sure you have reviewed the answers yourself.
        </Alert>
      )}
      <div className="space-y-1.5">
        <Label htmlFor="decision-note">Decision note</Label>
        <Textarea
          id="decision-note"
          rows={5}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          maxLength={NOTE_MAX}
          required
          aria-invalid={error ? true : undefined}
          aria-describedby={`decision-note-count${error ? " decision-note-error" : ""}`}
        />
        <div className="flex justify-between gap-2 text-xs">
          {error ? (
            <p id="decision-note-error" role="alert" className="font-medium text-destructive">
              {error}
            </p>
          ) : (
            <span />
          )}
          <span id="decision-note-count" className="tabular-nums text-muted-foreground" aria-live="polite">
            {note.length}/{NOTE_MAX}
          </span>
        </div>
      </div>
      {offersFeedback &&
        (writing ? (
          <CandidateMessage invitation={invitation} value={feedback} onChange={setFeedback} error={feedbackError} />
        ) : (
          <Button type="button" variant="outline" size="sm" onClick={() => setWriting(true)}>
            Add a message to the candidate
          </Button>
        ))}
      {serverError && (
        <Alert variant="error" title="The decision was not saved">
          {serverError}
        </Alert>
      )}
      <DialogFooter>
        <Button variant="outline" onClick={onDone}>
          Cancel
        </Button>
        <Button type="submit" variant={approve ? "default" : "destructive"} disabled={decide.isPending}>
          {decide.isPending ? "Saving…" : approve ? "Confirm approval" : "Confirm rejection"}
        </Button>
      </DialogFooter>
    </form>
  );
}

/** The candidate's words with the decision: written here, or filled from a saved message as they will read it. */
function CandidateMessage({
  invitation,
  value,
  onChange,
  error,
}: {
  invitation: Invitation;
  value: string;
  onChange: (value: string) => void;
  error: string | null;
}) {
  // The candidate's name for the placeholder (the invitation itself carries only their account).
  const board = useReviewBoard(invitation.id);
  const [saved, setSaved] = React.useState("");
  return (
    <div className="space-y-2">
      <MessagePicker
        id="decision-message"
        label="Fill from a saved message"
        value={saved}
        onPick={(m) => {
          setSaved(m?.id ?? "");
          // Filled in here as the candidate will read it; the text below can still be changed.
          if (m)
            onChange(
              fillMessage(m.body, { candidateName: board.data?.candidateName, role: invitation.templateTitle ?? "the role", company: invitation.companyName }),
            );
        }}
      />
      <Label htmlFor="decision-feedback">Message to the candidate (optional)</Label>
      <Textarea
        id="decision-feedback"
        rows={5}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        maxLength={NOTE_MAX}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? "decision-feedback-error" : "decision-feedback-hint"}
      />
      {error ? (
        <p id="decision-feedback-error" role="alert" className="text-xs font-medium text-destructive">
          {error}
        </p>
      ) : (
        <p id="decision-feedback-hint" className="text-xs text-muted-foreground">
          The candidate reads it with the decision. The note above stays with your team.
        </p>
      )}
    </div>
  );
}
