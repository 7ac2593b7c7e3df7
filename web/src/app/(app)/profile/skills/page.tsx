"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Pencil, Plus, Trash2 } from "lucide-react";
import * as React from "react";
import { ConfirmDialog } from "@/components/admin/confirm-dialog";
import { SkillDialog } from "@/components/profile/skill-dialog";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Alert, EmptyState, ErrorState, LoadingBlock, PageHeader } from "@/components/ui/feedback";
import { Field, NativeSelect } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";
import { errorMessage } from "@/lib/api";
import {
  addMySkill,
  EXPERIENCE_LEVELS,
  labelOf,
  PROFICIENCY_LEVELS,
  profileKeys,
  removeMySkill,
  setExperienceLevel,
  updateMySkill,
  useMe,
  useMySkills,
  type CandidateSkillValues,
} from "@/lib/profile";
import type { CandidateSkill } from "@/lib/skills";

const KEY = profileKeys.skills;

function ExperienceLevel({ current }: { current: string | null }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [level, setLevel] = React.useState(current ?? "");
  React.useEffect(() => setLevel(current ?? ""), [current]);
  const save = useMutation({
    mutationFn: (experienceLevel: string) => setExperienceLevel(experienceLevel),
    onSuccess: () => {
      toast({ title: "Experience level saved", variant: "success" });
      void queryClient.invalidateQueries({ queryKey: KEY });
    },
  });
  return (
    <form
      className="flex flex-col gap-3 sm:flex-row sm:items-end"
      onSubmit={(e) => {
        e.preventDefault();
        if (level) save.mutate(level);
      }}
    >
      <Field id="experience-level" label="Experience level" className="flex-1">
        <NativeSelect id="experience-level" value={level} onChange={(e) => setLevel(e.target.value)}>
          {!current && <option value="">Not set</option>}
          {EXPERIENCE_LEVELS.map((l) => (
            <option key={l.value} value={l.value}>
              {l.label}
            </option>
          ))}
        </NativeSelect>
      </Field>
      <Button type="submit" disabled={!level || level === current || save.isPending}>
        {save.isPending ? "Saving…" : "Save level"}
      </Button>
      {save.isError && (
        <p role="alert" className="text-sm text-destructive">
          {errorMessage(save.error)}
        </p>
      )}
    </form>
  );
}

export default function MySkillsPage() {
  const me = useMe();
  const isCandidate = me.data?.role === "candidate";
  const queryClient = useQueryClient();
  const toast = useToast();
  const skills = useMySkills(isCandidate);
  const [dialog, setDialog] = React.useState<{ open: boolean; editing: CandidateSkill | null }>({ open: false, editing: null });
  const [toRemove, setToRemove] = React.useState<CandidateSkill | null>(null);

  const remove = useMutation({
    mutationFn: (s: CandidateSkill) => removeMySkill(s.skillId),
    onSuccess: (_d, s) => {
      toast({ title: `${s.skillName} removed`, variant: "success" });
      setToRemove(null);
      void queryClient.invalidateQueries({ queryKey: KEY });
    },
  });

  const save = async (values: CandidateSkillValues) => {
    const body = { proficiencyLevel: values.proficiencyLevel, yearsOfExperience: values.yearsOfExperience };
    if (dialog.editing) await updateMySkill(dialog.editing.skillId, body);
    else await addMySkill(values.skillId, body);
    toast({ title: dialog.editing ? "Skill updated" : "Skill added", variant: "success" });
    await queryClient.invalidateQueries({ queryKey: KEY });
  };

  if (!isCandidate) {
    return (
      <>
        <PageHeader title="My skills" />
        <Alert>Skills and experience level are part of a candidate profile; your account is not a candidate account.</Alert>
      </>
    );
  }

  const groups = skills.data?.skills ?? [];
  const taken = new Set(groups.flatMap((g) => g.skills.map((s) => s.skillId)));

  return (
    <>
      <PageHeader
        title="My skills"
        description="HR finds candidates by these skills, levels and years."
        actions={
          <Button onClick={() => setDialog({ open: true, editing: null })} disabled={!skills.isSuccess}>
            <Plus aria-hidden /> Add skill
          </Button>
        }
      />
      {skills.isPending ? (
        <LoadingBlock label="Loading your skills…" />
      ) : skills.isError ? (
        <ErrorState error={skills.error} onRetry={() => void skills.refetch()} title="Could not load your skills" />
      ) : (
        <div className="space-y-6">
          <Card>
            <CardHeader>
              <CardTitle>Experience</CardTitle>
              <CardDescription>Your overall seniority.</CardDescription>
            </CardHeader>
            <CardContent>
              <ExperienceLevel current={skills.data.experienceLevel} />
            </CardContent>
          </Card>
          {groups.length === 0 ? (
            <EmptyState
              title="No skills yet"
              description="Add the skills you want HR to find you by."
              action={
                <Button variant="outline" onClick={() => setDialog({ open: true, editing: null })}>
                  Add your first skill
                </Button>
              }
            />
          ) : (
            groups.map((group) => (
              <Card key={group.categoryId ?? "none"}>
                <CardHeader>
                  <CardTitle>{group.categoryName ?? "Other"}</CardTitle>
                </CardHeader>
                <CardContent>
                  <ul className="divide-y">
                    {group.skills.map((s) => (
                      <li key={s.skillId} className="flex flex-col gap-2 py-3 sm:flex-row sm:items-center sm:justify-between">
                        <div>
                          <p className="font-medium">{s.skillName}</p>
                          <p className="flex flex-wrap items-center gap-2 text-sm text-muted-foreground">
                            <Badge variant="secondary">{labelOf(PROFICIENCY_LEVELS, s.proficiencyLevel)}</Badge>
                            {s.yearsOfExperience === 1 ? "1 year" : `${s.yearsOfExperience} years`}
                          </p>
                        </div>
                        <div className="flex gap-2">
                          <Button size="sm" variant="outline" onClick={() => setDialog({ open: true, editing: s })} aria-label={`Edit ${s.skillName}`}>
                            <Pencil aria-hidden /> Edit
                          </Button>
                          <Button
                            size="sm"
                            variant="outline"
                            className="text-destructive"
                            onClick={() => {
                              remove.reset();
                              setToRemove(s);
                            }}
                            aria-label={`Remove ${s.skillName}`}
                          >
                            <Trash2 aria-hidden /> Remove
                          </Button>
                        </div>
                      </li>
                    ))}
                  </ul>
                </CardContent>
              </Card>
            ))
          )}
        </div>
      )}
      <SkillDialog open={dialog.open} editing={dialog.editing} taken={taken} onOpenChange={(open) => setDialog((d) => ({ ...d, open }))} onSave={save} />
      <ConfirmDialog
        open={toRemove !== null}
        onOpenChange={(o) => !o && setToRemove(null)}
        title={`Remove ${toRemove?.skillName ?? "skill"}?`}
        description="It disappears from your profile; you can add it again later."
        confirmLabel="Remove skill"
        pending={remove.isPending}
        error={remove.error}
        onConfirm={() => toRemove && remove.mutate(toRemove)}
      />
    </>
  );
}
