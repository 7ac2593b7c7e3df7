"use client";

import Link from "next/link";
import * as React from "react";
import { Button } from "@/components/ui/button";
import { MessagePicker } from "@/components/hr/messages/message-picker";
import { HumanOnlyBadge } from "@/components/hr/review/consent-record";
import { EmptyState, ErrorState, LoadingBlock } from "@/components/ui/feedback";
import { Field, Input, NativeSelect } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";
import {
  REVIEW_PAGE_SIZE,
  STAGES,
  downloadReviewCsv,
  stageError,
  stageLabel,
  useChangeStage,
  useReviewList,
  type ReviewFilters,
  type ReviewListItem,
  type Stage,
} from "@/lib/reviews";
import type { MessageTemplate } from "@/lib/messages";
import { useActiveTemplates } from "@/lib/templates";
import { formatDate } from "@/lib/utils";

const SORTS = [
  { value: "completedAt:desc", label: "Newest first" },
  { value: "completedAt:asc", label: "Oldest first" },
  { value: "score:desc", label: "Highest score" },
  { value: "score:asc", label: "Lowest score" },
  { value: "name:asc", label: "Name A–Z" },
] as const;

const name = (item: ReviewListItem) => item.candidateName || item.candidateEmail || "Unnamed candidate";

/** The one review list: completed interviews of the company, filtered, sorted, moved between stages in bulk,
 * compared (2–4) and exported per template. A table on wide screens, cards on phones. */
export function ReviewList() {
  const [filters, setFilters] = React.useState<ReviewFilters>({ sort: "completedAt", order: "desc", page: 1, stage: "" });
  const [selected, setSelected] = React.useState<string[]>([]);
  const query = useReviewList(filters);
  const templates = useActiveTemplates();
  const update = (next: Partial<ReviewFilters>) => {
    setFilters((f) => ({ ...f, page: 1, ...next }));
    setSelected([]);
  };
  const toggle = (id: string) => setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id]));

  return (
    <section aria-label="Completed interviews" className="space-y-4">
      <form className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4" onSubmit={(e) => e.preventDefault()} aria-label="Filter and sort">
        <Field id="review-template" label="Interview">
          <NativeSelect id="review-template" value={filters.templateId ?? ""} onChange={(e) => update({ templateId: e.target.value || undefined })}>
            <option value="">All interviews</option>
            {(templates.data?.items ?? []).map((t) => (
              <option key={t.id} value={t.id}>
                {t.title}
              </option>
            ))}
          </NativeSelect>
        </Field>
        <Field id="review-stage" label="Stage">
          <NativeSelect id="review-stage" value={filters.stage ?? ""} onChange={(e) => update({ stage: e.target.value as Stage | "" })}>
            <option value="">All stages</option>
            {STAGES.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </NativeSelect>
        </Field>
        <Field id="review-min-score" label="Minimum score">
          <Input
            id="review-min-score"
            type="number"
            inputMode="numeric"
            min={0}
            max={100}
            value={filters.minScore ?? ""}
            onChange={(e) => {
              const value = e.target.value === "" ? undefined : Math.min(100, Math.max(0, Number(e.target.value)));
              update({ minScore: Number.isNaN(value) ? undefined : value });
            }}
          />
        </Field>
        <Field id="review-sort" label="Sort by">
          <NativeSelect
            id="review-sort"
            value={`${filters.sort}:${filters.order}`}
            onChange={(e) => {
              const [sort, order] = e.target.value.split(":") as [ReviewFilters["sort"], ReviewFilters["order"]];
              update({ sort, order });
            }}
          >
            {SORTS.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </NativeSelect>
        </Field>
      </form>

      <Toolbar selected={selected} onDone={() => setSelected([])} templateId={filters.templateId} />

      {query.isPending ? (
        <LoadingBlock label="Loading completed interviews" />
      ) : query.isError ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} title="Could not load completed interviews" />
      ) : query.data.items.length === 0 ? (
        <EmptyState title="No completed interviews match" description="Completed interviews appear here; change the filters to see more." />
      ) : (
        <>
          <Table items={query.data.items} selected={selected} toggle={toggle} />
          <ul className="space-y-3 md:hidden" aria-label="Completed interviews">
            {query.data.items.map((item) => (
              <li key={item.id} className="rounded-lg border p-3">
                <ItemCard item={item} checked={selected.includes(item.id)} toggle={toggle} />
              </li>
            ))}
          </ul>
          <nav aria-label="Pages" className="flex items-center justify-between gap-2 text-sm">
            <span className="text-muted-foreground">
              {query.data.total} completed · page {query.data.page} of {Math.max(1, query.data.totalPages)}
            </span>
            <span className="flex gap-2">
              <Button size="sm" variant="outline" disabled={filters.page <= 1} onClick={() => setFilters((f) => ({ ...f, page: f.page - 1 }))}>
                Previous page
              </Button>
              <Button
                size="sm"
                variant="outline"
                disabled={filters.page * REVIEW_PAGE_SIZE >= query.data.total}
                onClick={() => setFilters((f) => ({ ...f, page: f.page + 1 }))}
              >
                Next page
              </Button>
            </span>
          </nav>
        </>
      )}
    </section>
  );
}

