"use client";

import { ChevronLeft, ChevronRight, Copy } from "lucide-react";
import Link from "next/link";
import * as React from "react";
import { Button } from "@/components/ui/button";
import { ConsentRecordNote } from "@/components/hr/review/consent-record";
import { MentionNote } from "@/components/hr/review/mention-note";
import { ErrorState, LoadingBlock } from "@/components/ui/feedback";
import { Field, NativeSelect } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";
import {
  meanRating,
  mentionLabel,
  mentionedIds,
  mentionsInNote,
  shareUrl,
  stageError,
  stageLabel,
  useChangeStage,
  useCreateShareLink,
  useReviewBoard,
  useRevokeShareLink,
  useSaveReview,
  useShareLinks,
  useHiringTeam,
  type AiScores,
  type QuestionCriteria,
  type Review,
  type Stage,
} from "@/lib/reviews";
import { formatDate } from "@/lib/utils";

export type RatedQuestion = { id: string; order: number; text: string };

/** Previous / next completed interview of the same template. */
export function ReviewNavigation({ invitationId }: { invitationId: string }) {
  const board = useReviewBoard(invitationId);
  if (!board.data) return null;
  const { previousId, nextId } = board.data;
  return (
    <nav aria-label="Other candidates of this interview" className="flex flex-wrap gap-2">
      {previousId ? (
        <Button asChild size="sm" variant="outline">
          <Link href={`/hr/review/${previousId}`}>
            <ChevronLeft className="h-4 w-4" aria-hidden /> Previous candidate
          </Link>
        </Button>
      ) : null}
      {nextId ? (
        <Button asChild size="sm" variant="outline">
          <Link href={`/hr/review/${nextId}`}>
            Next candidate <ChevronRight className="h-4 w-4" aria-hidden />
          </Link>
        </Button>
      ) : null}
    </nav>
  );
}

/** The caller's ratings (1 to 5 per question) and private note, and the team's once the caller submitted. */
export function TeamReview({ invitationId, questions }: { invitationId: string; questions: RatedQuestion[] }) {
  const board = useReviewBoard(invitationId);
  if (board.isPending) return <LoadingBlock rows={2} label="Loading the team's review" />;
  if (board.isError) return <ErrorState error={board.error} onRetry={() => void board.refetch()} title="Could not load the team's review" />;
  return (
    <section aria-labelledby="team-review-heading" className="space-y-4">
      <ConsentRecordNote consent={board.data.consent} humanReviewRequested={board.data.humanReviewRequested} />
      <h2 id="team-review-heading" className="text-lg font-semibold">
        Your review
      </h2>
      <ReviewForm
        key={board.data.mine?.updatedAt ?? "new"}
        invitationId={invitationId}
        questions={questions}
        mine={board.data.mine}
        rubric={board.data.rubric ?? []}
        aiHidden={board.data.aiHidden ?? false}
      />
      <Teammates others={board.data.others} hidden={board.data.othersHidden} questions={questions} />
      {board.data.mine?.submittedAt && (
        <SideBySide questions={questions} rubric={board.data.rubric ?? []} mine={board.data.mine} others={board.data.others} ai={board.data.ai} />
      )}
    </section>
  );
}

