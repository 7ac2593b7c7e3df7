"use client";

/**
 * Outgoing webhooks of a company (the notifications service, through /api/webhooks): endpoints, their delivery
 * log, the query keys and hooks, and the pure helpers of the settings page (the endpoint form, status labels),
 * unit-tested in tests/webhooks.test.ts.
 */

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import * as React from "react";
import { z } from "zod";
import { api } from "@/lib/api";
import type { Page } from "@/lib/types";

// -- wire types -----------------------------------------------------------------------------------------------

export type WebhookEndpoint = {
  id: string;
  companyId: string;
  url: string;
  events: string[];
  status: "active" | "disabled" | string;
  failureCount: number;
  disabledReason: string | null;
  lastDeliveryAt: string | null;
  createdAt: string;
};

/** The signing secret: answered only when an endpoint is created and when its secret is rotated. */
export type WebhookSecret = { id: string; secret: string };

export type WebhookDelivery = {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  status: "pending" | "succeeded" | "failed" | "dead" | string;
  attempt: number;
  responseCode: number | null;
  durationMs: number | null;
  error: string | null;
  createdAt: string;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
};

export type WebhookInput = { companyId: string; url: string; events: string[] };

/** The events an endpoint may subscribe to, in the words the settings page shows. */
export const WEBHOOK_EVENTS = [
  { value: "invitation.created", label: "Invitation sent", description: "A candidate was invited to an interview." },
  { value: "invitation.started", label: "Interview started", description: "A candidate began an interview." },
  { value: "invitation.completed", label: "Interview completed", description: "A candidate finished an interview." },
  { value: "analysis.completed", label: "Analysis completed", description: "The AI scores of an interview are ready. For a blind review the call says so and carries no score." },
  { value: "analysis.failed", label: "Analysis failed", description: "An interview could not be analysed." },
  { value: "candidate.approved", label: "Candidate approved", description: "HR approved a candidate." },
  { value: "candidate.rejected", label: "Candidate rejected", description: "HR rejected a candidate." },
] as const;

export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number]["value"];

// -- query keys -----------------------------------------------------------------------------------------------

export const webhookKeys = {
  all: ["webhooks"] as const,
  company: (companyId: string) => ["webhooks", "company", companyId] as const,
  deliveries: (endpointId: string, page: number) => ["webhooks", "deliveries", endpointId, page] as const,
  deliveriesOf: (endpointId: string) => ["webhooks", "deliveries", endpointId] as const,
};

export const DELIVERIES_LIMIT = 10;

// -- hooks ----------------------------------------------------------------------------------------------------

const path = (id: string) => `/api/webhooks/${encodeURIComponent(id)}`;

export function useWebhooks(companyId: string) {
  return useQuery({
    queryKey: webhookKeys.company(companyId),
    queryFn: () => api.get<WebhookEndpoint[]>(`/api/webhooks/company/${encodeURIComponent(companyId)}`),
  });
}

export function useCreateWebhook(companyId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: Omit<WebhookInput, "companyId">) => api.post<WebhookSecret>("/api/webhooks", { companyId, ...input }),
    onSuccess: () => qc.invalidateQueries({ queryKey: webhookKeys.company(companyId) }),
  });
}

export function useDeleteWebhook(companyId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete<{ success: true; message: string }>(path(id)),
    onSuccess: () => qc.invalidateQueries({ queryKey: webhookKeys.company(companyId) }),
  });
}

export function useRotateSecret() {
  return useMutation({ mutationFn: (id: string) => api.post<WebhookSecret>(`${path(id)}/rotate-secret`) });
}

export function useTestWebhook() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.post<{ deliveryId: string }>(`${path(id)}/test`),
    onSuccess: (_, id) => qc.invalidateQueries({ queryKey: webhookKeys.deliveriesOf(id) }),
  });
}

/** One page of an endpoint's delivery log, refreshed while a delivery is still on its way. */
export function useDeliveries(endpointId: string, page: number) {
  return useQuery({
    queryKey: webhookKeys.deliveries(endpointId, page),
    queryFn: () => api.get<Page<WebhookDelivery>>(`${path(endpointId)}/deliveries`, { page, limit: DELIVERIES_LIMIT }),
    placeholderData: keepPreviousData,
    refetchInterval: (q) => (q.state.data?.items.some((d) => d.status === "pending") ? 3000 : false),
  });
}

/** While the log is open, each change of it refreshes the endpoints too (last delivery, failures, status). */
export function useEndpointFollowsLog(companyId: string, logUpdatedAt: number) {
  const qc = useQueryClient();
  React.useEffect(() => {
    if (logUpdatedAt) void qc.invalidateQueries({ queryKey: webhookKeys.company(companyId) });
  }, [qc, companyId, logUpdatedAt]);
}

export function useRedeliver(endpointId: string, companyId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (deliveryId: string) => api.post<{ deliveryId: string }>(`${path(endpointId)}/deliveries/${encodeURIComponent(deliveryId)}/redeliver`),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: webhookKeys.deliveriesOf(endpointId) });
      void qc.invalidateQueries({ queryKey: webhookKeys.company(companyId) });
    },
  });
}

// == pure helpers (unit-tested) ==============================================================================

export const webhookSchema = z.object({
  url: z
    .string()
    .trim()
    .min(1, "Enter the address that receives the events")
    .max(2000, "At most 2000 characters")
    .refine((value) => {
      try {
        const url = new URL(value);
        return (url.protocol === "https:" || url.protocol === "http:") && url.hostname !== "";
      } catch {
        return false;
      }
    }, "Enter a full address starting with https://"),
  events: z.array(z.string()).min(1, "Choose at least one event"),
});

export type WebhookFormValues = z.infer<typeof webhookSchema>;

/** The message "Send test event" sends: not subscribable, but listed in the delivery log like any other. */
export const TEST_EVENT = "webhook.test";

export function eventLabel(event: string): string {
  if (event === TEST_EVENT) return "Test event";
  return WEBHOOK_EVENTS.find((e) => e.value === event)?.label ?? event;
}

type Tone = "success" | "warning" | "destructive" | "secondary" | "outline";

export function deliveryStatus(status: string): { label: string; tone: Tone } {
  switch (status) {
    case "succeeded":
      return { label: "Delivered", tone: "success" };
    case "pending":
      return { label: "Waiting to send", tone: "secondary" };
    case "failed":
      return { label: "Failed, will retry", tone: "warning" };
    case "dead":
      return { label: "Gave up", tone: "destructive" };
    default:
      return { label: status, tone: "outline" };
  }
}

export function endpointStatus(endpoint: Pick<WebhookEndpoint, "status">): { label: string; tone: Tone } {
  return endpoint.status === "active" ? { label: "Active", tone: "success" } : { label: "Disabled", tone: "destructive" };
}

/** "120 ms", "1.4 s", or an em dash when the request never got an answer. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
