"use client";

import {
  closestCenter,
  DndContext,
  KeyboardSensor,
  PointerSensor,
  useSensor,
  useSensors,
  type DragEndEvent,
} from "@dnd-kit/core";
import { SortableContext, sortableKeyboardCoordinates, verticalListSortingStrategy } from "@dnd-kit/sortable";
import { zodResolver } from "@hookform/resolvers/zod";
import { useQueryClient } from "@tanstack/react-query";
import { Check, Plus } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import * as React from "react";
import { FormProvider, useFieldArray, useForm, useWatch, type FieldPath } from "react-hook-form";
import { RubricEditor } from "@/components/templates/rubric-editor";
import { QuestionTypeBadge } from "@/components/templates/status-badge";
import { QuestionCard } from "@/components/templates/question-editor";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Checkbox } from "@/components/ui/checkbox";
import { Alert, EmptyState } from "@/components/ui/feedback";
import { Field, Input, NativeSelect, Textarea } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";
import { errorMessage } from "@/lib/api";
import { parseQuotaError } from "@/lib/invitations";
import {
  CANDIDATE_FEEDBACK,
  CANDIDATE_FEEDBACK_LABELS,
  describeStep,
  emptyQuestion,
  fieldErrorsFor,
  invalidateTemplates,
  LIMITS,
  saveTemplateDraft,
  SaveFailure,
  templateDraftSchema,
  type SaveStep,
  type TemplateDraft,
} from "@/lib/templates";
import { cn } from "@/lib/utils";

const STEPS = ["Basic info", "Questions", "Settings & review"] as const;

