"use client";

import { Plus, Trash2 } from "lucide-react";
import * as React from "react";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Alert, ErrorState, LoadingBlock } from "@/components/ui/feedback";
import { Field, Input, Textarea } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";
import { ApiError, errorMessage } from "@/lib/api";
import {
  RUBRIC_LIMITS,
  emptyCriterion,
  rubricErrors,
  useRubric,
  useSaveRubric,
  weightShares,
  type Criterion,
  type QuestionRubric,
} from "@/lib/rubrics";

/**
 * The scoring rubric of a template: its criteria (name, weight, what a good and a poor answer look like) and, per
 * question, criteria of its own that replace the template's. The AI scores and the reviewers rate these criteria.
 * Editable while the template is a draft; read-only otherwise.
 */
export function RubricEditor({ templateId, editable }: { templateId: string; editable: boolean }) {
  const rubric = useRubric(templateId);
  if (rubric.isPending) return <LoadingBlock rows={2} label="Loading the rubric" />;
  if (rubric.isError) return <ErrorState error={rubric.error} onRetry={() => void rubric.refetch()} title="Could not load the rubric" />;
  const { criteria, questions } = rubric.data;
  return (
    <Card>
      <CardHeader>
        <CardTitle id="rubric-heading">Scoring rubric</CardTitle>
      </CardHeader>
      <CardContent className="space-y-6">
        <p className="text-sm text-muted-foreground">
          The criteria every answer is scored and rated on, with how much each counts and what a good and a poor answer look like. Without a
          rubric, answers are scored on relevance, completeness, clarity and depth.
        </p>
        <CriteriaForm
          key={JSON.stringify(criteria ?? [])}
          templateId={templateId}
          idPrefix="rubric"
          title="Criteria for every question"
          saved={criteria ?? []}
          editable={editable}
          clearLabel="Remove the rubric"
        />
        {questions.length > 0 && (
          <div className="space-y-3">
            <h3 className="font-semibold">Per question</h3>
            <ul className="space-y-3">
              {questions.map((q) => (
                <li key={q.questionId}>
                  <QuestionCriteria templateId={templateId} question={q} editable={editable} />
                </li>
              ))}
            </ul>
          </div>
        )}
      </CardContent>
    </Card>
  );
}

function QuestionCriteria({ templateId, question, editable }: { templateId: string; question: QuestionRubric; editable: boolean }) {
  const own = question.own ?? [];
  return (
    <details className="rounded-md border p-3" open={own.length > 0 ? true : undefined}>
      <summary className="cursor-pointer text-sm font-medium">
        Question {question.order}: {question.text}
        <span className="ml-2 font-normal text-muted-foreground">
          {own.length === 1
            ? "its own criterion"
            : own.length > 1
              ? `its own ${own.length} criteria`
              : question.effective?.length
                ? "the template's criteria"
                : "the general criteria"}
        </span>
      </summary>
      <div className="mt-3">
        <CriteriaForm
          key={JSON.stringify(own)}
          templateId={templateId}
          questionId={question.questionId}
          idPrefix={`rubric-q${question.order}`}
          title={`Own criteria for question ${question.order}`}
          saved={own}
          editable={editable}
          clearLabel="Use the template's criteria"
        />
      </div>
    </details>
  );
}