function ReviewForm({
  invitationId,
  questions,
  mine,
  rubric,
  aiHidden,
}: {
  invitationId: string;
  questions: RatedQuestion[];
  mine?: Review;
  rubric: QuestionCriteria[];
  aiHidden: boolean;
}) {
  const toast = useToast();
  const save = useSaveReview(invitationId);
  const criteriaOf = new Map(rubric.map((r) => [r.questionId, r.criteria]));
  // A question with a rubric is rated per criterion; its whole-question rating is the service's weighted mean.
  const [ratings, setRatings] = React.useState<Record<string, number>>(
    Object.fromEntries(Object.entries(mine?.ratings ?? {}).filter(([q]) => !criteriaOf.has(q))),
  );
  const [criteriaRatings, setCriteriaRatings] = React.useState<Record<string, Record<string, number>>>(mine?.criteriaRatings ?? {});
  const [note, setNote] = React.useState(mine?.note ?? "");
  const { team } = useHiringTeam();
  // {user id: how the note names them}: the teammates picked from the suggestions, and those an earlier note named.
  const [picked, setPicked] = React.useState<Record<string, string>>({});
  const named = React.useMemo(() => ({ ...mentionsInNote(mine?.note ?? "", team), ...picked }), [mine?.note, team, picked]);
  const submitted = Boolean(mine?.submittedAt);
  const rated = Object.keys(ratings).length + Object.values(criteriaRatings).filter((c) => Object.keys(c).length > 0).length;
  const send = (submit: boolean) =>
    save.mutate(
      { ratings, criteriaRatings, note, mentions: mentionedIds(note, named), submit },
      {
        onSuccess: () => toast({ title: submit ? "Review submitted" : "Draft saved", variant: "success" }),
        onError: () => toast({ title: "Your review could not be saved. Try again.", variant: "error" }),
      },
    );
  return (
    <form
      className="space-y-4"
      onSubmit={(e) => {
        e.preventDefault();
        send(true);
      }}
    >
      {aiHidden && !submitted && (
        <p className="rounded-md border bg-muted/40 p-3 text-sm">
          Rate this interview first: the AI&apos;s assessment and your teammates&apos; ratings appear once you submit yours.
        </p>
      )}
      {questions.map((q) =>
        criteriaOf.has(q.id) ? (
          <fieldset key={q.id} className="space-y-3">
            <legend className="text-sm font-medium">
              Question {q.order}: {q.text}
            </legend>
            {(criteriaOf.get(q.id) ?? []).map((c) => (
              <RatingScale
                key={c.name}
                name={`rating-${q.id}-${c.name}`}
                legend={`${c.name} (weight ${c.weight})`}
                description={`Good: ${c.good} · Poor: ${c.poor}`}
                value={criteriaRatings[q.id]?.[c.name]}
                onChange={(value) => setCriteriaRatings((all) => ({ ...all, [q.id]: { ...all[q.id], [c.name]: value } }))}
              />
            ))}
          </fieldset>
        ) : (
        <fieldset key={q.id} className="space-y-2">
          <legend className="text-sm font-medium">
            Question {q.order}: {q.text}
          </legend>
          <div className="flex flex-wrap gap-2">
            {[1, 2, 3, 4, 5].map((value) => (
              <label key={value} className="flex min-w-11 cursor-pointer items-center gap-1 rounded-md border px-3 py-2 text-sm has-[:checked]:border-primary has-[:checked]:bg-primary/10">
                <input
                  type="radio"
                  name={`rating-${q.id}`}
                  value={value}
                  className="accent-primary"
                  checked={ratings[q.id] === value}
                  onChange={() => setRatings((r) => ({ ...r, [q.id]: value }))}
                />
                {value}
                <span className="sr-only"> of 5</span>
              </label>
            ))}
          </div>
        </fieldset>
        ),
      )}
      <Field id="review-note" label="Private note" hint="Only your team sees it, once they submitted their own review. Type @ to mention a teammate: they are told.">
        <MentionNote
          id="review-note"
          value={note}
          maxLength={5000}
          onChange={setNote}
          team={team}
          onPick={(m) => setPicked((all) => ({ ...all, [m.userId]: mentionLabel(m) }))}
        />
      </Field>
      <div className="flex flex-wrap items-center gap-2">
        <Button type="button" variant="outline" disabled={save.isPending} onClick={() => send(false)}>
          Save draft
        </Button>
        <Button type="submit" disabled={save.isPending || rated === 0}>
          {submitted ? "Update review" : "Submit review"}
        </Button>
        {submitted && <span className="text-sm text-muted-foreground">Submitted {formatDate(mine?.submittedAt, true)}</span>}
      </div>
    </form>
  );
}

