"use client";

import { Archive, Copy, Pencil, Plus, Search, Send } from "lucide-react";
import Link from "next/link";
import * as React from "react";
import { TemplateStatusBadge } from "@/components/templates/status-badge";
import { useArchiveConfirm, useTemplateActions } from "@/components/templates/template-actions";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState, ErrorState, LoadingBlock, PageHeader, Skeleton } from "@/components/ui/feedback";
import { Input, Label, NativeSelect } from "@/components/ui/input";
import { errorMessage } from "@/lib/api";
import { STATUSES, useTemplateCounts, useTemplateList, type TemplateListItem } from "@/lib/templates";
import { formatDate } from "@/lib/utils";

const STAT_ORDER = ["all", "active", "draft", "archived"] as const;
const STAT_LABELS = { all: "Total", active: "Active", draft: "Draft", archived: "Archived" } as const;

function Stats() {
  const counts = useTemplateCounts(STAT_ORDER);
  return (
    <section aria-label="Template counts" className="mb-6 grid grid-cols-2 gap-3 sm:grid-cols-4">
      {counts.map((c, i) => (
        <Card key={STAT_ORDER[i]} className="p-4">
          <p className="text-sm text-muted-foreground" id={`stat-${i}`}>
            {STAT_LABELS[STAT_ORDER[i]]}
          </p>
          {c.isPending ? (
            <Skeleton className="mt-1 h-8 w-12" />
          ) : c.isError ? (
            <p className="mt-1 text-sm text-destructive" title={errorMessage(c.error)}>
              Unavailable
            </p>
          ) : (
            <p className="mt-1 text-2xl font-bold" aria-describedby={`stat-${i}`} data-testid={`templates-count-${STAT_ORDER[i]}`}>
              {c.data}
            </p>
          )}
        </Card>
      ))}
    </section>
  );
}

/** Under HR's internal name, the job title candidates see (the link already shows the title when there is none). */
function JobTitle({ t }: { t: TemplateListItem }) {
  if (!t.internalName) return null;
  return <p className="text-xs">Job title: {t.title}</p>;
}

type Actions = ReturnType<typeof useTemplateActions>;

function RowActions({ t, actions, onArchive }: { t: TemplateListItem; actions: Actions; onArchive: () => void }) {
  const target = { id: t.id, title: t.title };
  const isDraft = t.status === "draft";
  const publishing = actions.publish.isPending && actions.publish.variables?.id === t.id;
  const duplicating = actions.duplicate.isPending && actions.duplicate.variables?.id === t.id;
  return (
    <div className="flex flex-wrap gap-1">
      {isDraft && (
        <Button asChild variant="ghost" size="sm">
          <Link href={`/hr/templates/${t.id}/edit`} aria-label={`Edit ${t.title}`}>
            <Pencil aria-hidden /> Edit
          </Link>
        </Button>
      )}
      {isDraft && (
        <Button
          variant="ghost"
          size="sm"
          onClick={() => actions.publish.mutate(target)}
          disabled={t.questionsCount < 1 || publishing}
          aria-label={`Publish ${t.title}`}
          title={t.questionsCount < 1 ? "Add at least one question to publish" : undefined}
        >
          <Send aria-hidden /> {publishing ? "Publishing…" : "Publish"}
        </Button>
      )}
      <Button variant="ghost" size="sm" onClick={() => actions.duplicate.mutate(target)} disabled={duplicating} aria-label={`Duplicate ${t.title}`}>
        <Copy aria-hidden /> {duplicating ? "Duplicating…" : "Duplicate"}
      </Button>
      {t.status !== "archived" && (
        <Button variant="ghost" size="sm" className="text-destructive" onClick={onArchive} aria-label={`Archive ${t.title}`}>
          <Archive aria-hidden /> Archive
        </Button>
      )}
    </div>
  );
}

