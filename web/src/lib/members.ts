"use client";

/** A company's hiring team (the users service through /api/hr/companies/{id}/members): hooks and the words
 * for its refusals (unit-tested in tests/members.test.tsx). */

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, api } from "@/lib/api";

export type Member = { userId: string; email: string; name: string; isOwner: boolean; joinedAt: string };

export const memberKeys = { team: (companyId: string) => ["hr", "companies", companyId, "members"] as const };

const path = (companyId: string) => `/api/hr/companies/${encodeURIComponent(companyId)}/members`;

export function useMembers(companyId: string) {
  return useQuery({ queryKey: memberKeys.team(companyId), queryFn: () => api.get<Member[]>(path(companyId)) });
}

export function useAddMember(companyId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (email: string) => api.post<Member>(path(companyId), { email: email.trim() }),
    onSuccess: () => qc.invalidateQueries({ queryKey: memberKeys.team(companyId) }),
  });
}

export function useRemoveMember(companyId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (userId: string) => api.delete<void>(`${path(companyId)}/${encodeURIComponent(userId)}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: memberKeys.team(companyId) }),
  });
}

/** Why a person could not be added or removed, in words the company's owner can act on. */
export function memberError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === "QUOTA_EXCEEDED") return "Your plan has no team seat left. Upgrade your plan in Billing to add more people.";
    if (error.code === "USER_NOT_FOUND") return "No account uses this e-mail. Ask them to sign up and choose HR first.";
    if (error.code === "ALREADY_MEMBER") return "This person is already on the team.";
    if (error.code === "OWNER_CANNOT_LEAVE") return "The company's creator stays on its team.";
    if (error.statusCode === 422) return "This e-mail does not belong to an HR account.";
    if (error.statusCode === 403) return "Only the company's creator can change its team.";
  }
  return "The team could not be changed. Try again.";
}