function StepIndicator({ current }: { current: number }) {
  return (
    <nav aria-label="Wizard steps" className="mb-6">
      <ol className="flex flex-wrap items-center gap-2 sm:gap-4">
        {STEPS.map((label, i) => {
          const done = i < current;
          const active = i === current;
          return (
            <li key={label} aria-current={active ? "step" : undefined} className="flex items-center gap-2 text-sm">
              <span
                className={cn(
                  "flex h-7 w-7 items-center justify-center rounded-full border text-xs font-semibold",
                  active && "border-primary bg-primary text-primary-foreground",
                  done && "border-primary bg-secondary text-secondary-foreground",
                )}
                aria-hidden
              >
                {done ? <Check className="h-4 w-4" /> : i + 1}
              </span>
              <span className={cn(active ? "font-semibold" : "text-muted-foreground")}>
                <span className="sr-only">Step {i + 1} of {STEPS.length}: </span>
                {label}
                {done && <span className="sr-only"> (done)</span>}
              </span>
              {i < STEPS.length - 1 && <span aria-hidden className="hidden h-px w-8 bg-border sm:block" />}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}

/** Which step shows a form path (to jump there when it has an error). */
function stepOf(path: string): number {
  if (path.startsWith("questions")) return 1;
  if (path.startsWith("settings")) return 2;
  return 0;
}

type Failure = { step: SaveStep; message: string; templateId?: string; overQuota?: boolean };

/**
 * The three-step template wizard, for a new template (`mode="create"`) and for editing a draft
 * (`mode="edit"` with its id). Saving runs `saveTemplateDraft`; after a partial failure the form keeps the
 * input, shows what failed, and pressing the button again continues the same template.
 */
export function TemplateWizard({
  mode,
  initial,
  templateId: existingId,
}: {
  mode: "create" | "edit";
  initial: TemplateDraft;
  templateId?: string;
}) {
  const router = useRouter();
  const toast = useToast();
  const client = useQueryClient();
  const form = useForm<TemplateDraft>({
    resolver: zodResolver(templateDraftSchema),
    defaultValues: initial,
    // Errors appear when a step is left (Next) or saved, not while a new question is still empty; after that
    // they follow the input (see `live`). Validating on blur would move the buttons under a pending click.
    mode: "onSubmit",
    reValidateMode: "onChange",
  });
  const { control, register, formState, trigger, handleSubmit, setError, getValues, setValue } = form;
  const questions = useFieldArray({ control, name: "questions" });
  const [step, setStep] = React.useState(0);
  const [saving, setSaving] = React.useState<null | { publish: boolean; step?: SaveStep }>(null);
  const [failure, setFailure] = React.useState<Failure | null>(null);
  const [done, setDone] = React.useState(false);
  const createdId = React.useRef<string | undefined>(existingId);
  const headingRef = React.useRef<HTMLHeadingElement>(null);
  const allowRetakes = useWatch({ control, name: "settings.allowRetakes" });
  const watched = useWatch({ control, name: "questions" });
  const errors = formState.errors;

  // Unsaved input is not lost to an accidental reload or tab close.
  React.useEffect(() => {
    if (!formState.isDirty || done) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [formState.isDirty, done]);

  // Once Next found errors, every change re-checks the changed question (or field) so fixed errors go away.
  const [live, setLive] = React.useState(false);
  React.useEffect(() => {
    if (!live) return;
    const sub = form.watch((_values, { name }) => {
      if (!name) return;
      const question = /^questions\.\d+/.exec(name);
      void trigger((question ? question[0] : name) as FieldPath<TemplateDraft>);
    });
    return () => sub.unsubscribe();
  }, [live, form, trigger]);

  const goTo = (next: number) => {
    setStep(next);
    // Focus the step's heading so keyboard and screen-reader users land on the new content.
    requestAnimationFrame(() => headingRef.current?.focus());
  };

  const next = async () => {
    const ok = step === 0 ? await trigger(["title", "internalName", "description"], { shouldFocus: true }) : await trigger("questions", { shouldFocus: true });
    if (ok) goTo(step + 1);
    else setLive(true);
  };

  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 4 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );
  const onDragEnd = ({ active, over }: DragEndEvent) => {
    if (!over || active.id === over.id) return;
    const from = questions.fields.findIndex((f) => f.id === active.id);
    const to = questions.fields.findIndex((f) => f.id === over.id);
    if (from >= 0 && to >= 0) questions.move(from, to);
  };

  const save = (publish: boolean) =>
    handleSubmit(
      async (values) => {
        setFailure(null);
        setSaving({ publish });
        try {
          const result = await saveTemplateDraft(values, {
            templateId: createdId.current,
            publish,
            onStep: (s) => setSaving({ publish, step: s }),
            onTemplateCreated: (id) => {
              createdId.current = id;
            },
            onQuestionSaved: (key, serverId) => {
              const i = getValues("questions").findIndex((q) => q.key === key);
              if (i >= 0) setValue(`questions.${i}.serverId`, serverId);
            },
          });
          setDone(true);
          await invalidateTemplates(client);
          toast({
            title: mode === "create" ? (publish ? "Template created and published" : "Template created") : publish ? "Saved and published" : "Changes saved",
            variant: "success",
          });
          router.push(`/hr/templates/${result.templateId}`);
        } catch (error) {
          const f = error instanceof SaveFailure ? error : new SaveFailure({ kind: "template", action: "create" }, error, createdId.current);
          if (f.templateId) createdId.current = f.templateId;
          setFailure({
            step: f.step,
            message: errorMessage(f.cause),
            templateId: f.templateId,
            overQuota: parseQuotaError(f.cause) !== null,
          });
          const fields = fieldErrorsFor(f.step, f.cause);
          const paths = Object.keys(fields);
          for (const [path, message] of Object.entries(fields)) {
            setError(path as FieldPath<TemplateDraft>, { type: "server", message });
          }
          if (paths.length > 0) setStep(stepOf(paths[0]));
          else if (f.step.kind === "question") setStep(1);
          void invalidateTemplates(client);
        } finally {
          setSaving(null);
        }
      },
      (invalid) => {
        // Client-side errors: show the first step that has one.
        const first = ["title", "description", "questions", "settings"].find((k) => k in invalid);
        if (first) setStep(stepOf(first));
      },
    )();

  const created = mode === "create" && failure?.templateId;
  const primaryLabel = mode === "create" ? "Create template" : "Save changes";
  const publishLabel = mode === "create" ? "Create and publish" : "Save and publish";
  const noQuestions = (watched?.length ?? 0) === 0;

  return (
    <FormProvider {...form}>
      <StepIndicator current={step} />
      <form
        noValidate
        onSubmit={(e) => e.preventDefault()}
        aria-labelledby="wizard-step-heading"
        className="space-y-6"
      >
        {failure && (
          <Alert variant="error" title={created ? "The template was created, but not everything was saved" : "Not everything was saved"}>
            <p>
              {describeStep(failure.step)} failed: {failure.message}
            </p>
            <p className="mt-1">
              Your input is kept here. Fix the problem and press the button again: the save continues
              {failure.templateId ? " the same template" : ""} where it stopped.
            </p>
            {failure.overQuota && (
              <p className="mt-1">
                Your plan&apos;s template limit is reached: archive a template you no longer use, or{" "}
                <Link className="font-medium underline" href="/profile/billing">
                  see plans and usage
                </Link>
                .
              </p>
            )}
            {failure.templateId && (
              <p className="mt-1">
                <Link className="font-medium underline" href={`/hr/templates/${failure.templateId}`}>
                  Open the saved draft
                </Link>
              </p>
            )}
          </Alert>
        )}

        {step === 0 && (
          <Card>
            <CardHeader>
              <CardTitle>
                <span id="wizard-step-heading" ref={headingRef} tabIndex={-1} className="focus:outline-none">
                  Basic info
                </span>
              </CardTitle>
            </CardHeader>
            <CardContent className="space-y-4">
              <Field id="template-title" label="Title" error={errors.title?.message}>
                <Input
                  id="template-title"
                  maxLength={LIMITS.titleMax}
                  aria-invalid={errors.title ? true : undefined}
                  aria-describedby={errors.title ? "template-title-error" : undefined}
                  placeholder="e.g. Frontend developer screening"
                  {...register("title")}
                />
              </Field>
              <Field
                id="template-internal-name"
                label="Internal name (optional)"
                hint="Only your team sees it, in lists and search, e.g. “SWE Berlin Q1, batch 2”. Candidates see the title."
                error={errors.internalName?.message}
              >
                <Input
                  id="template-internal-name"
                  maxLength={LIMITS.titleMax}
                  aria-invalid={errors.internalName ? true : undefined}
                  aria-describedby={errors.internalName ? "template-internal-name-error" : "template-internal-name-hint"}
                  {...register("internalName")}
                />
              </Field>
              <Field
                id="template-description"
                label="Description"
                hint="What the interview is about; candidates see it before they start."
                error={errors.description?.message}
              >
                <Textarea
                  id="template-description"
                  rows={4}
                  maxLength={LIMITS.descriptionMax}
                  aria-invalid={errors.description ? true : undefined}
                  aria-describedby={errors.description ? "template-description-error" : "template-description-hint"}
                  {...register("description")}
                />
              </Field>
            </CardContent>
          </Card>
        )}

        {step === 1 && (
          <section aria-labelledby="wizard-step-heading" className="space-y-4">
            <div className="flex flex-wrap items-center justify-between gap-2">
              <h2 id="wizard-step-heading" ref={headingRef} tabIndex={-1} className="text-lg font-semibold focus:outline-none">
                Questions
              </h2>
              <p className="text-sm text-muted-foreground">
                Drag a question by its handle (or focus the handle and use Space and the arrow keys), or use the move
                buttons, to reorder.
              </p>
            </div>
            {questions.fields.length === 0 ? (
              <EmptyState title="No questions yet" description="Add the questions the candidate will answer. A template needs at least one question to be published." />
            ) : (
              <DndContext sensors={sensors} collisionDetection={closestCenter} onDragEnd={onDragEnd}>
                <SortableContext items={questions.fields.map((f) => f.id)} strategy={verticalListSortingStrategy}>
                  <ol className="space-y-4">
                    {questions.fields.map((f, i) => (
                      <QuestionCard
                        key={f.id}
                        id={f.id}
                        index={i}
                        total={questions.fields.length}
                        onRemove={() => questions.remove(i)}
                        onMove={(to) => questions.move(i, to)}
                      />
                    ))}
                  </ol>
                </SortableContext>
              </DndContext>
            )}
            <Button
              variant="outline"
              onClick={() => questions.append(emptyQuestion(), { shouldFocus: true, focusName: `questions.${questions.fields.length}.text` })}
            >
              <Plus aria-hidden /> Add question
            </Button>
          </section>
        )}

        {step === 2 && (
          <div className="space-y-6">
            <Card>
              <CardHeader>
                <CardTitle>
                  <span id="wizard-step-heading" ref={headingRef} tabIndex={-1} className="focus:outline-none">
                    Settings & review
                  </span>
                </CardTitle>
              </CardHeader>
              <CardContent className="space-y-4">
                <Field
                  id="settings-total"
                  label="Total time limit (minutes)"
                  hint={`${LIMITS.totalTimeMin}–${LIMITS.totalTimeMax} minutes for the whole interview, from the start (enforced when pausing is off)`}
                  error={errors.settings?.totalTimeLimit?.message}
                  className="max-w-xs"
                >
                  <Input
                    id="settings-total"
                    type="number"
                    inputMode="numeric"
                    min={LIMITS.totalTimeMin}
                    max={LIMITS.totalTimeMax}
                    aria-invalid={errors.settings?.totalTimeLimit ? true : undefined}
                    aria-describedby={errors.settings?.totalTimeLimit ? "settings-total-error" : "settings-total-hint"}
                    {...register("settings.totalTimeLimit", { valueAsNumber: true })}
                  />
                </Field>
                <Checkbox
                  id="settings-timer"
                  label="Show timer"
                  description="The candidate sees the interview's time left counting down (each question's time left is always shown)."
                  {...register("settings.showTimer")}
                />
                <Checkbox id="settings-pause" label="Allow pausing" description="The candidate may leave and resume the interview later." {...register("settings.allowPause")} />
                <Checkbox id="settings-random" label="Randomize question order" {...register("settings.randomizeQuestions")} />
                <Checkbox
                  id="settings-blind"
                  label="Reviewers rate before they see the AI"
                  description="Each reviewer sees the AI's scores and summary only after submitting their own ratings."
                  {...register("settings.blindToAi")}
                />
                <Checkbox
                  id="settings-explanations"
                  label="Explain the outcome to candidates"
                  description="Once your decision reaches them, candidates see each answer on your rubric (a plain band and a quote from their answer, never a score) and, for a rejection, the reason you record."
                  {...register("settings.candidateExplanations")}
                />
                <Checkbox
                  id="settings-retakes"
                  label="Allow retakes"
                  description="The candidate may answer a question again; each retake replaces the previous answer."
                  {...register("settings.allowRetakes")}
                />
                <Field
                  id="settings-feedback"
                  label="What candidates see after your decision"
                  hint="Candidates never see the AI's score or verdict; they see this once you decide."
                  className="max-w-md"
                >
                  <NativeSelect id="settings-feedback" aria-describedby="settings-feedback-hint" {...register("settings.candidateFeedback")}>
                    {CANDIDATE_FEEDBACK.map((value) => (
                      <option key={value} value={value}>
                        {CANDIDATE_FEEDBACK_LABELS[value]}
                      </option>
                    ))}
                  </NativeSelect>
                </Field>
                <Field
                  id="settings-reply"
                  label="When candidates can expect a reply (optional)"
                  hint='Shown after they finish, e.g. "within 5 working days".'
                  error={errors.settings?.expectedReplyTime?.message}
                  className="max-w-md"
                >
                  <Input
                    id="settings-reply"
                    maxLength={LIMITS.replyTimeMax}
                    aria-invalid={errors.settings?.expectedReplyTime ? true : undefined}
                    aria-describedby={errors.settings?.expectedReplyTime ? "settings-reply-error" : "settings-reply-hint"}
                    {...register("settings.expectedReplyTime")}
                  />
                </Field>
                {allowRetakes && (
                  <Field
                    id="settings-max-retakes"
                    label="Retakes per question"
                    hint={`${LIMITS.retakesMin}–${LIMITS.retakesMax}`}
                    error={errors.settings?.maxRetakes?.message}
                    className="max-w-xs pl-7"
                  >
                    <Input
                      id="settings-max-retakes"
                      type="number"
                      inputMode="numeric"
                      min={LIMITS.retakesMin}
                      max={LIMITS.retakesMax}
                      aria-invalid={errors.settings?.maxRetakes ? true : undefined}
                      aria-describedby={errors.settings?.maxRetakes ? "settings-max-retakes-error" : "settings-max-retakes-hint"}
                      {...register("settings.maxRetakes", { valueAsNumber: true })}
                    />
                  </Field>
                )}
              </CardContent>
            </Card>
            <Review />
            {/* The rubric names saved questions, so it is edited once the draft exists. */}
            {existingId ? (
              <RubricEditor templateId={existingId} editable />
            ) : (
              <p className="text-sm text-muted-foreground">Save the draft, then edit it to add a scoring rubric.</p>
            )}
          </div>
        )}

        <div className="flex flex-col-reverse gap-2 border-t pt-4 sm:flex-row sm:items-center sm:justify-between">
          <div>
            {step > 0 && (
              <Button variant="outline" onClick={() => goTo(step - 1)} disabled={saving !== null} className="w-full sm:w-auto">
                Back
              </Button>
            )}
          </div>
          <div className="flex flex-col gap-2 sm:flex-row sm:items-center">
            {saving?.step && (
              <span role="status" className="text-sm text-muted-foreground">
                {describeStep(saving.step)}…
              </span>
            )}
            {step < 2 ? (
              <Button onClick={() => void next()} className="w-full sm:w-auto">
                Next
              </Button>
            ) : (
              <>
                <Button variant="outline" onClick={() => void save(false)} disabled={saving !== null} className="w-full sm:w-auto">
                  {saving && !saving.publish ? "Saving…" : primaryLabel}
                </Button>
                <Button
                  onClick={() => void save(true)}
                  disabled={saving !== null || noQuestions}
                  aria-describedby={noQuestions ? "publish-needs-question" : undefined}
                  className="w-full sm:w-auto"
                >
                  {saving?.publish ? "Saving…" : publishLabel}
                </Button>
              </>
            )}
          </div>
        </div>
        {step === 2 && noQuestions && (
          <p id="publish-needs-question" className="text-right text-xs text-muted-foreground">
            Add at least one question to publish.
          </p>
        )}
      </form>
    </FormProvider>
  );
}

/** Step 3's summary of what will be saved. */
function Review() {
  const values = useWatch<TemplateDraft>() as TemplateDraft;
  const qs = values.questions ?? [];
  return (
    <Card>
      <CardHeader>
        <CardTitle>Review</CardTitle>
      </CardHeader>
      <CardContent className="space-y-3 text-sm">
        <div>
          <p className="font-medium">{values.title || <span className="text-muted-foreground">No title</span>}</p>
          <p className="whitespace-pre-line text-muted-foreground">{values.description}</p>
        </div>
        <p className="font-medium">
          {qs.length} question{qs.length === 1 ? "" : "s"}
        </p>
        {qs.length > 0 && (
          <ol className="list-decimal space-y-2 pl-5">
            {qs.map((q, i) => (
              <li key={q.key ?? i}>
                <span className="mr-2">{q.text || <span className="text-muted-foreground">(no text)</span>}</span>
                <QuestionTypeBadge type={q.type} />
                <span className="ml-2 text-xs text-muted-foreground">
                  {Number.isFinite(q.timeLimit) ? `${q.timeLimit} s` : ""}
                  {q.required ? " · required" : " · optional"}
                </span>
              </li>
            ))}
          </ol>
        )}
      </CardContent>
    </Card>
  );
}
