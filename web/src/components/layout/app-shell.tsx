"use client";

import {
  BarChart3,
  Bell,
  Building2,
  ClipboardCheck,
  CreditCard,
  Database,
  FileText,
  LayoutDashboard,
  LineChart,
  LogOut,
  Mail,
  Menu,
  MessageSquareText,
  Scale,
  ScrollText,
  ShieldCheck,
  Sparkles,
  User,
  Users,
  Video,
  X,
} from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import * as React from "react";
import { ThemeToggle } from "@/components/layout/theme-toggle";
import { NotificationBell } from "@/components/notifications/notification-bell";
import { Button } from "@/components/ui/button";
import { ErrorState, Spinner } from "@/components/ui/feedback";
import { localeOf, translate } from "@/lib/i18n";
import { displayName, useMe } from "@/lib/profile";
import { logout } from "@/lib/session";
import { cn } from "@/lib/utils";

type NavItem = { href: string; label: string; icon: React.ComponentType<{ className?: string }> };

const NAV: Record<string, NavItem[]> = {
  admin: [
    { href: "/admin/dashboard", label: "Dashboard", icon: LayoutDashboard },
    { href: "/admin/users", label: "Users", icon: Users },
    { href: "/admin/skills", label: "Skills", icon: Sparkles },
    { href: "/admin/billing", label: "Billing accounts", icon: CreditCard },
    { href: "/admin/analytics", label: "Analytics", icon: LineChart },
    { href: "/hr/fairness", label: "Fairness", icon: Scale },
    { href: "/hr/audit", label: "Audit trail", icon: ScrollText },
    { href: "/hr/templates", label: "Templates", icon: FileText },
  ],
  hr: [
    { href: "/hr/dashboard", label: "Dashboard", icon: LayoutDashboard },
    { href: "/hr/templates", label: "Templates", icon: FileText },
    { href: "/hr/candidates", label: "Candidates", icon: Users },
    { href: "/hr/invitations", label: "Invitations", icon: Mail },
    { href: "/hr/review", label: "Review", icon: ClipboardCheck },
    { href: "/hr/messages", label: "Saved messages", icon: MessageSquareText },
    { href: "/hr/analytics", label: "Analytics", icon: LineChart },
    { href: "/hr/fairness", label: "Fairness", icon: Scale },
    { href: "/hr/audit", label: "Audit trail", icon: ScrollText },
    { href: "/hr/companies", label: "Companies", icon: Building2 },
  ],
  candidate: [
    { href: "/candidate/dashboard", label: "My interviews", icon: Video },
    { href: "/profile/skills", label: "My skills", icon: BarChart3 },
  ],
  pending: [],
};

const ROLE_LABELS: Record<string, string> = { admin: "Admin", hr: "HR", candidate: "Candidate", pending: "No role yet" };

const ACCOUNT: NavItem[] = [
  { href: "/profile", label: "Profile", icon: User },
  { href: "/profile/notifications", label: "Notification settings", icon: Bell },
  { href: "/profile/security", label: "Security", icon: ShieldCheck },
];

/** Downloading and erasing interview data is a candidate's right over their own data. */
const PRIVACY: NavItem = { href: "/profile/privacy", label: "Your data", icon: Database };

/** Plans and invoices belong to HR teams (admins act as HR): only they see the billing page. */
const BILLING: NavItem = { href: "/profile/billing", label: "Plan and billing", icon: CreditCard };

/** Up to two letters for the phone header's round badge ("Ada Lovelace" → "AL", "ada@x.org" → "A"). */
export function initials(name: string): string {
  const words = name.replace(/@.*/, "").split(/[\s._-]+/).filter(Boolean);
  return words.slice(0, 2).map((w) => w[0].toUpperCase()).join("") || "?";
}

export function accountNav(role: string): NavItem[] {
  if (role === "candidate") return [...ACCOUNT, PRIVACY];
  return role === "hr" || role === "admin" ? [...ACCOUNT, BILLING] : ACCOUNT;
}

