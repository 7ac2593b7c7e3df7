"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Pencil, Plus, Trash2 } from "lucide-react";
import Link from "next/link";
import * as React from "react";
import { ConfirmDialog } from "@/components/admin/confirm-dialog";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState, ErrorState, LoadingBlock, PageHeader } from "@/components/ui/feedback";
import { Input, Label, NativeSelect } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";
import { errorMessage } from "@/lib/api";
import {
  deleteSkill,
  skillKeys,
  toggleSkill,
  useAdminSkills,
  useSkillCategories,
  type Skill,
  type SkillStatusFilter as StatusFilter,
} from "@/lib/skills";

export default function AdminSkillsPage() {
  const queryClient = useQueryClient();
  const toast = useToast();
  const categories = useSkillCategories();
  const [search, setSearch] = React.useState("");
  const [categoryId, setCategoryId] = React.useState("");
  const [status, setStatus] = React.useState<StatusFilter>("all");
  const [toDelete, setToDelete] = React.useState<Skill | null>(null);

  const skills = useAdminSkills(categoryId, status);

  const toggle = useMutation({
    mutationFn: (skill: Skill) => toggleSkill(skill),
    onSuccess: (_data, skill) => {
      toast({ title: skill.isActive ? `${skill.name} deactivated` : `${skill.name} activated`, variant: "success" });
      void queryClient.invalidateQueries({ queryKey: skillKeys.admin });
    },
    onError: (error, skill) => toast({ title: `Could not change ${skill.name}`, description: errorMessage(error), variant: "error" }),
  });

  const remove = useMutation({
    mutationFn: (skill: Skill) => deleteSkill(skill.id),
    onSuccess: (_data, skill) => {
      toast({ title: `${skill.name} deleted`, variant: "success" });
      setToDelete(null);
      void queryClient.invalidateQueries({ queryKey: skillKeys.admin });
    },
  });

  const needle = search.trim().toLowerCase();
  const visible = (skills.data ?? []).filter((s) => !needle || s.name.toLowerCase().includes(needle) || (s.description ?? "").toLowerCase().includes(needle));
  const groups = React.useMemo(() => {
    const order = new Map((categories.data ?? []).map((c, i) => [c.id, i]));
    const byCategory = new Map<string, { name: string; sort: number; skills: Skill[] }>();
    for (const skill of visible) {
      const key = skill.categoryId ?? "";
      const group = byCategory.get(key) ?? { name: skill.categoryName ?? "Uncategorised", sort: order.get(key) ?? 10_000, skills: [] };
      group.skills.push(skill);
      byCategory.set(key, group);
    }
    return [...byCategory.entries()].sort((a, b) => a[1].sort - b[1].sort || a[1].name.localeCompare(b[1].name));
  }, [visible, categories.data]);

  const total = skills.data?.length ?? 0;
  const active = skills.data?.filter((s) => s.isActive).length ?? 0;

  return (
    <>
      <PageHeader
        title="Skills catalogue"
        description="Skills candidates add to their profiles and HR searches by. Inactive skills cannot be newly added; candidates keep the ones they have."
        actions={
          <Button asChild>
            <Link href="/admin/skills/create">
              <Plus aria-hidden /> Create skill
            </Link>
          </Button>
        }
      />

      <form role="search" aria-label="Skill filters" className="mb-6 grid gap-3 sm:grid-cols-3" onSubmit={(e) => e.preventDefault()}>
        <div className="space-y-1.5">
          <Label htmlFor="skill-search">Search skills</Label>
          <Input id="skill-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Name or description" />
        </div>
        <div className="space-y-1.5">
          <Label htmlFor="skill-category-filter">Filter by category</Label>
          <NativeSelect id="skill-category-filter" value={categoryId} onChange={(e) => setCategoryId(e.target.value)}>
            <option value="">All categories</option>
            {(categories.data ?? []).map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </NativeSelect>
        </div>
        <div className="space-y-1.5">
          <Label htmlFor="skill-status-filter">Filter by status</Label>
          <NativeSelect id="skill-status-filter" value={status} onChange={(e) => setStatus(e.target.value as StatusFilter)}>
            <option value="all">Active and inactive</option>
            <option value="active">Active only</option>
            <option value="inactive">Inactive only</option>
          </NativeSelect>
        </div>
      </form>

      {skills.isPending ? (
        <LoadingBlock rows={5} label="Loading skills…" />
      ) : skills.isError ? (
        <ErrorState error={skills.error} onRetry={() => void skills.refetch()} title="Could not load the skills" />
      ) : visible.length === 0 ? (
        <EmptyState
          title={total === 0 ? "No skills here" : "No skill matches your search"}
          description={total === 0 ? "Create a skill, or change the filters." : "Try another name."}
          action={
            <Button asChild variant="outline">
              <Link href="/admin/skills/create">Create skill</Link>
            </Button>
          }
        />
      ) : (
        <div className="space-y-6">
          <p className="text-sm text-muted-foreground" aria-live="polite">
            Showing {visible.length} of {total} skills ({active} active).
          </p>
          {groups.map(([key, group]) => (
            <Card key={key || "none"}>
              <CardHeader>
                <CardTitle>
                  {group.name} <span className="text-sm font-normal text-muted-foreground">({group.skills.length})</span>
                </CardTitle>
              </CardHeader>
              <CardContent>
                <ul className="divide-y">
                  {group.skills.map((skill) => (
                    <li key={skill.id} className="flex flex-col gap-2 py-3 sm:flex-row sm:items-center sm:justify-between">
                      <div className="min-w-0">
                        <p className="flex flex-wrap items-center gap-2 font-medium">
                          <span>{skill.name}</span>
                          <Badge variant={skill.isActive ? "success" : "secondary"}>{skill.isActive ? "Active" : "Inactive"}</Badge>
                        </p>
                        {skill.description && <p className="text-sm text-muted-foreground">{skill.description}</p>}
                      </div>
                      <div className="flex shrink-0 flex-wrap gap-2">
                        <Button
                          size="sm"
                          variant="outline"
                          onClick={() => toggle.mutate(skill)}
                          disabled={toggle.isPending && toggle.variables?.id === skill.id}
                          aria-label={`${skill.isActive ? "Deactivate" : "Activate"} ${skill.name}`}
                        >
                          {skill.isActive ? "Deactivate" : "Activate"}
                        </Button>
                        <Button size="sm" variant="outline" asChild>
                          <Link href={`/admin/skills/${skill.id}/edit`} aria-label={`Edit ${skill.name}`}>
                            <Pencil aria-hidden /> Edit
                          </Link>
                        </Button>
                        <Button
                          size="sm"
                          variant="outline"
                          className="text-destructive"
                          onClick={() => {
                            remove.reset();
                            setToDelete(skill);
                          }}
                          aria-label={`Delete ${skill.name}`}
                        >
                          <Trash2 aria-hidden /> Delete
                        </Button>
                      </div>
                    </li>
                  ))}
                </ul>
              </CardContent>
            </Card>
          ))}
        </div>
      )}

      <ConfirmDialog
        open={toDelete !== null}
        onOpenChange={(open) => !open && setToDelete(null)}
        title={`Delete ${toDelete?.name ?? "skill"}?`}
        description="The skill is removed from the catalogue and from every candidate profile that lists it. This cannot be undone; deactivate it instead to keep existing profiles."
        confirmLabel="Delete skill"
        pending={remove.isPending}
        error={remove.error}
        onConfirm={() => toDelete && remove.mutate(toDelete)}
      />
    </>
  );
}