/** One 1-5 scale as radio buttons, with what it rates and its anchors. */
function RatingScale({
  name,
  legend,
  description,
  value,
  onChange,
}: {
  name: string;
  legend: string;
  description: string;
  value?: number;
  onChange: (value: number) => void;
}) {
  const id = React.useId();
  return (
    <fieldset className="space-y-1.5 pl-3" aria-describedby={`${id}-anchors`}>
      <legend className="text-sm">{legend}</legend>
      <p id={`${id}-anchors`} className="text-xs text-muted-foreground">
        {description}
      </p>
      <div className="flex flex-wrap gap-2">
        {[1, 2, 3, 4, 5].map((n) => (
          <label key={n} className="flex min-w-11 cursor-pointer items-center gap-1 rounded-md border px-3 py-2 text-sm has-[:checked]:border-primary has-[:checked]:bg-primary/10">
            <input type="radio" name={name} value={n} className="accent-primary" checked={value === n} onChange={() => onChange(n)} />
            {n}
            <span className="sr-only"> of 5</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/** After submitting: every reviewer's ratings and the AI's, per question and criterion, in one table. */
function SideBySide({
  questions,
  rubric,
  mine,
  others,
  ai,
}: {
  questions: RatedQuestion[];
  rubric: QuestionCriteria[];
  mine: Review;
  others: Review[];
  ai?: AiScores;
}) {
  const criteriaOf = new Map(rubric.map((r) => [r.questionId, r.criteria]));
  const reviewers = [{ label: "You", review: mine }, ...others.map((r, i) => ({ label: `Teammate ${i + 1}`, review: r }))];
  const rows = questions.flatMap((q) => {
    const criteria = criteriaOf.get(q.id);
    if (!criteria) return [{ key: q.id, label: `Q${q.order}`, rating: (r: Review) => r.ratings[q.id], ai: undefined as number | undefined }];
    return criteria.map((c) => ({
      key: `${q.id}-${c.name}`,
      label: `Q${q.order} · ${c.name}`,
      rating: (r: Review) => r.criteriaRatings?.[q.id]?.[c.name],
      ai: ai?.criteria?.[c.name],
    }));
  });
  return (
    <div className="space-y-2">
      <h3 className="font-semibold">Side by side</h3>
      <p className="text-sm text-muted-foreground">
        Ratings are 1 to 5. The AI column is its mean score (0 to 100) for that criterion over the interview
        {ai?.score != null ? `; its overall score is ${ai.score}/100` : ""}.
      </p>
      <div role="region" aria-label="Ratings side by side" tabIndex={0} className="overflow-x-auto">
        <table className="w-full min-w-max text-sm">
          <thead>
            <tr className="border-b text-left text-muted-foreground">
              <th scope="col" className="py-2 pr-4 font-medium">
                Rated on
              </th>
              {reviewers.map((r) => (
                <th key={r.label} scope="col" className="py-2 pr-4 font-medium">
                  {r.label}
                </th>
              ))}
              <th scope="col" className="py-2 font-medium">
                AI
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.key} className="border-b">
                <th scope="row" className="py-2 pr-4 text-left font-medium">
                  {row.label}
                </th>
                {reviewers.map((r) => (
                  <td key={r.label} className="py-2 pr-4 tabular-nums">
                    {row.rating(r.review) ?? "—"}
                  </td>
                ))}
                <td className="py-2 tabular-nums">{row.ai != null ? Math.round(row.ai) : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function Teammates({ others, hidden, questions }: { others: Review[]; hidden: number; questions: RatedQuestion[] }) {
  if (others.length === 0 && hidden === 0) return <p className="text-sm text-muted-foreground">No teammate has reviewed this interview yet.</p>;
  return (
    <div className="space-y-3">
      <h3 className="font-semibold">Team reviews</h3>
      {hidden > 0 && (
        <p className="text-sm text-muted-foreground">
          {hidden === 1 ? "1 teammate has" : `${hidden} teammates have`} reviewed. Submit your review to see theirs.
        </p>
      )}
      <ul className="space-y-2">
        {others.map((r, i) => (
          <li key={r.reviewerId} className="rounded-md border p-3 text-sm">
            <p className="font-medium">
              Teammate {i + 1} · {meanRating(r.ratings) ?? "—"} / 5
            </p>
            <p className="text-muted-foreground">
              {questions
                .filter((q) => r.ratings[q.id] != null)
                .map((q) => `Q${q.order}: ${r.ratings[q.id]}`)
                .join(" · ")}
            </p>
            {r.note && <p className="mt-1 whitespace-pre-wrap">{r.note}</p>}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Shortlist or move to the next round before the decision; the decision (selected / rejected) is below it. */
export function StageBar({ invitationId }: { invitationId: string }) {
  const toast = useToast();
  const board = useReviewBoard(invitationId);
  const change = useChangeStage();
  const stage = board.data?.stage;
  const final = stage === "selected" || stage === "rejected";
  const [next, setNext] = React.useState<Stage>("shortlisted");
  if (!stage) return null;
  return (
    <div className="flex flex-wrap items-end gap-3" role="group" aria-label="Stage">
      <p className="text-sm">
        Stage: <strong>{stageLabel(stage)}</strong>
      </p>
      {!final && (
        <>
          <Field id="stage-next" label="Move to">
            <NativeSelect id="stage-next" value={next} onChange={(e) => setNext(e.target.value as Stage)}>
              <option value="shortlisted">Shortlisted</option>
              <option value="next_round">Next round</option>
            </NativeSelect>
          </Field>
          <Button
            size="sm"
            variant="outline"
            disabled={change.isPending || next === stage}
            onClick={() =>
              change.mutate(
                { invitationIds: [invitationId], stage: next },
                {
                  onSuccess: () => toast({ title: `Moved to ${stageLabel(next)}`, variant: "success" }),
                  onError: (error) => toast({ title: stageError(error), variant: "error" }),
                },
              )
            }
          >
            Move
          </Button>
        </>
      )}
    </div>
  );
}

/** Read-only links for a hiring manager without an account: create (1 to 30 days), copy, revoke, see views. */
export function ShareLinks({ invitationId }: { invitationId: string }) {
  const toast = useToast();
  const links = useShareLinks(invitationId);
  const create = useCreateShareLink(invitationId);
  const revoke = useRevokeShareLink(invitationId);
  const [days, setDays] = React.useState(7);
  const [made, setMade] = React.useState<string | null>(null);
  return (
    <section aria-labelledby="share-heading" className="space-y-3">
      <h2 id="share-heading" className="text-lg font-semibold">
        Share with a hiring manager
      </h2>
      <p className="text-sm text-muted-foreground">Anyone with the link can read the answers (not your notes) until it expires or you withdraw it.</p>
      <div className="flex flex-wrap items-end gap-2">
        <Field id="share-days" label="Valid for">
          <NativeSelect id="share-days" value={days} onChange={(e) => setDays(Number(e.target.value))}>
            {[1, 3, 7, 14, 30].map((d) => (
              <option key={d} value={d}>
                {d === 1 ? "1 day" : `${d} days`}
              </option>
            ))}
          </NativeSelect>
        </Field>
        <Button
          size="sm"
          disabled={create.isPending}
          onClick={() =>
            create.mutate(days, {
              onSuccess: (r) => setMade(shareUrl(window.location.origin, r.token)),
              onError: () => toast({ title: "The link could not be created. Try again.", variant: "error" }),
            })
          }
        >
          Create link
        </Button>
      </div>
      {made && (
        <div className="flex flex-wrap items-center gap-2 rounded-md border bg-muted/30 p-2">
          <label htmlFor="share-url" className="sr-only">
            Share link
          </label>
          <input id="share-url" readOnly value={made} className="min-w-0 flex-1 bg-transparent text-sm" data-testid="share-url" />
          <Button
            size="sm"
            variant="outline"
            onClick={() => void navigator.clipboard?.writeText(made).then(() => toast({ title: "Link copied", variant: "success" }))}
          >
            <Copy className="h-4 w-4" aria-hidden /> Copy
          </Button>
        </div>
      )}
      {links.data && links.data.length > 0 && (
        <ul className="space-y-2 text-sm">
          {links.data.map((link) => {
            const active = !link.revokedAt && new Date(link.expiresAt) > new Date();
            return (
              <li key={link.id} className="flex flex-wrap items-center justify-between gap-2 rounded-md border p-2">
                <span>
                  Created {formatDate(link.createdAt, true)} ·{" "}
                  {link.revokedAt ? "withdrawn" : active ? `expires ${formatDate(link.expiresAt, true)}` : "expired"} · {link.views.length}{" "}
                  {link.views.length === 1 ? "view" : "views"}
                  {link.views[0] ? `, last ${formatDate(link.views[0].viewedAt, true)}` : ""}
                </span>
                {active && (
                  <Button size="sm" variant="outline" disabled={revoke.isPending} onClick={() => revoke.mutate(link.id)}>
                    Withdraw
                  </Button>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
