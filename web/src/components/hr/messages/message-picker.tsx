"use client";

import Link from "next/link";
import { Field, NativeSelect } from "@/components/ui/input";
import { useMessages, type MessageTemplate } from "@/lib/messages";

/** Choose one of the company's saved messages for the candidate (none: write your own, or send none). */
export function MessagePicker({
  id,
  value,
  onPick,
  label = "Saved message",
}: {
  id: string;
  value: string;
  onPick: (message: MessageTemplate | null) => void;
  label?: string;
}) {
  const messages = useMessages();
  if (messages.isPending) return null;
  if (messages.isError || messages.data.length === 0)
    return (
      <p className="text-xs text-muted-foreground">
        {messages.isError ? "Saved messages could not be loaded." : "No saved messages yet."}{" "}
        <Link href="/hr/messages" className="underline">
          Manage saved messages
        </Link>
      </p>
    );
  return (
    <Field id={id} label={label}>
      <NativeSelect id={id} value={value} onChange={(e) => onPick(messages.data.find((m) => m.id === e.target.value) ?? null)}>
        <option value="">None</option>
        {messages.data.map((m) => (
          <option key={m.id} value={m.id}>
            {m.name}
          </option>
        ))}
      </NativeSelect>
    </Field>
  );
}