export default function TemplatesPage() {
  const [status, setStatus] = React.useState<string>("all");
  const [search, setSearch] = React.useState("");
  const list = useTemplateList(status);
  const actions = useTemplateActions();
  const confirm = useArchiveConfirm(actions.archive);

  const loaded = React.useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const total = list.data?.pages[0]?.total ?? 0;
  const needle = search.trim().toLowerCase();
  const shown = needle ? loaded.filter((t) => `${t.internalName ?? ""} ${t.title} ${t.description}`.toLowerCase().includes(needle)) : loaded;

  return (
    <>
      <PageHeader
        title="Interview templates"
        description="The question sets candidates are interviewed with."
        actions={
          <Button asChild>
            <Link href="/hr/templates/create">
              <Plus aria-hidden /> Create template
            </Link>
          </Button>
        }
      />
      <Stats />

      <div className="mb-4 flex flex-col gap-3 sm:flex-row sm:items-end">
        <div className="flex-1 space-y-1.5">
          <Label htmlFor="template-search">Search templates</Label>
          <div className="relative">
            <Search className="pointer-events-none absolute left-3 top-1/2 h-4 w-4 -translate-y-1/2 text-muted-foreground" aria-hidden />
            <Input
              id="template-search"
              type="search"
              className="pl-9"
              placeholder="Internal name, title or description"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
            />
          </div>
        </div>
        <div className="space-y-1.5 sm:w-48">
          <Label htmlFor="template-status-filter">Status</Label>
          <NativeSelect id="template-status-filter" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="all">All statuses</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s[0].toUpperCase() + s.slice(1)}
              </option>
            ))}
          </NativeSelect>
        </div>
      </div>

      {list.isPending ? (
        <LoadingBlock label="Loading templates…" />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} title="Could not load templates" />
      ) : loaded.length === 0 ? (
        <EmptyState
          title={status === "all" ? "No templates yet" : `No ${status} templates`}
          description={status === "all" ? "Create a template with the questions candidates should answer." : "Choose another status to see the rest."}
          action={
            status === "all" ? (
              <Button asChild size="sm">
                <Link href="/hr/templates/create">Create template</Link>
              </Button>
            ) : undefined
          }
        />
      ) : shown.length === 0 ? (
        <EmptyState title="No template matches your search" description={`Nothing in ${loaded.length} loaded template(s) contains “${search.trim()}”.`} />
      ) : (
        <>
          <p className="mb-2 text-sm text-muted-foreground" role="status">
            {needle ? `${shown.length} of ${loaded.length} loaded` : `${loaded.length} of ${total}`} template{total === 1 ? "" : "s"}
          </p>
          {/* Wide screens: a table. */}
          <div className="hidden overflow-x-auto rounded-lg border md:block">
            <table className="w-full text-sm">
              <caption className="sr-only">Templates</caption>
              <thead className="bg-muted/50 text-left">
                <tr>
                  <th scope="col" className="px-4 py-3 font-medium">Title</th>
                  <th scope="col" className="px-4 py-3 font-medium">Status</th>
                  <th scope="col" className="px-4 py-3 font-medium">Questions</th>
                  <th scope="col" className="px-4 py-3 font-medium">Updated</th>
                  <th scope="col" className="px-4 py-3 font-medium">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {shown.map((t) => (
                  <tr key={t.id} className="border-t align-top">
                    <td className="max-w-xs px-4 py-3">
                      <Link href={`/hr/templates/${t.id}`} className="font-medium text-primary hover:underline">
                        {t.internalName || t.title}
                      </Link>
                      <JobTitle t={t} />
                      <p className="line-clamp-2 text-xs text-muted-foreground">{t.description}</p>
                    </td>
                    <td className="px-4 py-3">
                      <TemplateStatusBadge status={t.status} />
                    </td>
                    <td className="px-4 py-3">{t.questionsCount}</td>
                    <td className="whitespace-nowrap px-4 py-3">{formatDate(t.updatedAt)}</td>
                    <td className="px-4 py-3">
                      <RowActions t={t} actions={actions} onArchive={() => confirm.ask({ id: t.id, title: t.title })} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {/* Phones: cards. */}
          <ul className="space-y-3 md:hidden">
            {shown.map((t) => (
              <li key={t.id}>
                <Card className="space-y-2 p-4">
                  <div className="flex items-start justify-between gap-2">
                    <Link href={`/hr/templates/${t.id}`} className="min-w-0 break-words font-medium text-primary hover:underline">
                      {t.internalName || t.title}
                    </Link>
                    <TemplateStatusBadge status={t.status} />
                  </div>
                  <JobTitle t={t} />
                  <p className="line-clamp-2 text-xs text-muted-foreground">{t.description}</p>
                  <p className="text-xs text-muted-foreground">
                    {t.questionsCount} question{t.questionsCount === 1 ? "" : "s"} · updated {formatDate(t.updatedAt)}
                  </p>
                  <RowActions t={t} actions={actions} onArchive={() => confirm.ask({ id: t.id, title: t.title })} />
                </Card>
              </li>
            ))}
          </ul>
          {list.hasNextPage && (
            <div className="mt-4 flex flex-col items-center gap-2">
              {needle && <p className="text-xs text-muted-foreground">The search covers the templates loaded so far.</p>}
              <Button variant="outline" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
                {list.isFetchingNextPage ? "Loading…" : "Load more"}
              </Button>
            </div>
          )}
        </>
      )}
      {confirm.dialog}
    </>
  );
}