function CriteriaForm({
  templateId,
  questionId,
  idPrefix,
  title,
  saved,
  editable,
  clearLabel,
}: {
  templateId: string;
  questionId?: string;
  idPrefix: string;
  title: string;
  saved: Criterion[];
  editable: boolean;
  clearLabel: string;
}) {
  const toast = useToast();
  const save = useSaveRubric(templateId);
  const [criteria, setCriteria] = React.useState<Criterion[]>(saved);
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const [failure, setFailure] = React.useState<string | null>(null);
  const shares = weightShares(criteria);

  const change = (index: number, patch: Partial<Criterion>) => setCriteria((all) => all.map((c, i) => (i === index ? { ...c, ...patch } : c)));
  const send = (next: Criterion[]) => {
    const found = rubricErrors(next);
    setErrors(found);
    setFailure(null);
    if (Object.keys(found).length > 0) return;
    save.mutate(
      { questionId, criteria: next },
      {
        onSuccess: () => toast({ title: next.length ? "Rubric saved" : "Rubric removed", variant: "success" }),
        onError: (error) => {
          if (error instanceof ApiError) setErrors(error.fieldErrors());
          setFailure(errorMessage(error));
        },
      },
    );
  };

  if (!editable) {
    return saved.length ? <CriteriaTable criteria={saved} title={title} /> : <p className="text-sm text-muted-foreground">No criteria of its own.</p>;
  }
  return (
    // A group, not a form: the editor sits inside the template wizard's own form.
    <div
      role="group"
      aria-label={title}
      className="space-y-4"
      onKeyDown={(e) => {
        // Enter in a field saves these criteria rather than submitting the surrounding wizard.
        if (e.key === "Enter" && e.target instanceof HTMLInputElement) {
          e.preventDefault();
          send(criteria);
        }
      }}
    >
      {failure && <Alert variant="error" title="The rubric was not saved">{failure}</Alert>}
      {errors.criteria && <p className="text-sm text-destructive">{errors.criteria}</p>}
      {criteria.length === 0 && <p className="text-sm text-muted-foreground">No criteria yet.</p>}
      {criteria.map((c, i) => {
        const id = `${idPrefix}-${i}`;
        return (
          <fieldset key={i} className="space-y-3 rounded-md border p-3">
            <legend className="px-1 text-sm font-medium">
              Criterion {i + 1}
              {shares[i] > 0 && <span className="font-normal text-muted-foreground"> · {shares[i]}% of the score</span>}
            </legend>
            <div className="grid gap-3 sm:grid-cols-[1fr_8rem]">
              <Field id={`${id}-name`} label="Name" error={errors[`criteria.${i}.name`]}>
                <Input id={`${id}-name`} value={c.name} maxLength={RUBRIC_LIMITS.name} onChange={(e) => change(i, { name: e.target.value })} />
              </Field>
              <Field id={`${id}-weight`} label="Weight" error={errors[`criteria.${i}.weight`]} hint="2 counts twice as much as 1">
                <Input
                  id={`${id}-weight`}
                  type="number"
                  inputMode="decimal"
                  min={0.1}
                  max={RUBRIC_LIMITS.weight}
                  step="any"
                  value={Number.isFinite(c.weight) ? c.weight : ""}
                  onChange={(e) => change(i, { weight: e.target.valueAsNumber })}
                />
              </Field>
            </div>
            <div className="grid gap-3 md:grid-cols-2">
              <Field id={`${id}-good`} label="A good answer" error={errors[`criteria.${i}.good`]}>
                <Textarea id={`${id}-good`} rows={2} value={c.good} maxLength={RUBRIC_LIMITS.anchor} onChange={(e) => change(i, { good: e.target.value })} />
              </Field>
              <Field id={`${id}-poor`} label="A poor answer" error={errors[`criteria.${i}.poor`]}>
                <Textarea id={`${id}-poor`} rows={2} value={c.poor} maxLength={RUBRIC_LIMITS.anchor} onChange={(e) => change(i, { poor: e.target.value })} />
              </Field>
            </div>
            <Button type="button" variant="ghost" size="sm" onClick={() => setCriteria((all) => all.filter((_, j) => j !== i))}>
              <Trash2 className="h-4 w-4" aria-hidden /> Remove criterion {i + 1}
            </Button>
          </fieldset>
        );
      })}
      <div className="flex flex-wrap gap-2">
        <Button type="button" variant="outline" disabled={criteria.length >= RUBRIC_LIMITS.criteria} onClick={() => setCriteria((all) => [...all, emptyCriterion()])}>
          <Plus className="h-4 w-4" aria-hidden /> Add criterion
        </Button>
        <Button type="button" disabled={save.isPending || criteria.length === 0} onClick={() => send(criteria)}>
          {save.isPending ? "Saving…" : "Save criteria"}
        </Button>
        {saved.length > 0 && (
          <Button type="button" variant="ghost" disabled={save.isPending} onClick={() => send([])}>
            {clearLabel}
          </Button>
        )}
      </div>
    </div>
  );
}

function CriteriaTable({ criteria, title }: { criteria: Criterion[]; title: string }) {
  const shares = weightShares(criteria);
  return (
    <ul aria-label={title} className="space-y-2">
      {criteria.map((c, i) => (
        <li key={c.name} className="rounded-md border p-3 text-sm">
          <p className="font-medium">
            {c.name} <span className="font-normal text-muted-foreground">· weight {c.weight} ({shares[i]}%)</span>
          </p>
          <p>
            <span className="text-muted-foreground">Good: </span>
            {c.good}
          </p>
          <p>
            <span className="text-muted-foreground">Poor: </span>
            {c.poor}
          </p>
        </li>
      ))}
    </ul>
  );
}
