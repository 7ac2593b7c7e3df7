"use client";

import { Send } from "lucide-react";
import * as React from "react";
import { Button } from "@/components/ui/button";
import { Label, Textarea } from "@/components/ui/input";
import { useLoadedT } from "@/lib/i18n";
import type { Question } from "@/lib/templates";
import { cn } from "@/lib/utils";

export const MAX_TEXT_ANSWER = 10_000;

export function TextAnswer({
  question,
  busy,
  error,
  onSubmit,
}: {
  question: Question;
  busy: boolean;
  error: string | null;
  onSubmit: (text: string) => void;
}) {
  const t = useLoadedT();
  const [text, setText] = React.useState("");
  const id = `answer-${question.id}`;
  const empty = text.trim().length === 0;
  return (
    <form
      className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault();
        if (!empty) onSubmit(text);
      }}
    >
      <div className="space-y-1.5">
        <Label htmlFor={id}>{t("Your answer")}</Label>
        <Textarea
          id={id}
          value={text}
          maxLength={MAX_TEXT_ANSWER}
          rows={8}
          onChange={(e) => setText(e.target.value)}
          aria-describedby={`${id}-count${error ? ` ${id}-error` : ""}`}
          aria-invalid={error ? true : undefined}
          disabled={busy}
        />
        <p id={`${id}-count`} className="text-right text-xs text-muted-foreground tabular-nums">
          {t("{count} / {max} characters", { count: text.length.toLocaleString(), max: MAX_TEXT_ANSWER.toLocaleString() })}
        </p>
        {error && (
          <p id={`${id}-error`} role="alert" className="text-sm font-medium text-destructive">
            {error}
          </p>
        )}
      </div>
      <Button type="submit" disabled={busy || empty}>
        <Send aria-hidden /> {t(busy ? "Saving…" : "Submit answer")}
      </Button>
    </form>
  );
}

export function ChoiceAnswer({
  question,
  busy,
  error,
  onSubmit,
}: {
  question: Question;
  busy: boolean;
  error: string | null;
  onSubmit: (optionId: string) => void;
}) {
  const t = useLoadedT();
  const [selected, setSelected] = React.useState("");
  const name = `choice-${question.id}`;
  return (
    <form
      className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault();
        if (selected) onSubmit(selected);
      }}
    >
      <fieldset className="space-y-2" aria-describedby={error ? `${name}-error` : undefined} disabled={busy}>
        <legend className="mb-2 text-sm font-medium">{t("Choose one answer")}</legend>
        {(question.options ?? []).map((option) => {
          const optionId = `${name}-${option.id}`;
          return (
            <label
              key={option.id}
              htmlFor={optionId}
              className={cn(
                "flex cursor-pointer items-start gap-3 rounded-md border p-3 text-sm transition-colors focus-within:ring-2 focus-within:ring-ring hover:bg-accent",
                selected === option.id && "border-primary bg-accent",
              )}
            >
              <input
                id={optionId}
                type="radio"
                name={name}
                value={option.id}
                checked={selected === option.id}
                onChange={() => setSelected(option.id)}
                className="mt-0.5 h-4 w-4 accent-[var(--color-primary)]"
              />
              <span>{option.text}</span>
            </label>
          );
        })}
      </fieldset>
      {error && (
        <p id={`${name}-error`} role="alert" className="text-sm font-medium text-destructive">
          {error}
        </p>
      )}
      <Button type="submit" disabled={busy || !selected}>
        <Send aria-hidden /> {t(busy ? "Saving…" : "Submit answer")}
      </Button>
    </form>
  );
}
