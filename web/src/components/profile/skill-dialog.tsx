"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import * as React from "react";
import type { z } from "zod";
import { useForm } from "react-hook-form";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Alert, ErrorState, LoadingBlock } from "@/components/ui/feedback";
import { Field, Input, NativeSelect } from "@/components/ui/input";
import { ApiError, errorMessage } from "@/lib/api";
import { candidateSkillSchema, PROFICIENCY_LEVELS, type CandidateSkillValues } from "@/lib/profile";
import { useSkillCatalogue, type CandidateSkill, type Skill } from "@/lib/skills";


type FormInput = z.input<typeof candidateSkillSchema>;

/** Add a skill from the active catalogue, or change the level and years of one already listed. */
export function SkillDialog({
  open,
  onOpenChange,
  editing,
  taken,
  onSave,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  editing: CandidateSkill | null;
  taken: Set<string>;
  onSave: (values: CandidateSkillValues) => Promise<void>;
}) {
  const catalogue = useSkillCatalogue(open && !editing);
  const [formError, setFormError] = React.useState<string | null>(null);
  const {
    register,
    handleSubmit,
    reset,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<FormInput, unknown, CandidateSkillValues>({ resolver: zodResolver(candidateSkillSchema) });

  React.useEffect(() => {
    if (!open) return;
    setFormError(null);
    reset(
      editing
        ? { skillId: editing.skillId, proficiencyLevel: editing.proficiencyLevel as CandidateSkillValues["proficiencyLevel"], yearsOfExperience: editing.yearsOfExperience }
        : { skillId: "", proficiencyLevel: "intermediate", yearsOfExperience: 1 },
    );
  }, [open, editing, reset]);

  const submit = handleSubmit(async (values) => {
    setFormError(null);
    try {
      await onSave(values);
      onOpenChange(false);
    } catch (error) {
      const fields = error instanceof ApiError ? error.fieldErrors() : {};
      let placed = false;
      for (const name of ["skillId", "proficiencyLevel", "yearsOfExperience"] as const) {
        if (fields[name]) {
          setError(name, { message: fields[name] });
          placed = true;
        }
      }
      if (!placed) setFormError(errorMessage(error));
    }
  });

  const groups = React.useMemo(() => {
    const map = new Map<string, Skill[]>();
    for (const s of catalogue.data ?? []) {
      if (taken.has(s.id)) continue;
      const key = s.categoryName ?? "Other";
      map.set(key, [...(map.get(key) ?? []), s]);
    }
    return [...map.entries()];
  }, [catalogue.data, taken]);

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>{editing ? `Edit ${editing.skillName}` : "Add a skill"}</DialogTitle>
          <DialogDescription>{editing ? "Change your level and experience." : "Pick a skill from the catalogue and say how well you know it."}</DialogDescription>
        </DialogHeader>
        {!editing && catalogue.isPending ? (
          <LoadingBlock rows={2} label="Loading the skills catalogue…" />
        ) : !editing && catalogue.isError ? (
          <ErrorState error={catalogue.error} onRetry={() => void catalogue.refetch()} title="Could not load the skills catalogue" />
        ) : (
          <form onSubmit={submit} noValidate className="space-y-4">
            {formError && <Alert variant="error">{formError}</Alert>}
            {!editing && (
              <Field id="cs-skill" label="Skill" error={errors.skillId?.message}>
                <NativeSelect id="cs-skill" aria-invalid={!!errors.skillId} aria-describedby={errors.skillId ? "cs-skill-error" : undefined} {...register("skillId")}>
                  <option value="">Choose a skill…</option>
                  {groups.map(([category, skills]) => (
                    <optgroup key={category} label={category}>
                      {skills.map((s) => (
                        <option key={s.id} value={s.id}>
                          {s.name}
                        </option>
                      ))}
                    </optgroup>
                  ))}
                </NativeSelect>
              </Field>
            )}
            <Field id="cs-proficiency" label="Proficiency" error={errors.proficiencyLevel?.message}>
              <NativeSelect id="cs-proficiency" aria-invalid={!!errors.proficiencyLevel} {...register("proficiencyLevel")}>
                {PROFICIENCY_LEVELS.map((p) => (
                  <option key={p.value} value={p.value}>
                    {p.label}
                  </option>
                ))}
              </NativeSelect>
            </Field>
            <Field id="cs-years" label="Years of experience" error={errors.yearsOfExperience?.message}>
              <Input
                id="cs-years"
                type="number"
                inputMode="numeric"
                min={0}
                max={50}
                step={1}
                aria-invalid={!!errors.yearsOfExperience}
                aria-describedby={errors.yearsOfExperience ? "cs-years-error" : undefined}
                {...register("yearsOfExperience")}
              />
            </Field>
            <DialogFooter>
              <Button variant="outline" onClick={() => onOpenChange(false)} disabled={isSubmitting}>
                Cancel
              </Button>
              <Button type="submit" disabled={isSubmitting}>
                {isSubmitting ? "Saving…" : editing ? "Save skill" : "Add skill"}
              </Button>
            </DialogFooter>
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}
