"use client";

import { useSortable } from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";
import { ArrowDown, ArrowUp, GripVertical, Plus, Trash2, X } from "lucide-react";
import * as React from "react";
import { useFieldArray, useFormContext, useWatch } from "react-hook-form";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Checkbox } from "@/components/ui/checkbox";
import { Field, Input, Label, NativeSelect, Textarea } from "@/components/ui/input";
import { cn } from "@/lib/utils";
import { emptyOption, LIMITS, QUESTION_TYPE_LABELS, QUESTION_TYPES, type TemplateDraft } from "@/lib/templates";

const TYPE_HINTS: Record<string, string> = {
  text: "The candidate types a written answer.",
  multiple_choice: "The candidate picks one option; the ones marked correct are scored as right.",
  video: "The candidate records a video answer with camera and microphone.",
  audio: "The candidate records a spoken answer with the microphone.",
};

type MsgError = { message?: string; root?: { message?: string } } | undefined;
const msg = (e: MsgError): string | undefined => e?.message ?? e?.root?.message;

/** One question of the wizard: a sortable card with its fields, options (multiple choice) and move/remove. */
export function QuestionCard({
  id,
  index,
  total,
  onRemove,
  onMove,
}: {
  id: string;
  index: number;
  total: number;
  onRemove: () => void;
  onMove: (to: number) => void;
}) {
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } = useSortable({ id });
  const { register, control, setValue, getValues, formState } = useFormContext<TemplateDraft>();
  const options = useFieldArray({ control, name: `questions.${index}.options` });
  const type = useWatch({ control, name: `questions.${index}.type` });
  const errors = formState.errors.questions?.[index];
  const n = index + 1;
  const base = `question-${id}`;

  const typeField = register(`questions.${index}.type`, {
    onChange: (event: React.ChangeEvent<HTMLSelectElement>) => {
      if (event.target.value === "multiple_choice") {
        const current = getValues(`questions.${index}.options`) ?? [];
        if (current.length < LIMITS.optionsMin) {
          setValue(`questions.${index}.options`, [...current, ...Array.from({ length: LIMITS.optionsMin - current.length }, emptyOption)]);
        }
      }
    },
  });

  return (
    <li
      ref={setNodeRef}
      style={{ transform: CSS.Transform.toString(transform), transition }}
      className={cn("list-none", isDragging && "relative z-10 opacity-80")}
    >
      <Card className="p-4 sm:p-5" aria-labelledby={`${base}-heading`} role="group">
        <div className="mb-4 flex flex-wrap items-center gap-2">
          <button
            type="button"
            ref={setActivatorNodeRef}
            {...attributes}
            {...listeners}
            aria-label={`Drag question ${n} to reorder`}
            className="cursor-grab touch-none rounded p-1 text-muted-foreground hover:bg-muted focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring active:cursor-grabbing"
          >
            <GripVertical className="h-5 w-5" aria-hidden />
          </button>
          <h3 id={`${base}-heading`} className="flex-1 font-semibold">
            Question {n}
          </h3>
          <div className="flex gap-1">
            <Button variant="ghost" size="icon" onClick={() => onMove(index - 1)} disabled={index === 0} aria-label={`Move question ${n} up`} title="Move up">
              <ArrowUp aria-hidden />
            </Button>
            <Button
              variant="ghost"
              size="icon"
              onClick={() => onMove(index + 1)}
              disabled={index === total - 1}
              aria-label={`Move question ${n} down`}
              title="Move down"
            >
              <ArrowDown aria-hidden />
            </Button>
            <Button variant="ghost" size="icon" onClick={onRemove} aria-label={`Remove question ${n}`} title="Remove">
              <Trash2 aria-hidden className="text-destructive" />
            </Button>
          </div>
        </div>

        <div className="space-y-4">
          <Field id={`${base}-text`} label="Question text" error={errors?.text?.message}>
            <Textarea
              id={`${base}-text`}
              rows={2}
              aria-invalid={errors?.text ? true : undefined}
              aria-describedby={errors?.text ? `${base}-text-error` : undefined}
              placeholder="e.g. Tell us about a project you are proud of."
              {...register(`questions.${index}.text`)}
            />
          </Field>

          <div className="grid gap-4 sm:grid-cols-2">
            <Field id={`${base}-type`} label="Question type" hint={TYPE_HINTS[type]} error={errors?.type?.message}>
              <NativeSelect id={`${base}-type`} aria-describedby={`${base}-type-hint`} {...typeField}>
                {QUESTION_TYPES.map((t) => (
                  <option key={t} value={t}>
                    {QUESTION_TYPE_LABELS[t]}
                  </option>
                ))}
              </NativeSelect>
            </Field>
            <Field
              id={`${base}-time`}
              label="Time limit (seconds)"
              hint={`${LIMITS.timeLimitMin}–${LIMITS.timeLimitMax} seconds to answer`}
              error={errors?.timeLimit?.message}
            >
              <Input
                id={`${base}-time`}
                type="number"
                inputMode="numeric"
                min={LIMITS.timeLimitMin}
                max={LIMITS.timeLimitMax}
                step={1}
                aria-invalid={errors?.timeLimit ? true : undefined}
                aria-describedby={errors?.timeLimit ? `${base}-time-error` : `${base}-time-hint`}
                {...register(`questions.${index}.timeLimit`, { valueAsNumber: true })}
              />
            </Field>
          </div>

          {(type === "video" || type === "audio") && (
            <Field
              id={`${base}-think`}
              label="Think time (seconds)"
              hint={`0–${LIMITS.thinkTimeMax}: a countdown to read and think before recording starts (0 for none)`}
              error={errors?.thinkTime?.message}
              className="max-w-xs"
            >
              <Input
                id={`${base}-think`}
                type="number"
                inputMode="numeric"
                min={0}
                max={LIMITS.thinkTimeMax}
                step={1}
                aria-invalid={errors?.thinkTime ? true : undefined}
                aria-describedby={errors?.thinkTime ? `${base}-think-error` : `${base}-think-hint`}
                {...register(`questions.${index}.thinkTime`, { valueAsNumber: true })}
              />
            </Field>
          )}

          <Field id={`${base}-hints`} label="Hints (optional)" hint="Shown to the candidate with the question." error={errors?.hints?.message}>
            <Input
              id={`${base}-hints`}
              maxLength={LIMITS.hintsMax}
              aria-invalid={errors?.hints ? true : undefined}
              aria-describedby={errors?.hints ? `${base}-hints-error` : `${base}-hints-hint`}
              {...register(`questions.${index}.hints`)}
            />
          </Field>

          <Checkbox id={`${base}-required`} label="Required" description="The candidate must answer it to finish normally." {...register(`questions.${index}.required`)} />

          {type === "multiple_choice" && (
            <fieldset className="space-y-3 rounded-md border p-3 sm:p-4">
              <legend className="px-1 text-sm font-medium">Answer options</legend>
              <p className="text-xs text-muted-foreground">
                {LIMITS.optionsMin}–{LIMITS.optionsMax} options; mark at least one as correct.
              </p>
              <ol className="space-y-3">
                {options.fields.map((option, j) => {
                  const oerr = errors?.options?.[j]?.text;
                  const oid = `${base}-option-${option.id}`;
                  return (
                    <li key={option.id} className="flex flex-col gap-2 sm:flex-row sm:items-start">
                      <div className="flex-1 space-y-1">
                        <Label htmlFor={oid} className="sr-only">
                          Option {j + 1}
                        </Label>
                        <Input
                          id={oid}
                          placeholder={`Option ${j + 1}`}
                          maxLength={LIMITS.optionTextMax}
                          aria-invalid={oerr ? true : undefined}
                          aria-describedby={oerr ? `${oid}-error` : undefined}
                          {...register(`questions.${index}.options.${j}.text`)}
                        />
                        {oerr?.message && (
                          <p id={`${oid}-error`} role="alert" className="text-xs font-medium text-destructive">
                            {oerr.message}
                          </p>
                        )}
                      </div>
                      <div className="flex items-center gap-2 sm:pt-2.5">
                        <Checkbox
                          id={`${oid}-correct`}
                          label="Correct"
                          aria-label={`Option ${j + 1} is correct`}
                          {...register(`questions.${index}.options.${j}.isCorrect`)}
                        />
                        <Button
                          variant="ghost"
                          size="icon"
                          className="h-8 w-8"
                          onClick={() => options.remove(j)}
                          disabled={options.fields.length <= LIMITS.optionsMin}
                          aria-label={`Remove option ${j + 1}`}
                        >
                          <X aria-hidden />
                        </Button>
                      </div>
                    </li>
                  );
                })}
              </ol>
              {msg(errors?.options as MsgError) && (
                <p role="alert" className="text-xs font-medium text-destructive">
                  {msg(errors?.options as MsgError)}
                </p>
              )}
              <Button variant="outline" size="sm" onClick={() => options.append(emptyOption())} disabled={options.fields.length >= LIMITS.optionsMax}>
                <Plus aria-hidden /> Add option
              </Button>
            </fieldset>
          )}
        </div>
      </Card>
    </li>
  );
}
