"use client";

import { FileText, Sparkles, UserPlus, Users } from "lucide-react";
import Link from "next/link";
import { Card, CardContent, CardDescription, CardHeader } from "@/components/ui/card";
import { ErrorState, Skeleton, PageHeader } from "@/components/ui/feedback";
import { useAdminSkillCounts } from "@/lib/skills";
import { ROLE_LABELS, useUserRoles, useUserSample, useUserStats } from "@/lib/users";

const ROLE_SAMPLE = 100;

function Stat({ label, value, hint }: { label: string; value: number | undefined; hint?: string }) {
  return (
    <Card>
      <CardHeader className="pb-2">
        <CardDescription>{label}</CardDescription>
        {value === undefined ? <Skeleton className="h-8 w-16" /> : <p className="text-3xl font-bold tabular-nums">{value}</p>}
      </CardHeader>
      {hint && <CardContent className="text-xs text-muted-foreground">{hint}</CardContent>}
    </Card>
  );
}

export default function AdminDashboardPage() {
  const stats = useUserStats();
  const skills = useAdminSkillCounts();
  // Roles live in Keycloak, per account: counted over the first accounts.
  const accounts = useUserSample(ROLE_SAMPLE);
  const roles = useUserRoles(accounts.data?.data ?? []);
  const rolesReady = accounts.isSuccess && roles.every((q) => q.isSuccess);
  const byRole: Record<string, number> = { admin: 0, hr: 0, candidate: 0, pending: 0 };
  if (rolesReady) for (const q of roles) for (const r of q.data ?? []) byRole[r] = (byRole[r] ?? 0) + 1;
  const rolesFailed = accounts.isError || roles.some((q) => q.isError);

  return (
    <>
      <PageHeader title="Admin dashboard" description="Accounts and the skills catalogue at a glance." />

      <section aria-labelledby="users-heading" className="space-y-3">
        <h2 id="users-heading" className="text-lg font-semibold">
          Users
        </h2>
        {stats.isError ? (
          <ErrorState error={stats.error} onRetry={() => void stats.refetch()} title="Could not load user statistics" />
        ) : (
          <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
            <Stat label="Total users" value={stats.data?.totalUsers} />
            <Stat label="Active" value={stats.data?.activeUsers} />
            <Stat label="Suspended" value={stats.data?.suspendedUsers} />
            <Stat label="Deleted" value={stats.data?.deletedUsers} />
          </div>
        )}
      </section>

      <section aria-labelledby="roles-heading" className="mt-8 space-y-3">
        <h2 id="roles-heading" className="text-lg font-semibold">
          By role
        </h2>
        {rolesFailed ? (
          <ErrorState error={accounts.error ?? roles.find((q) => q.isError)?.error} onRetry={() => void accounts.refetch()} title="Could not count roles" />
        ) : (
          <>
            <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
              {(["admin", "hr", "candidate", "pending"] as const).map((r) => (
                <Stat key={r} label={r === "pending" ? "Pending (no role yet)" : ROLE_LABELS[r]} value={rolesReady ? byRole[r] : undefined} />
              ))}
            </div>
            {accounts.data && accounts.data.count >= ROLE_SAMPLE && (
              <p className="text-xs text-muted-foreground">Counted over the first {ROLE_SAMPLE} accounts.</p>
            )}
          </>
        )}
      </section>

      <section aria-labelledby="skills-heading" className="mt-8 space-y-3">
        <h2 id="skills-heading" className="text-lg font-semibold">
          Skills catalogue
        </h2>
        {skills.isError ? (
          <ErrorState error={skills.error} onRetry={() => void skills.refetch()} title="Could not load the catalogue" />
        ) : (
          <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
            <Stat label="Skills" value={skills.data?.total} />
            <Stat label="Active skills" value={skills.data?.active} />
          </div>
        )}
      </section>

      <section aria-labelledby="links-heading" className="mt-8 space-y-3">
        <h2 id="links-heading" className="text-lg font-semibold">
          Quick links
        </h2>
        <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
          {[
            { href: "/admin/users", label: "Manage users", icon: Users },
            { href: "/admin/users/create", label: "Create a user", icon: UserPlus },
            { href: "/admin/skills", label: "Skills catalogue", icon: Sparkles },
            { href: "/hr/templates", label: "Interview templates", icon: FileText },
          ].map(({ href, label, icon: Icon }) => (
            <li key={href}>
              <Link
                href={href}
                className="flex items-center gap-3 rounded-lg border p-4 text-sm font-medium hover:bg-accent focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
              >
                <Icon className="h-5 w-5 text-primary" aria-hidden />
                {label}
              </Link>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
