"use client";

import { CheckCircle2, Circle, Copy, Eye, Pencil, Scale, Send, Archive, UserPlus } from "lucide-react";
import Link from "next/link";
import { useParams } from "next/navigation";
import { RubricEditor } from "@/components/templates/rubric-editor";
import { QuestionTypeBadge, TemplateStatusBadge } from "@/components/templates/status-badge";
import { useArchiveConfirm, useTemplateActions } from "@/components/templates/template-actions";
import { ReviseButton, VersionHistory } from "@/components/templates/template-versions";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState, ErrorState, LoadingBlock } from "@/components/ui/feedback";
import { ApiError } from "@/lib/api";
import { useMe } from "@/lib/profile";
import { useTemplate, type TemplateSettings } from "@/lib/templates";
import { formatDate, formatSeconds } from "@/lib/utils";

function yesNo(v: unknown): string {
  return v === true ? "Yes" : v === false ? "No" : "—";
}

function SettingsList({ settings }: { settings: TemplateSettings }) {
  const rows: [string, string][] = [
    ["Total time limit", typeof settings.totalTimeLimit === "number" ? `${settings.totalTimeLimit} min` : "—"],
    ["Show timer", yesNo(settings.showTimer)],
    ["Allow pausing", yesNo(settings.allowPause)],
    ["Randomize question order", yesNo(settings.randomizeQuestions)],
    ["Reviewers rate before they see the AI", yesNo(settings.blindToAi ?? false)],
    ["Explain the outcome to candidates", yesNo(settings.candidateExplanations ?? false)],
    [
      "Retakes",
      settings.allowRetakes === true
        ? `Allowed (${typeof settings.maxRetakes === "number" ? settings.maxRetakes : 1} per question)`
        : yesNo(settings.allowRetakes) === "No"
          ? "Not allowed"
          : "—",
    ],
  ];
  return (
    <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-2">
      {rows.map(([k, v]) => (
        <div key={k} className="flex justify-between gap-4 border-b py-1.5 sm:block sm:border-0 sm:py-0">
          <dt className="text-muted-foreground">{k}</dt>
          <dd className="font-medium">{v}</dd>
        </div>
      ))}
    </dl>
  );
}

