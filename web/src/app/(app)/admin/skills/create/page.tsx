"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { SkillForm } from "@/components/admin/skill-form";
import { PageHeader } from "@/components/ui/feedback";
import { useToast } from "@/components/ui/toast";
import { createSkill, skillKeys, skillPayload, slugify } from "@/lib/skills";

export default function CreateSkillPage() {
  const router = useRouter();
  const queryClient = useQueryClient();
  const toast = useToast();
  return (
    <>
      <PageHeader title="Create skill" description="Add a skill candidates can list on their profile and HR can search by." />
      <SkillForm
        submitLabel="Create skill"
        defaultValues={{ name: "", categoryId: "", description: "" }}
        onSubmit={async (values) => {
          const body = skillPayload(values);
          // The slug is the catalogue's unique key; names without latin letters or digits get a generated one.
          const slug = slugify(body.name) || `skill-${Date.now().toString(36)}`;
          await createSkill({ ...body, slug });
          await queryClient.invalidateQueries({ queryKey: skillKeys.admin });
          toast({ title: "Skill created", description: body.name, variant: "success" });
          router.push("/admin/skills");
        }}
      />
    </>
  );
}
