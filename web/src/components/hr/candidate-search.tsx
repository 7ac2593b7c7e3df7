"use client";

import * as React from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Alert, EmptyState, ErrorState, LoadingBlock } from "@/components/ui/feedback";
import { Input, Label, NativeSelect } from "@/components/ui/input";
import { errorMessage } from "@/lib/api";
import {
  EXPERIENCE_LEVELS,
  PROFICIENCY_LEVELS,
  useCandidateSearch,
  type CandidateHit,
  type CandidateSearch as SearchParams,
} from "@/lib/candidates";
import { useSkillCategories, useSkills } from "@/lib/skills";
import { Pager } from "./invitations-list";

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function SkillPicker({ selected, onChange }: { selected: string[]; onChange: (ids: string[]) => void }) {
  const skills = useSkills();
  const categories = useSkillCategories();
  const [filter, setFilter] = React.useState("");
  if (skills.isPending) return <LoadingBlock rows={1} label="Loading skills" />;
  if (skills.isError)
    return (
      <Alert variant="warning" title="The skill catalogue is unavailable">
        {errorMessage(skills.error)} — you can still search by experience, proficiency and years.
      </Alert>
    );
  const order = new Map((categories.data ?? []).map((c, i) => [c.id, i]));
  const visible = skills.data.filter((s) => s.name.toLowerCase().includes(filter.trim().toLowerCase()));
  const groups = new Map<string, { name: string; rank: number; skills: typeof visible }>();
  for (const s of visible) {
    const key = s.categoryId ?? "none";
    const g = groups.get(key) ?? { name: s.categoryName ?? "Other", rank: order.get(key) ?? 999, skills: [] };
    g.skills.push(s);
    groups.set(key, g);
  }
  const names = new Map(skills.data.map((s) => [s.id, s.name]));
  const toggle = (id: string) => onChange(selected.includes(id) ? selected.filter((x) => x !== id) : [...selected, id]);
  return (
    <fieldset className="space-y-2">
      <legend className="text-sm font-medium">Skills</legend>
      {selected.length > 0 && (
        <ul aria-label="Selected skills" className="flex flex-wrap gap-1">
          {selected.map((id) => (
            <li key={id}>
              <button
                type="button"
                onClick={() => toggle(id)}
                className="inline-flex items-center gap-1 rounded-full bg-primary px-2.5 py-0.5 text-xs font-semibold text-primary-foreground focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
                aria-label={`Remove ${names.get(id) ?? "skill"}`}
              >
                {names.get(id) ?? id} <span aria-hidden>×</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <Input aria-label="Filter skills" placeholder="Filter skills…" value={filter} onChange={(e) => setFilter(e.target.value)} />
      <div className="max-h-56 space-y-3 overflow-y-auto rounded-md border p-3">
        {visible.length === 0 && <p className="text-sm text-muted-foreground">No skill matches “{filter}”.</p>}
        {[...groups.entries()]
          .sort((a, b) => a[1].rank - b[1].rank || a[1].name.localeCompare(b[1].name))
          .map(([key, g]) => (
            <div key={key}>
              <p className="mb-1 text-xs font-semibold uppercase tracking-wide text-muted-foreground">{g.name}</p>
              <div className="grid grid-cols-1 gap-1 sm:grid-cols-2 lg:grid-cols-3">
                {g.skills.map((s) => (
                  <label key={s.id} className="flex cursor-pointer items-center gap-2 text-sm">
                    <input type="checkbox" className="h-4 w-4 accent-primary" checked={selected.includes(s.id)} onChange={() => toggle(s.id)} />
                    {s.name}
                  </label>
                ))}
              </div>
            </div>
          ))}
      </div>
    </fieldset>
  );
}

function ResultCard({ hit, onInvite }: { hit: CandidateHit; onInvite: (hit: CandidateHit) => void }) {
  const name = hit.fullName.trim() || hit.email;
  return (
    <Card>
      <CardContent className="flex flex-col gap-3 pt-5 sm:flex-row sm:items-start sm:justify-between">
        <div className="min-w-0 space-y-1">
          <h3 className="font-semibold">{name}</h3>
          <p className="break-all text-sm text-muted-foreground">{hit.email}</p>
          <div className="flex flex-wrap gap-1 pt-1">
            <Badge variant="outline">{hit.experienceLevel ? cap(hit.experienceLevel) : "Level not set"}</Badge>
            <Badge variant="secondary">{hit.matchScore} yrs total</Badge>
          </div>
          {hit.matchedSkills.length > 0 ? (
            <ul className="flex flex-wrap gap-1 pt-1" aria-label={`Skills of ${name}`}>
              {hit.matchedSkills.map((s) => (
                <li key={s.skillId}>
                  <Badge variant="outline" className="font-normal">
                    {s.skillName} · {s.proficiencyLevel} · {s.yearsOfExperience}y
                  </Badge>
                </li>
              ))}
            </ul>
          ) : (
            <p className="text-xs text-muted-foreground">No skills in profile</p>
          )}
        </div>
        <Button className="shrink-0" onClick={() => onInvite(hit)} aria-label={`Invite ${name}`}>
          Invite
        </Button>
      </CardContent>
    </Card>
  );
}

export function CandidateSearch({ onInvite }: { onInvite: (hit: CandidateHit) => void }) {
  const [skillIds, setSkillIds] = React.useState<string[]>([]);
  const [minProficiency, setMinProficiency] = React.useState("");
  const [minYears, setMinYears] = React.useState("");
  const [experienceLevel, setExperienceLevel] = React.useState("");
  const [yearsError, setYearsError] = React.useState<string | null>(null);
  const [params, setParams] = React.useState<SearchParams | null>({ skillIds: [], page: 1 });
  const results = useCandidateSearch(params);

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const years = minYears.trim() === "" ? undefined : Number(minYears);
    if (years !== undefined && (!Number.isInteger(years) || years < 0 || years > 50)) {
      setYearsError("Enter whole years between 0 and 50");
      return;
    }
    setYearsError(null);
    setParams({ skillIds, minProficiency: minProficiency || undefined, minYears: years, experienceLevel: experienceLevel || undefined, page: 1 });
  };

  return (
    <div className="space-y-6">
      <form onSubmit={submit} className="space-y-4 rounded-lg border p-4" aria-label="Search candidates">
        <SkillPicker selected={skillIds} onChange={setSkillIds} />
        <div className="grid grid-cols-1 gap-4 sm:grid-cols-3">
          <div className="space-y-1.5">
            <Label htmlFor="search-minProficiency">Minimum proficiency</Label>
            <NativeSelect id="search-minProficiency" value={minProficiency} onChange={(e) => setMinProficiency(e.target.value)}>
              <option value="">Any</option>
              {PROFICIENCY_LEVELS.map((p) => (
                <option key={p} value={p}>
                  {cap(p)}
                </option>
              ))}
            </NativeSelect>
          </div>
          <div className="space-y-1.5">
            <Label htmlFor="search-minYears">Minimum years</Label>
            <Input
              id="search-minYears"
              type="number"
              inputMode="numeric"
              min={0}
              max={50}
              value={minYears}
              onChange={(e) => setMinYears(e.target.value)}
              aria-invalid={yearsError ? true : undefined}
              aria-describedby={yearsError ? "search-minYears-error" : undefined}
            />
            {yearsError && (
              <p id="search-minYears-error" role="alert" className="text-xs font-medium text-destructive">
                {yearsError}
              </p>
            )}
          </div>
          <div className="space-y-1.5">
            <Label htmlFor="search-experienceLevel">Experience level</Label>
            <NativeSelect id="search-experienceLevel" value={experienceLevel} onChange={(e) => setExperienceLevel(e.target.value)}>
              <option value="">Any</option>
              {EXPERIENCE_LEVELS.map((p) => (
                <option key={p} value={p}>
                  {cap(p)}
                </option>
              ))}
            </NativeSelect>
          </div>
        </div>
        <p className="text-xs text-muted-foreground">
          With skills selected, candidates must have all of them (each meeting the minimums). Free-text search is not offered by the API.
        </p>
        <Button type="submit" disabled={results.isFetching}>
          Search
        </Button>
      </form>

      <section aria-label="Search results" aria-busy={results.isFetching} className="space-y-3">
        {results.isPending ? (
          <LoadingBlock label="Searching candidates" />
        ) : results.isError ? (
          <ErrorState error={results.error} onRetry={() => void results.refetch()} title="The search failed" />
        ) : results.data.data.length === 0 ? (
          <EmptyState title="No candidate matches" description="Loosen the filters or remove some skills." />
        ) : (
          <>
            <h2 className="text-sm font-medium text-muted-foreground">
              {results.data.pagination.total} candidate{results.data.pagination.total === 1 ? "" : "s"} found
            </h2>
            <ul className="space-y-3">
              {results.data.data.map((hit) => (
                <li key={hit.userId}>
                  <ResultCard hit={hit} onInvite={onInvite} />
                </li>
              ))}
            </ul>
            <Pager
              page={results.data.pagination.page}
              totalPages={results.data.pagination.totalPages}
              total={results.data.pagination.total}
              onPage={(page) => setParams((p) => (p ? { ...p, page } : p))}
            />
          </>
        )}
      </section>
    </div>
  );
}