function Toolbar({ selected, onDone, templateId }: { selected: string[]; onDone: () => void; templateId?: string }) {
  const toast = useToast();
  const change = useChangeStage();
  const [stage, setStage] = React.useState<Stage>("shortlisted");
  const [note, setNote] = React.useState("");
  // A saved message goes with a decision only (selected or rejected), filled in for each candidate by the service.
  const [message, setMessage] = React.useState<MessageTemplate | null>(null);
  const decision = stage === "selected" || stage === "rejected";
  const [exporting, setExporting] = React.useState(false);
  const compare = selected.length >= 2 && selected.length <= 4;
  const move = () =>
    change.mutate(
      { invitationIds: selected, stage, note: note.trim() || undefined, messageTemplateId: decision && message ? message.id : undefined },
      {
        onSuccess: (r) => {
          toast({ title: `${r.changed} moved to ${stageLabel(r.stage)}`, variant: "success" });
          setNote("");
          setMessage(null);
          onDone();
        },
        onError: (error) => toast({ title: stageError(error), variant: "error" }),
      },
    );
  return (
    <div className="flex flex-wrap items-end gap-3 rounded-lg border bg-muted/30 p-3" role="group" aria-label="Selected candidates">
      <p className="text-sm" aria-live="polite">
        {selected.length} selected
      </p>
      <Field id="bulk-stage" label="Move to">
        <NativeSelect id="bulk-stage" value={stage} onChange={(e) => setStage(e.target.value as Stage)}>
          {STAGES.filter((s) => s.value !== "new").map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </NativeSelect>
      </Field>
      {stage === "rejected" && (
        <Field id="bulk-note" label="Note for your team (required)">
          <Input id="bulk-note" value={note} maxLength={2000} onChange={(e) => setNote(e.target.value)} />
        </Field>
      )}
      {decision && (
        <div className="w-full max-w-xl space-y-1 sm:w-auto">
          <MessagePicker id="bulk-message" label="Message to the candidates" value={message?.id ?? ""} onPick={setMessage} />
          {message && (
            <p className="line-clamp-3 whitespace-pre-wrap text-xs text-muted-foreground">
              Each candidate gets: {message.body} <span className="italic">(placeholders are filled in for each of them)</span>
            </p>
          )}
        </div>
      )}
      <Button size="sm" disabled={selected.length === 0 || change.isPending || (stage === "rejected" && !note.trim())} onClick={move}>
        Move
      </Button>
      {compare ? (
        <Button asChild size="sm" variant="outline">
          <Link href={`/hr/review/compare?${selected.map((id) => `id=${encodeURIComponent(id)}`).join("&")}`}>Compare {selected.length}</Link>
        </Button>
      ) : (
        <Button size="sm" variant="outline" disabled title="Select 2 to 4 candidates to compare them">
          Compare
        </Button>
      )}
      <Button
        size="sm"
        variant="outline"
        disabled={!templateId || exporting}
        title={templateId ? undefined : "Choose an interview to export its candidates"}
        onClick={() => {
          if (!templateId) return;
          setExporting(true);
          downloadReviewCsv(templateId, "candidates.csv")
            .catch(() => toast({ title: "The export could not be downloaded. Try again.", variant: "error" }))
            .finally(() => setExporting(false));
        }}
      >
        Export CSV
      </Button>
    </div>
  );
}

function Table({ items, selected, toggle }: { items: ReviewListItem[]; selected: string[]; toggle: (id: string) => void }) {
  return (
    <div className="hidden overflow-x-auto rounded-lg border md:block">
      <table className="w-full text-sm">
        <caption className="sr-only">Completed interviews</caption>
        <thead className="bg-muted/50 text-left text-xs uppercase text-muted-foreground">
          <tr>
            <th scope="col" className="px-3 py-2">
              <span className="sr-only">Select</span>
            </th>
            <th scope="col" className="px-3 py-2">Candidate</th>
            <th scope="col" className="px-3 py-2">Interview</th>
            <th scope="col" className="px-3 py-2">Completed</th>
            <th scope="col" className="px-3 py-2">Score</th>
            <th scope="col" className="px-3 py-2">Team rating</th>
            <th scope="col" className="px-3 py-2">Stage</th>
            <th scope="col" className="px-3 py-2">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr key={item.id} className="border-t align-top">
              <td className="px-3 py-2">
                <input
                  type="checkbox"
                  className="h-4 w-4 accent-primary"
                  aria-label={`Select ${name(item)}`}
                  checked={selected.includes(item.id)}
                  onChange={() => toggle(item.id)}
                />
              </td>
              <td className="px-3 py-2">
                <div className="font-medium">{name(item)}</div>
                {item.candidateName && item.candidateEmail && <div className="text-xs text-muted-foreground">{item.candidateEmail}</div>}
              </td>
              <td className="px-3 py-2">{item.templateTitle}</td>
              <td className="px-3 py-2">{formatDate(item.completedAt)}</td>
              <td className="px-3 py-2 font-semibold tabular-nums">{item.score ?? "—"}</td>
              <td className="px-3 py-2 tabular-nums">{item.teamRating != null ? `${item.teamRating} / 5 (${item.reviews})` : "—"}</td>
              <td className="px-3 py-2">
                {stageLabel(item.stage)} <HumanOnlyBadge requested={item.humanReviewRequested} />
              </td>
              <td className="px-3 py-2 text-right">
                <Button asChild size="sm" variant="outline">
                  <Link href={`/hr/review/${item.id}`} aria-label={`Review ${name(item)} – ${item.templateTitle}`}>
                    Review
                  </Link>
                </Button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ItemCard({ item, checked, toggle }: { item: ReviewListItem; checked: boolean; toggle: (id: string) => void }) {
  return (
    <div className="space-y-2">
      <div className="flex items-start gap-3">
        <input
          type="checkbox"
          className="mt-1 h-5 w-5 accent-primary"
          aria-label={`Select ${name(item)}`}
          checked={checked}
          onChange={() => toggle(item.id)}
        />
        <div className="min-w-0 flex-1">
          <p className="font-medium break-words">{name(item)}</p>
          <p className="text-sm text-muted-foreground">{item.templateTitle}</p>
        </div>
        <span className="rounded-full border px-2 py-0.5 text-xs">{stageLabel(item.stage)}</span>
        <HumanOnlyBadge requested={item.humanReviewRequested} />
      </div>
      <dl className="grid grid-cols-3 gap-2 text-sm">
        <div>
          <dt className="text-xs text-muted-foreground">Score</dt>
          <dd className="font-semibold tabular-nums">{item.score ?? "—"}</dd>
        </div>
        <div>
          <dt className="text-xs text-muted-foreground">Team</dt>
          <dd className="tabular-nums">{item.teamRating != null ? `${item.teamRating} / 5` : "—"}</dd>
        </div>
        <div>
          <dt className="text-xs text-muted-foreground">Completed</dt>
          <dd>{formatDate(item.completedAt)}</dd>
        </div>
      </dl>
      <Button asChild size="sm" className="w-full">
        <Link href={`/hr/review/${item.id}`} aria-label={`Review ${name(item)} – ${item.templateTitle}`}>
          Review
        </Link>
      </Button>
    </div>
  );
}
