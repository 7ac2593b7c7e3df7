"use client";

/**
 * A company's saved messages to candidates (the interviews service, through /api/message-templates): hooks, the
 * placeholders a message may use, filling them in for a preview, and the words for the API's refusals
 * (unit-tested in tests/messages.test.tsx).
 */

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, api } from "@/lib/api";

export type MessageTemplate = { id: string; name: string; body: string; createdBy: string; updatedAt: string };
export type MessageInput = { name: string; body: string };

export const NAME_MAX = 100;
// As long as the written feedback a decision carries.
export const BODY_MAX = 2000;

/** The placeholders the service fills in for each candidate, with what they become (the only ones it accepts). */
export const PLACEHOLDERS = [
  { key: "candidateName", label: "Candidate's name", explains: "the candidate's name (or “there” when it is not known)" },
  { key: "role", label: "Role", explains: "the interview's title, e.g. the job they applied for" },
  { key: "company", label: "Company", explains: "your company's name" },
] as const;

export type PlaceholderKey = (typeof PLACEHOLDERS)[number]["key"];

const PLACEHOLDER = /\{(\w*)\}/g;

/** The message as one candidate reads it, filled in the way the service does it. */
export function fillMessage(body: string, values: { candidateName?: string | null; role: string; company: string }): string {
  const filled: Record<string, string> = { candidateName: values.candidateName || "there", role: values.role, company: values.company };
  return body.replace(PLACEHOLDER, (whole, key: string) => filled[key] ?? whole);
}

/** Placeholders the service would refuse (a typo would otherwise reach the candidate as written). */
export function unknownPlaceholders(body: string): string[] {
  const known = new Set<string>(PLACEHOLDERS.map((p) => p.key));
  return [...new Set([...body.matchAll(PLACEHOLDER)].map((m) => m[1] ?? "").filter((k) => !known.has(k)))].sort();
}

export const messageKeys = { all: ["message-templates"] as const };

const path = "/api/message-templates";
const one = (id: string) => `${path}/${encodeURIComponent(id)}`;

export function useMessages() {
  return useQuery({ queryKey: messageKeys.all, queryFn: () => api.get<MessageTemplate[]>(path) });
}

export function useSaveMessage(id?: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: MessageInput) => {
      const body = { name: input.name.trim(), body: input.body.trim() };
      return id ? api.put<MessageTemplate>(one(id), body) : api.post<MessageTemplate>(path, body);
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: messageKeys.all }),
  });
}

export function useDeleteMessage() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete<void>(one(id)),
    onSuccess: () => qc.invalidateQueries({ queryKey: messageKeys.all }),
  });
}

export type MessageErrors = { name?: string; body?: string; form?: string };

/** Why a message was not saved, next to the field it concerns, in words the writer can act on. */
export function messageErrors(error: unknown): MessageErrors {
  if (error instanceof ApiError) {
    if (error.code === "DUPLICATE_MESSAGE_TEMPLATE") return { name: "You already have a saved message with this name. Choose another name." };
    if (error.code === "MESSAGE_TEMPLATE_NOT_FOUND") return { form: "This message was deleted in the meantime. Reload the page." };
    if (error.statusCode === 422 || error.statusCode === 400) {
      const fields = error.fieldErrors();
      const out: MessageErrors = {};
      if (fields.name !== undefined) out.name = `Give the message a name of 1 to ${NAME_MAX} characters.`;
      if (fields.body !== undefined)
        out.body = /placeholder/i.test(fields.body)
          ? "This message uses a placeholder we cannot fill in. Use only {candidateName}, {role} and {company}."
          : `Write the message: 1 to ${BODY_MAX} characters.`;
      if (out.name || out.body) return out;
    }
    if (error.statusCode === 403) return { form: "Only your company's hiring team can change its saved messages." };
  }
  return { form: "The message could not be saved. Try again." };
}

/** Check before sending, so the writer sees the same words without a round trip. */
export function checkMessage(input: MessageInput): MessageErrors {
  const out: MessageErrors = {};
  const name = input.name.trim();
  const body = input.body.trim();
  if (!name || name.length > NAME_MAX) out.name = `Give the message a name of 1 to ${NAME_MAX} characters.`;
  if (!body || body.length > BODY_MAX) out.body = `Write the message: 1 to ${BODY_MAX} characters.`;
  else if (unknownPlaceholders(body).length > 0)
    out.body = "This message uses a placeholder we cannot fill in. Use only {candidateName}, {role} and {company}.";
  return out;
}
