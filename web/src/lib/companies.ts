"use client";

/** Companies (the users service, through /api/hr/companies): HR's companies, their query keys and hooks. */

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/lib/api";
import type { Paginated } from "@/lib/types";

export type CompanyListItem = {
  id: string;
  name: string;
  industry: string | null;
  size: string | null;
  location: string | null;
  isActive: boolean;
  createdAt: string;
};

export type Company = CompanyListItem & {
  description: string | null;
  website: string | null;
  logoUrl: string | null;
  createdBy: string | null;
  updatedAt: string;
  version: number;
};

export type CompanyInput = {
  name: string;
  industry?: string | null;
  size?: string | null;
  website?: string | null;
  description?: string | null;
  location?: string | null;
};

export const COMPANY_SIZES = ["1-10", "11-50", "51-200", "200+"] as const;

/** A change to any company invalidates the list and every company under ["hr", "companies"]. */
export const companyKeys = {
  all: ["hr", "companies"] as const,
  detail: (id: string) => ["hr", "companies", id] as const,
};

export function useCompanies(enabled = true) {
  return useQuery({
    queryKey: companyKeys.all,
    enabled,
    queryFn: () => api.get<Paginated<CompanyListItem>>("/api/hr/companies", { page: 1, limit: 100 }),
  });
}

export function useCompany(id: string) {
  return useQuery({ queryKey: companyKeys.detail(id), queryFn: () => api.get<Company>(`/api/hr/companies/${encodeURIComponent(id)}`) });
}

export function useSaveCompany(id?: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: CompanyInput) =>
      id
        ? api.put<unknown>(`/api/hr/companies/${encodeURIComponent(id)}`, input)
        : api.post<{ companyId: string }>("/api/hr/companies", input),
    onSuccess: () => qc.invalidateQueries({ queryKey: companyKeys.all }),
  });
}

export function useDeleteCompany() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete<unknown>(`/api/hr/companies/${encodeURIComponent(id)}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: companyKeys.all }),
  });
}
