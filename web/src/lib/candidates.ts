"use client";

/** Candidates as HR finds them (the users service's search by skills, through /api/hr/candidates/search). */

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api } from "@/lib/api";
import type { CandidateSkill } from "@/lib/skills";
import type { Paginated } from "@/lib/types";

export type CandidateHit = {
  userId: string;
  fullName: string;
  email: string;
  experienceLevel: string | null;
  matchedSkills: CandidateSkill[];
  matchScore: number;
};

export type CandidateSearch = {
  skillIds: string[];
  minProficiency?: string;
  minYears?: number;
  experienceLevel?: string;
  page: number;
};

export const PROFICIENCY_LEVELS = ["beginner", "intermediate", "advanced", "expert"] as const;
export const EXPERIENCE_LEVELS = ["junior", "mid", "senior", "lead"] as const;

export const candidateKeys = {
  search: (params: CandidateSearch) => ["hr", "candidates", params] as const,
};

/** One page of candidates matching the search; nothing is asked while `params` is null. */
export function useCandidateSearch(params: CandidateSearch | null) {
  return useQuery({
    queryKey: candidateKeys.search(params ?? { skillIds: [], page: 1 }),
    enabled: params !== null,
    queryFn: () =>
      api.get<Paginated<CandidateHit>>("/api/hr/candidates/search", {
        skillIds: params!.skillIds,
        minProficiency: params!.minProficiency,
        minYears: params!.minYears,
        experienceLevel: params!.experienceLevel,
        page: params!.page,
        limit: 20,
      }),
    placeholderData: keepPreviousData,
  });
}
