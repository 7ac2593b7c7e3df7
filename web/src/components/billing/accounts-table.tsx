import { Badge } from "@/components/ui/badge";
import { formatCount, formatStorage, isUnlimited, planName, subscriptionStatus, type BillingAccount } from "@/lib/billing";
import { formatDate } from "@/lib/utils";

function usedOf(used: number, limit: number): string {
  return isUnlimited(limit) ? `${formatCount(used)} (unlimited)` : `${formatCount(used)} of ${formatCount(limit)}`;
}

/** Billed accounts for admins: who, which plan in what state, and how much of it is used. */
export function AccountsTable({ accounts, caption }: { accounts: BillingAccount[]; caption: string }) {
  return (
    // Scrolls sideways on a phone: focusable, so the keyboard can scroll it too.
    <div className="relative overflow-x-auto rounded-lg border focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring" tabIndex={0} role="region" aria-label={caption}>
      <table className="w-full min-w-[900px] text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-muted/50 text-left">
          <tr>
            <th scope="col" className="px-3 py-2 font-medium">Account</th>
            <th scope="col" className="px-3 py-2 font-medium">Plan</th>
            <th scope="col" className="px-3 py-2 font-medium">Status</th>
            <th scope="col" className="px-3 py-2 font-medium">Interviews this month</th>
            <th scope="col" className="px-3 py-2 font-medium">Templates</th>
            <th scope="col" className="px-3 py-2 font-medium">Team members</th>
            <th scope="col" className="px-3 py-2 text-right font-medium">AI tokens</th>
            <th scope="col" className="px-3 py-2 text-right font-medium">Storage</th>
          </tr>
        </thead>
        <tbody className="divide-y">
          {accounts.map((a) => {
            const status = subscriptionStatus(a.status);
            return (
              <tr key={a.companyId}>
                <td className="px-3 py-2">
                  <p className="font-medium">{a.accountName ?? a.billingEmail ?? "Unnamed account"}</p>
                  {a.accountName && a.billingEmail && <p className="text-xs text-muted-foreground">{a.billingEmail}</p>}
                </td>
                <td className="px-3 py-2">{planName(a.planType)}</td>
                <td className="px-3 py-2">
                  <Badge variant={status.tone}>{status.label}</Badge>
                  {a.cancelAtPeriodEnd && <p className="mt-1 text-xs text-muted-foreground">Ends {formatDate(a.currentPeriodEnd)}</p>}
                </td>
                <td className="whitespace-nowrap px-3 py-2">{usedOf(a.usage.interviewsUsed, a.limits.interviewsPerMonth)}</td>
                <td className="whitespace-nowrap px-3 py-2">{usedOf(a.usage.templatesUsed, a.limits.maxTemplates)}</td>
                <td className="whitespace-nowrap px-3 py-2">{usedOf(a.usage.teamMembersUsed, a.limits.maxTeamMembers)}</td>
                <td className="whitespace-nowrap px-3 py-2 text-right">{formatCount(a.usage.analysisTokensUsed)}</td>
                <td className="whitespace-nowrap px-3 py-2 text-right">{formatStorage(a.usage.storageUsedMb)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