function NavLinks({ items, onNavigate, t }: { items: NavItem[]; onNavigate?: () => void; t: (text: string) => string }) {
  const pathname = usePathname();
  return (
    <ul className="space-y-1">
      {items.map(({ href, label, icon: Icon }) => {
        const active = pathname === href || (href !== "/profile" && pathname.startsWith(`${href}/`));
        return (
          <li key={href}>
            <Link
              href={href}
              onClick={onNavigate}
              aria-current={active ? "page" : undefined}
              className={cn(
                "flex items-center gap-3 rounded-md px-3 py-2 text-sm font-medium hover:bg-accent focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring",
                active ? "bg-accent text-accent-foreground" : "text-muted-foreground",
              )}
            >
              <Icon className="h-4 w-4" aria-hidden />
              {t(label)}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}

export function AppShell({ children }: { children: React.ReactNode }) {
  const me = useMe();
  const [open, setOpen] = React.useState(false);
  const role = me.data?.role ?? "pending";
  const locale = localeOf(me.data?.language);
  const t = (text: string) => translate(locale, text);
  // The page's language for screen readers and the browser's own words (hyphenation, spell check).
  React.useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  const sidebar = (
    <nav aria-label={t("Main")} className="flex h-full flex-col gap-6 p-4">
      <Link href="/dashboard" className="flex items-center gap-2 px-2 text-lg font-bold">
        <Video className="h-5 w-5 text-primary" aria-hidden /> AI Interview
      </Link>
      <NavLinks items={NAV[role] ?? []} onNavigate={() => setOpen(false)} t={t} />
      <div>
        <p className="px-3 pb-1 text-xs font-semibold uppercase tracking-wide text-muted-foreground">{t("Account")}</p>
        <NavLinks items={accountNav(role)} onNavigate={() => setOpen(false)} t={t} />
      </div>
    </nav>
  );
  return (
    <div className="flex min-h-screen">
      <aside className="hidden w-60 shrink-0 border-r bg-muted/40 md:block">{sidebar}</aside>
      {open && (
        <div className="fixed inset-0 z-40 md:hidden" role="dialog" aria-modal="true" aria-label={t("Menu")}>
          <div className="absolute inset-0 bg-black/40" onClick={() => setOpen(false)} />
          <div className="absolute inset-y-0 left-0 w-64 bg-background shadow-xl">
            <Button variant="ghost" size="icon" className="absolute right-2 top-2" onClick={() => setOpen(false)} aria-label={t("Close menu")}>
              <X aria-hidden />
            </Button>
            {sidebar}
          </div>
        </div>
      )}
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex h-14 items-center justify-between gap-2 border-b px-4">
          <Button variant="ghost" size="icon" className="md:hidden" onClick={() => setOpen(true)} aria-label={t("Open menu")}>
            <Menu aria-hidden />
          </Button>
          {/* On a phone the sidebar is hidden: the header carries the logo and who is signed in. */}
          <Link href="/dashboard" className="flex items-center gap-2 font-bold md:hidden" aria-label={t("AI Interview, home")}>
            <Video className="h-5 w-5 text-primary" aria-hidden />
            <span className="hidden min-[400px]:inline">AI Interview</span>
          </Link>
          <div className="flex-1" />
          <ThemeToggle t={t} />
          {me.data && <NotificationBell />}
          {me.data && (
            <span className="hidden text-sm text-muted-foreground sm:inline" data-testid="signed-in-as">
              {displayName(me.data)} · {t(ROLE_LABELS[me.data.role] ?? me.data.role)}
            </span>
          )}
          {me.data && (
            <span
              className="flex h-8 w-8 shrink-0 items-center justify-center rounded-full bg-secondary text-xs font-semibold text-secondary-foreground sm:hidden"
              title={displayName(me.data)}
              data-testid="signed-in-initials"
            >
              <span aria-hidden>{initials(displayName(me.data))}</span>
              <span className="sr-only">
                {t("Signed in as")} {displayName(me.data)}
              </span>
            </span>
          )}
          <Button variant="outline" size="sm" onClick={() => void logout()} aria-label={t("Sign out")}>
            <LogOut aria-hidden /> <span className="hidden min-[400px]:inline">{t("Sign out")}</span>
          </Button>
        </header>
        <main id="main" className="mx-auto w-full max-w-6xl flex-1 p-4 sm:p-6">
          {me.isPending ? (
            <Spinner />
          ) : me.isError ? (
            <ErrorState error={me.error} onRetry={() => void me.refetch()} title={t("Could not load your account")} />
          ) : (
            children
          )}
        </main>
      </div>
    </div>
  );
}
