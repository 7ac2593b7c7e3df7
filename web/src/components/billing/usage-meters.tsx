import { Progress } from "@/components/ui/feedback";
import { formatCount, formatStorage, periodLabel, periodResetLabel, usageMeters, type Usage } from "@/lib/billing";
import { cn } from "@/lib/utils";

/** A bar per limited resource (unlimited ones say so instead), then the metered figures that have no limit. */
export function UsageMeters({ usage }: { usage: Usage }) {
  const meters = usageMeters(usage.usage);
  const reset = periodResetLabel(usage.period);
  return (
    <div className="space-y-5">
      <p className="text-sm text-muted-foreground">
        Usage for {periodLabel(usage.period)}.{reset ? ` The interview count starts again on ${reset}.` : ""}
      </p>
      <ul className="space-y-4" aria-label="Plan limits">
        {meters.map((m) => (
          <li key={m.key} className="space-y-1.5" data-testid={`meter-${m.key}`}>
            <div className="flex flex-wrap items-baseline justify-between gap-x-3 text-sm">
              <span className="font-medium">{m.label}</span>
              <span className={cn(m.state === "full" ? "font-semibold text-destructive" : m.state === "near" ? "text-amber-800" : "text-muted-foreground")}>
                {m.text}
                {m.state === "full" && " — limit reached"}
              </span>
            </div>
            {m.percent === null ? (
              <p className="text-xs text-muted-foreground">Unlimited on your plan</p>
            ) : (
              <Progress value={m.percent} label={`${m.label}: ${m.text}`} />
            )}
          </li>
        ))}
      </ul>
      <dl className="grid grid-cols-1 gap-3 border-t pt-4 text-sm sm:grid-cols-2">
        <div>
          <dt className="text-muted-foreground">AI analysis tokens this month</dt>
          <dd className="font-medium">{formatCount(usage.usage.analysisTokensUsed)}</dd>
        </div>
        <div>
          <dt className="text-muted-foreground">Recordings stored</dt>
          <dd className="font-medium">{formatStorage(usage.usage.storageUsedMb)}</dd>
        </div>
      </dl>
    </div>
  );
}
