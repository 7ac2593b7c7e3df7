import { Badge } from "@/components/ui/badge";
import { QUESTION_TYPE_LABELS } from "@/lib/templates";

const STATUS_VARIANT = { active: "success", draft: "warning", archived: "secondary" } as const;

/** The template's status, spelled as the service spells it ("draft", "active", "archived"). */
export function TemplateStatusBadge({ status, ...props }: { status: string } & React.HTMLAttributes<HTMLSpanElement>) {
  const variant = STATUS_VARIANT[status as keyof typeof STATUS_VARIANT] ?? "outline";
  return (
    <Badge variant={variant} {...props}>
      {status}
    </Badge>
  );
}

export function QuestionTypeBadge({ type }: { type: string }) {
  return <Badge variant="outline">{QUESTION_TYPE_LABELS[type] ?? type}</Badge>;
}