export default function TemplateDetailPage() {
  const { id } = useParams<{ id: string }>();
  const template = useTemplate(id);
  const { publish, archive, duplicate } = useTemplateActions();
  const confirm = useArchiveConfirm(archive);
  const me = useMe();

  if (template.isPending) return <LoadingBlock label="Loading template…" />;
  if (template.isError) {
    const notFound = template.error instanceof ApiError && [403, 404, 422].includes(template.error.statusCode);
    return (
      <div className="space-y-4">
        <ErrorState
          error={template.error}
          title={notFound ? "This template cannot be shown" : "Could not load the template"}
          onRetry={notFound ? undefined : () => void template.refetch()}
        />
        <Button asChild variant="outline">
          <Link href="/hr/templates">Back to templates</Link>
        </Button>
      </div>
    );
  }

  const t = template.data;
  const isDraft = t.status === "draft";
  const canPublish = isDraft && t.questions.length > 0;
  const target = { id: t.id, title: t.title };
  const questions = [...t.questions].sort((a, b) => a.order - b.order);

  return (
    <div className="space-y-6">
      <nav aria-label="Breadcrumb" className="text-sm text-muted-foreground">
        <Link href="/hr/templates" className="hover:underline">
          Templates
        </Link>{" "}
        / <span aria-current="page">{t.internalName || t.title}</span>
      </nav>
      <div className="flex flex-col gap-4 lg:flex-row lg:items-start lg:justify-between">
        <div className="min-w-0 space-y-2">
          <div className="flex flex-wrap items-center gap-3">
            <h1 className="break-words text-2xl font-bold tracking-tight">{t.title}</h1>
            <span className="sr-only">Status:</span>
            <TemplateStatusBadge status={t.status} data-testid="template-status" />
          </div>
          {t.internalName && (
            <p className="text-sm">
              <span className="text-muted-foreground">Internal name (only your team sees it):</span> {t.internalName}
            </p>
          )}
          {t.currentVersion != null && (
            <p className="text-sm text-muted-foreground">
              {isDraft ? `Draft of version ${t.currentVersion + 1}; invited candidates keep version ${t.currentVersion}` : `Version ${t.currentVersion}`}
            </p>
          )}
          <p className="whitespace-pre-line text-sm text-muted-foreground">{t.description}</p>
          <p className="text-xs text-muted-foreground">
            Created {formatDate(t.createdAt, true)} · Updated {formatDate(t.updatedAt, true)}
          </p>
        </div>
        <div className="flex flex-wrap gap-2">
          {t.status === "active" && (
            <Button asChild>
              <Link href={`/hr/invitations?invite=${encodeURIComponent(t.id)}`}>
                <UserPlus aria-hidden /> Invite candidates
              </Link>
            </Button>
          )}
          {isDraft && (
            <Button asChild variant="outline">
              <Link href={`/hr/templates/${t.id}/edit`}>
                <Pencil aria-hidden /> Edit
              </Link>
            </Button>
          )}
          {t.status === "active" && <ReviseButton templateId={t.id} />}
          {t.questions.length > 0 && (
            <Button asChild variant="outline">
              <Link href={`/hr/templates/${t.id}/preview`}>
                <Eye aria-hidden /> Preview as candidate
              </Link>
            </Button>
          )}
          {isDraft && (
            <Button
              onClick={() => publish.mutate(target)}
              disabled={!canPublish || publish.isPending}
              title={canPublish ? undefined : "Add at least one question to publish"}
            >
              <Send aria-hidden /> {publish.isPending ? "Publishing…" : "Publish"}
            </Button>
          )}
          {!isDraft && (
            <Button asChild variant="outline">
              <Link href={`/hr/templates/${t.id}/calibration`}>
                <Scale aria-hidden /> Reviewer calibration
              </Link>
            </Button>
          )}
          <Button variant="outline" onClick={() => duplicate.mutate(target)} disabled={duplicate.isPending}>
            <Copy aria-hidden /> {duplicate.isPending ? "Duplicating…" : "Duplicate"}
          </Button>
          {t.status !== "archived" && (
            <Button variant="outline" onClick={() => confirm.ask(target)} className="text-destructive">
              <Archive aria-hidden /> Archive
            </Button>
          )}
        </div>
      </div>
      {isDraft && !canPublish && (
        <p className="text-sm text-muted-foreground">This draft has no questions yet: edit it to add some before publishing.</p>
      )}
      {isDraft && canPublish && (
        <p className="text-sm text-muted-foreground">Publish this draft to invite candidates. Later changes become a new version; candidates already invited keep theirs.</p>
      )}

      <Card>
        <CardHeader>
          <CardTitle>Settings</CardTitle>
        </CardHeader>
        <CardContent>
          <SettingsList settings={t.settings ?? {}} />
        </CardContent>
      </Card>

      <RubricEditor templateId={t.id} editable={isDraft} />

      <VersionHistory templateId={t.id} currentUserId={me.data?.id} />

      <section aria-labelledby="questions-heading" className="space-y-3">
        <h2 id="questions-heading" className="text-lg font-semibold">
          Questions ({questions.length})
        </h2>
        {questions.length === 0 ? (
          <EmptyState
            title="No questions"
            description={isDraft ? "Add questions by editing the draft." : "This template has no questions."}
            action={
              isDraft ? (
                <Button asChild size="sm">
                  <Link href={`/hr/templates/${t.id}/edit`}>Edit draft</Link>
                </Button>
              ) : undefined
            }
          />
        ) : (
          <ol className="space-y-3">
            {questions.map((q, i) => (
              <li key={q.id}>
                <Card className="p-4">
                  <div className="flex flex-wrap items-center gap-2">
                    <h3 className="font-semibold">Question {i + 1}</h3>
                    <QuestionTypeBadge type={q.type} />
                    <Badge variant="secondary">{formatSeconds(q.timeLimit)} to answer</Badge>
                    <Badge variant={q.required ? "default" : "outline"}>{q.required ? "Required" : "Optional"}</Badge>
                  </div>
                  <p className="mt-2 whitespace-pre-line">{q.text}</p>
                  {q.hints && <p className="mt-1 text-sm text-muted-foreground">Hint: {q.hints}</p>}
                  {q.options && q.options.length > 0 && (
                    <ul className="mt-3 space-y-1.5" aria-label={`Options of question ${i + 1}`}>
                      {q.options.map((o) => (
                        <li
                          key={o.id}
                          className={
                            o.isCorrect
                              ? "flex items-start gap-2 rounded-md border border-emerald-300 bg-emerald-50 px-3 py-1.5 text-sm text-emerald-950"
                              : "flex items-start gap-2 rounded-md border px-3 py-1.5 text-sm"
                          }
                        >
                          {o.isCorrect ? (
                            <CheckCircle2 className="mt-0.5 h-4 w-4 shrink-0 text-emerald-700" aria-hidden />
                          ) : (
                            <Circle className="mt-0.5 h-4 w-4 shrink-0 text-muted-foreground" aria-hidden />
                          )}
                          <span>{o.text}</span>
                          {o.isCorrect && <span className="ml-auto text-xs font-semibold">Correct</span>}
                        </li>
                      ))}
                    </ul>
                  )}
                </Card>
              </li>
            ))}
          </ol>
        )}
      </section>
      {confirm.dialog}
    </div>
  );
}
