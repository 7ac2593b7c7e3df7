"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useParams, useRouter } from "next/navigation";
import { SkillForm } from "@/components/admin/skill-form";
import { ErrorState, LoadingBlock, PageHeader } from "@/components/ui/feedback";
import { useToast } from "@/components/ui/toast";
import { skillKeys, skillPayload, updateSkill, useAdminSkill } from "@/lib/skills";

export default function EditSkillPage() {
  const { id } = useParams<{ id: string }>();
  const router = useRouter();
  const queryClient = useQueryClient();
  const toast = useToast();
  const skill = useAdminSkill(id);

  return (
    <>
      <PageHeader title={skill.data ? `Edit ${skill.data.name}` : "Edit skill"} description="Rename, re-categorise or describe a catalogue skill." />
      {skill.isPending ? (
        <LoadingBlock label="Loading skill…" />
      ) : skill.isError ? (
        <ErrorState error={skill.error} onRetry={() => void skill.refetch()} title="Could not load this skill" />
      ) : (
        <SkillForm
          submitLabel="Save changes"
          defaultValues={{ name: skill.data.name, categoryId: skill.data.categoryId ?? "", description: skill.data.description ?? "" }}
          onSubmit={async (values) => {
            const body = skillPayload(values);
            await updateSkill(id, body);
            await queryClient.invalidateQueries({ queryKey: skillKeys.admin });
            await queryClient.invalidateQueries({ queryKey: skillKeys.adminOne(id) });
            toast({ title: "Skill saved", description: body.name, variant: "success" });
            router.push("/admin/skills");
          }}
        />
      )}
    </>
  );
}
