"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ChevronLeft, ChevronRight, Plus, Search } from "lucide-react";
import Link from "next/link";
import * as React from "react";
import { ConfirmDialog } from "@/components/admin/confirm-dialog";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { EmptyState, ErrorState, LoadingBlock, PageHeader } from "@/components/ui/feedback";
import { Field, Input, Label, NativeSelect, Textarea } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";
import { useMe } from "@/lib/profile";
import {
  activateUser,
  deleteUser,
  grantRole,
  ROLE_LABELS,
  suspendUser,
  useAdminUsers,
  userKeys,
  useUserRoles,
  type AdminUser,
} from "@/lib/users";
import { formatDate } from "@/lib/utils";

const PAGE_SIZE = 20;

type Action =
  | { kind: "suspend"; user: AdminUser }
  | { kind: "activate"; user: AdminUser }
  | { kind: "delete"; user: AdminUser }
  | { kind: "role"; user: AdminUser }
  | { kind: "approve"; user: AdminUser };

function nameOf(user: AdminUser): string {
  return `${user.firstName ?? ""} ${user.lastName ?? ""}`.trim() || user.email || user.username;
}

export default function AdminUsersPage() {
  const me = useMe();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [draft, setDraft] = React.useState("");
  const [search, setSearch] = React.useState("");
  const [page, setPage] = React.useState(0);
  const [role, setRole] = React.useState("");
  const [status, setStatus] = React.useState("");
  const [action, setAction] = React.useState<Action | null>(null);
  const [reason, setReason] = React.useState("");
  const [reasonError, setReasonError] = React.useState<string | undefined>();
  const [newRole, setNewRole] = React.useState("candidate");

  // One more than a page tells whether a next page exists (Keycloak does not count search results).
  const users = useAdminUsers(search, page, PAGE_SIZE);
  const rows = (users.data?.data ?? []).slice(0, PAGE_SIZE);
  const hasNext = (users.data?.data.length ?? 0) > PAGE_SIZE;

  const roleQueries = useUserRoles(rows);
  const rolesOf = (index: number): string[] | undefined => roleQueries[index]?.data;

  const visible = rows
    .map((user, index) => ({ user, roles: rolesOf(index), rolesError: roleQueries[index]?.isError }))
    .filter(({ user, roles }) => (!status || (status === "active") === user.enabled) && (!role || (roles ?? []).includes(role)));

  const run = useMutation({
    mutationFn: async (a: Action) => {
      const id = a.user.id;
      if (a.kind === "suspend") return suspendUser(id, reason.trim());
      if (a.kind === "activate") return activateUser(id);
      if (a.kind === "delete") return deleteUser(id);
      if (a.kind === "approve") return grantRole(id, "hr");
      return grantRole(id, newRole);
    },
    onSuccess: (_data, a) => {
      const who = nameOf(a.user);
      const title = {
        suspend: `${who} suspended`,
        activate: `${who} activated`,
        delete: `${who} deleted`,
        role: `${who} is now ${ROLE_LABELS[newRole]}`,
        approve: `${who} is now ${ROLE_LABELS.hr}`,
      }[a.kind];
      toast({ title, variant: "success" });
      setAction(null);
      void queryClient.invalidateQueries({ queryKey: userKeys.admin });
    },
  });

  const open = (a: Action) => {
    run.reset();
    setReason("");
    setReasonError(undefined);
    setNewRole("candidate");
    setAction(a);
  };

  const selfId = me.data?.externalAuthId;

  return (
    <>
      <PageHeader
        title="Users"
        description="Accounts in Keycloak with their platform roles. Suspending signs the user out of new sessions; deleting removes the account and its profile."
        actions={
          <Button asChild>
            <Link href="/admin/users/create">
              <Plus aria-hidden /> Create user
            </Link>
          </Button>
        }
      />

      <div className="mb-4 grid gap-3 md:grid-cols-[2fr_1fr_1fr]">
        <form
          role="search"
          aria-label="Find users"
          className="flex items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            setPage(0);
            setSearch(draft.trim());
          }}
        >
          <div className="flex-1 space-y-1.5">
            <Label htmlFor="user-search">Search users</Label>
            <Input id="user-search" type="search" value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="Name, e-mail or username" />
          </div>
          <Button type="submit" variant="outline">
            <Search aria-hidden /> Search
          </Button>
        </form>
        <div className="space-y-1.5">
          <Label htmlFor="user-role-filter">Filter by role</Label>
          <NativeSelect id="user-role-filter" value={role} onChange={(e) => setRole(e.target.value)}>
            <option value="">All roles</option>
            <option value="admin">Admin</option>
            <option value="hr">HR</option>
            <option value="candidate">Candidate</option>
            <option value="pending">Pending</option>
          </NativeSelect>
        </div>
        <div className="space-y-1.5">
          <Label htmlFor="user-status-filter">Filter by status</Label>
          <NativeSelect id="user-status-filter" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">All statuses</option>
            <option value="active">Active</option>
            <option value="suspended">Suspended</option>
          </NativeSelect>
        </div>
      </div>
      {(role || status) && <p className="mb-3 text-xs text-muted-foreground">Role and status filters apply to the users on this page.</p>}

      {users.isPending ? (
        <LoadingBlock rows={5} label="Loading users…" />
      ) : users.isError ? (
        <ErrorState error={users.error} onRetry={() => void users.refetch()} title="Could not load the users" />
      ) : visible.length === 0 ? (
        <EmptyState title={search ? `No user matches “${search}”` : "No users here"} description={role || status ? "Change the filters or go to another page." : undefined} />
      ) : (
        <div className="relative overflow-x-auto rounded-lg border">
          <table className="w-full min-w-[760px] text-sm">
            <caption className="sr-only">Users, page {page + 1}</caption>
            <thead className="bg-muted/50 text-left">
              <tr>
                <th scope="col" className="px-3 py-2 font-medium">Name</th>
                <th scope="col" className="px-3 py-2 font-medium">Role</th>
                <th scope="col" className="px-3 py-2 font-medium">Status</th>
                <th scope="col" className="px-3 py-2 font-medium">Last sign-in</th>
                <th scope="col" className="px-3 py-2 font-medium">Created</th>
                <th scope="col" className="px-3 py-2 font-medium">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y">
              {visible.map(({ user, roles, rolesError }) => {
                const isSelf = user.id === selfId;
                const noRole = roles !== undefined && (roles.length === 0 || (roles.length === 1 && roles[0] === "pending"));
                // The user chose hr without a verified company e-mail: an administrator approves it here.
                const wantsHr = !!user.hrAccessRequestedAt;
                const name = nameOf(user);
                return (
                  <tr key={user.id}>
                    <td className="px-3 py-2">
                      <p className="font-medium">
                        {name} {isSelf && <span className="text-xs text-muted-foreground">(you)</span>}
                      </p>
                      <p className="text-xs text-muted-foreground">{user.email ?? user.username}</p>
                    </td>
                    <td className="px-3 py-2">
                      {rolesError ? (
                        <span className="text-xs text-destructive">Roles unavailable</span>
                      ) : roles === undefined ? (
                        <span className="text-xs text-muted-foreground">Loading…</span>
                      ) : roles.length === 0 ? (
                        <Badge variant="outline">None</Badge>
                      ) : (
                        <span className="flex flex-wrap gap-1">
                          {roles.map((r) => (
                            <Badge key={r} variant={r === "pending" ? "warning" : r === "admin" ? "default" : "secondary"}>
                              {r === "pending" ? "Pending" : ROLE_LABELS[r]}
                            </Badge>
                          ))}
                        </span>
                      )}
                      {wantsHr && (
                        <p className="mt-1 text-xs text-muted-foreground">
                          Asked for HR access {formatDate(user.hrAccessRequestedAt, true)}
                        </p>
                      )}
                    </td>
                    <td className="px-3 py-2">
                      <Badge variant={user.enabled ? "success" : "destructive"}>{user.enabled ? "Active" : "Suspended"}</Badge>
                    </td>
                    <td className="px-3 py-2 whitespace-nowrap">{user.lastLoginAt ? formatDate(user.lastLoginAt, true) : "Never"}</td>
                    <td className="px-3 py-2 whitespace-nowrap">{user.createdTimestamp ? formatDate(new Date(user.createdTimestamp).toISOString()) : "—"}</td>
                    <td className="px-3 py-2">
                      <div className="flex justify-end gap-2">
                        {wantsHr && (
                          <Button size="sm" onClick={() => open({ kind: "approve", user })} aria-label={`Approve HR access for ${name}`}>
                            Approve HR
                          </Button>
                        )}
                        {noRole && !wantsHr && (
                          <Button size="sm" variant="outline" onClick={() => open({ kind: "role", user })} aria-label={`Assign role to ${name}`}>
                            Assign role
                          </Button>
                        )}
                        {user.enabled ? (
                          <Button size="sm" variant="outline" disabled={isSelf} onClick={() => open({ kind: "suspend", user })} aria-label={`Suspend ${name}`}>
                            Suspend
                          </Button>
                        ) : (
                          <Button size="sm" variant="outline" onClick={() => open({ kind: "activate", user })} aria-label={`Activate ${name}`}>
                            Activate
                          </Button>
                        )}
                        <Button
                          size="sm"
                          variant="outline"
                          className="text-destructive"
                          disabled={isSelf}
                          onClick={() => open({ kind: "delete", user })}
                          aria-label={`Delete ${name}`}
                        >
                          Delete
                        </Button>
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}

      <nav aria-label="Pagination" className="mt-4 flex items-center justify-between gap-2">
        <Button variant="outline" size="sm" disabled={page === 0 || users.isFetching} onClick={() => setPage((p) => Math.max(0, p - 1))}>
          <ChevronLeft aria-hidden /> Previous page
        </Button>
        <span className="text-sm text-muted-foreground">Page {page + 1}</span>
        <Button variant="outline" size="sm" disabled={!hasNext || users.isFetching} onClick={() => setPage((p) => p + 1)}>
          Next page <ChevronRight aria-hidden />
        </Button>
      </nav>

      <ConfirmDialog
        open={action?.kind === "suspend"}
        onOpenChange={(o) => !o && setAction(null)}
        title={`Suspend ${action ? nameOf(action.user) : "user"}?`}
        description="The account is disabled in Keycloak and marked suspended: the user cannot sign in until you activate it again."
        confirmLabel="Suspend user"
        pending={run.isPending}
        error={run.error}
        onConfirm={() => {
          if (!reason.trim()) {
            setReasonError("Give a reason for the suspension");
            return;
          }
          if (action) run.mutate(action);
        }}
      >
        <Field id="suspend-reason" label="Reason" error={reasonError}>
          <Textarea
            id="suspend-reason"
            value={reason}
            maxLength={500}
            onChange={(e) => {
              setReason(e.target.value);
              setReasonError(undefined);
            }}
            aria-invalid={!!reasonError}
            aria-describedby={reasonError ? "suspend-reason-error" : undefined}
          />
        </Field>
      </ConfirmDialog>

      <ConfirmDialog
        open={action?.kind === "activate"}
        onOpenChange={(o) => !o && setAction(null)}
        title={`Activate ${action ? nameOf(action.user) : "user"}?`}
        description="The user can sign in again."
        confirmLabel="Activate user"
        destructive={false}
        pending={run.isPending}
        error={run.error}
        onConfirm={() => action && run.mutate(action)}
      />

      <ConfirmDialog
        open={action?.kind === "delete"}
        onOpenChange={(o) => !o && setAction(null)}
        title={`Delete ${action ? nameOf(action.user) : "user"}?`}
        description="The Keycloak account and the platform profile are removed for good. This cannot be undone."
        confirmLabel="Delete user"
        pending={run.isPending}
        error={run.error}
        onConfirm={() => action && run.mutate(action)}
      />

      <ConfirmDialog
        open={action?.kind === "approve"}
        onOpenChange={(o) => !o && setAction(null)}
        title={`Approve HR access for ${action ? nameOf(action.user) : "user"}?`}
        description="They can then build interview templates, invite candidates and review answers. A role is not changed after it has been set."
        confirmLabel="Approve HR access"
        destructive={false}
        pending={run.isPending}
        error={run.error}
        onConfirm={() => action && run.mutate(action)}
      />

      <ConfirmDialog
        open={action?.kind === "role"}
        onOpenChange={(o) => !o && setAction(null)}
        title={`Assign a role to ${action ? nameOf(action.user) : "user"}`}
        description="A role is chosen once: the platform does not change a role after it has been set."
        confirmLabel="Assign role"
        destructive={false}
        pending={run.isPending}
        error={run.error}
        onConfirm={() => action && run.mutate(action)}
      >
        <Field id="assign-role" label="Role">
          <NativeSelect id="assign-role" value={newRole} onChange={(e) => setNewRole(e.target.value)}>
            <option value="candidate">Candidate</option>
            <option value="hr">HR</option>
            <option value="admin">Admin</option>
          </NativeSelect>
        </Field>
      </ConfirmDialog>
    </>
  );
}

