import Link from "next/link";
import { Card } from "@/components/ui/card";
import { STARTERS } from "@/lib/starters";

/** Starting points above a blank wizard; choosing one reloads the page with its draft filled in. */
export function StarterPicker({ current }: { current?: string }) {
  return (
    <section aria-labelledby="starters-heading" className="mb-6">
      <h2 id="starters-heading" className="mb-2 text-sm font-semibold">
        Start from a starter template
      </h2>
      <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
        {STARTERS.map((s) => (
          <li key={s.slug}>
            <Card className={current === s.slug ? "h-full p-3 ring-2 ring-ring" : "h-full p-3"}>
              <Link href={`/hr/templates/create?starter=${s.slug}`} className="font-medium hover:underline" aria-current={current === s.slug ? "true" : undefined}>
                {s.name}
              </Link>
              <p className="mt-1 text-sm text-muted-foreground">{s.summary}</p>
            </Card>
          </li>
        ))}
      </ul>
    </section>
  );
}
