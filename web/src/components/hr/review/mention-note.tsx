"use client";

import * as React from "react";
import { Textarea } from "@/components/ui/input";
import { mentionLabel, mentionQuery, suggestTeammates } from "@/lib/reviews";
import type { Member } from "@/lib/members";
import { cn } from "@/lib/utils";

/**
 * A note field where `@` suggests the hiring team: the list filters as you type; arrows move, Enter or Tab
 * picks, Escape closes. Picking writes `@Name` and hands the teammate to `onPick`, which records their user id.
 * ARIA: the textarea keeps its textbox role (a textarea may not be a combobox) and points at the listbox with
 * `aria-controls` and at the highlighted option with `aria-activedescendant`, as the combobox pattern does.
 */
export function MentionNote({
  id,
  value,
  onChange,
  team,
  onPick,
  maxLength,
  rows = 3,
  ...aria
}: {
  id: string;
  value: string;
  onChange: (value: string) => void;
  team: Member[];
  onPick: (member: Member) => void;
  maxLength?: number;
  rows?: number;
  "aria-describedby"?: string;
  "aria-invalid"?: boolean;
}) {
  const ref = React.useRef<HTMLTextAreaElement>(null);
  const [caret, setCaret] = React.useState<number | null>(null);
  const [active, setActive] = React.useState(0);
  const [dismissed, setDismissed] = React.useState<number | null>(null);
  const listId = `${id}-mentions`;

  const found = caret === null ? null : mentionQuery(value, caret);
  const open = found !== null && dismissed !== found.start;
  const suggestions = open ? suggestTeammates(team, found.query) : [];
  const shown = open && suggestions.length > 0;
  const current = Math.min(active, Math.max(suggestions.length - 1, 0));

  const track = (el: HTMLTextAreaElement) => setCaret(el.selectionStart === el.selectionEnd ? el.selectionStart : null);

  const pick = (member: Member) => {
    if (!found || caret === null) return;
    const label = `@${mentionLabel(member)} `;
    const next = value.slice(0, found.start) + label + value.slice(caret);
    const at = found.start + label.length;
    onChange(next);
    onPick(member);
    setCaret(at);
    setActive(0);
    // The written `@Name ` would match its own suggestion again: this `@` is done.
    setDismissed(found.start);
    requestAnimationFrame(() => ref.current?.setSelectionRange(at, at));
  };

  const onKeyDown = (e: React.KeyboardEvent<HTMLTextAreaElement>) => {
    if (!shown || !found) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const step = e.key === "ArrowDown" ? 1 : -1;
      setActive((current + step + suggestions.length) % suggestions.length);
    } else if (e.key === "Enter" || e.key === "Tab") {
      e.preventDefault();
      const member = suggestions[current];
      if (member) pick(member);
    } else if (e.key === "Escape") {
      // Close the list only; a surrounding dialog stays open.
      e.preventDefault();
      e.stopPropagation();
      setDismissed(found.start);
    }
  };

  return (
    <div className="relative">
      <Textarea
        id={id}
        ref={ref}
        rows={rows}
        value={value}
        maxLength={maxLength}
        aria-autocomplete="list"
        aria-controls={shown ? listId : undefined}
        aria-activedescendant={shown ? `${listId}-${current}` : undefined}
        aria-describedby={aria["aria-describedby"]}
        aria-invalid={aria["aria-invalid"]}
        onChange={(e) => {
          onChange(e.target.value);
          track(e.target);
          setActive(0);
          // A freshly typed `@` asks again, even where a list was closed before.
          if (e.target.value[e.target.selectionStart - 1] === "@") setDismissed(null);
        }}
        onSelect={(e) => track(e.currentTarget)}
        onKeyDown={onKeyDown}
        onBlur={() => setCaret(null)}
      />
      {shown && (
        <ul
          id={listId}
          role="listbox"
          aria-label="Teammates to mention"
          className="absolute z-20 mt-1 max-h-60 w-full max-w-sm overflow-auto rounded-md border bg-popover p-1 text-popover-foreground shadow-md"
        >
          {suggestions.map((m, i) => (
            <li
              key={m.userId}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === current}
              className={cn("cursor-pointer rounded px-2 py-1.5 text-sm", i === current && "bg-accent text-accent-foreground")}
              // Before the textarea's blur, so the click still sees where the `@` was typed.
              onMouseDown={(e) => {
                e.preventDefault();
                pick(m);
              }}
            >
              <span className="font-medium">{mentionLabel(m)}</span>
              {m.name.trim() && <span className="ml-2 text-xs text-muted-foreground">{m.email}</span>}
            </li>
          ))}
        </ul>
      )}
      <p className="sr-only" aria-live="polite">
        {shown ? `${suggestions.length} ${suggestions.length === 1 ? "teammate" : "teammates"} found. Use the arrow keys and Enter to mention one.` : ""}
      </p>
    </div>
  );
}
