"use client";

import { Building2, MapPin, Pencil, Plus, Trash2, Users, Webhook } from "lucide-react";
import Link from "next/link";
import * as React from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Alert, EmptyState, ErrorState, LoadingBlock, PageHeader } from "@/components/ui/feedback";
import { useToast } from "@/components/ui/toast";
import { errorMessage } from "@/lib/api";
import { useCompanies, useDeleteCompany, type CompanyListItem } from "@/lib/companies";
import { formatDate } from "@/lib/utils";

export default function CompaniesPage() {
  const companies = useCompanies();
  const remove = useDeleteCompany();
  const toast = useToast();
  const [target, setTarget] = React.useState<CompanyListItem | null>(null);

  const confirmDelete = async () => {
    if (!target) return;
    try {
      await remove.mutateAsync(target.id);
      toast({ title: "Company deleted", description: target.name, variant: "success" });
      setTarget(null);
    } catch {
      // shown in the dialog
    }
  };

  return (
    <>
      <PageHeader
        title="Companies"
        description="The companies you hire for; invitations name one of them."
        actions={
          <Button asChild>
            <Link href="/hr/companies/create">
              <Plus aria-hidden /> Add company
            </Link>
          </Button>
        }
      />
      {companies.isPending ? (
        <LoadingBlock label="Loading companies" />
      ) : companies.isError ? (
        <ErrorState error={companies.error} onRetry={() => void companies.refetch()} title="Could not load companies" />
      ) : companies.data.data.length === 0 ? (
        <EmptyState
          title="No companies yet"
          description="Add the companies you recruit for, then pick them when inviting candidates."
          action={
            <Button asChild size="sm">
              <Link href="/hr/companies/create">Add company</Link>
            </Button>
          }
        />
      ) : (
        <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {companies.data.data.map((c) => (
            <li key={c.id}>
              <Card className="flex h-full flex-col">
                <CardHeader>
                  <div className="flex items-start justify-between gap-2">
                    <CardTitle className="flex items-center gap-2 break-words">
                      <Building2 className="h-5 w-5 shrink-0 text-primary" aria-hidden /> {c.name}
                    </CardTitle>
                    {!c.isActive && <Badge variant="outline">Inactive</Badge>}
                  </div>
                </CardHeader>
                <CardContent className="flex-1 space-y-1 text-sm text-muted-foreground">
                  {c.industry && <p>{c.industry}</p>}
                  {c.size && (
                    <p className="flex items-center gap-1">
                      <Users className="h-4 w-4" aria-hidden /> {c.size} employees
                    </p>
                  )}
                  {c.location && (
                    <p className="flex items-center gap-1">
                      <MapPin className="h-4 w-4" aria-hidden /> {c.location}
                    </p>
                  )}
                  <p className="text-xs">Added {formatDate(c.createdAt)}</p>
                </CardContent>
                <CardFooter className="flex-wrap gap-2">
                  <Button asChild size="sm" variant="outline">
                    <Link href={`/hr/companies/${c.id}/edit`} aria-label={`Edit ${c.name}`}>
                      <Pencil aria-hidden /> Edit
                    </Link>
                  </Button>
                  <Button asChild size="sm" variant="outline">
                    <Link href={`/hr/companies/${c.id}/webhooks`} aria-label={`Webhooks of ${c.name}`}>
                      <Webhook aria-hidden /> Webhooks
                    </Link>
                  </Button>
                  <Button size="sm" variant="outline" onClick={() => { remove.reset(); setTarget(c); }} aria-label={`Delete ${c.name}`}>
                    <Trash2 aria-hidden /> Delete
                  </Button>
                </CardFooter>
              </Card>
            </li>
          ))}
        </ul>
      )}
      <Dialog open={target !== null} onOpenChange={(open) => !open && setTarget(null)}>
        <DialogContent>
          <DialogHeader>
            <DialogTitle>Delete {target?.name}?</DialogTitle>
            <DialogDescription>The company is removed for good. Invitations already sent keep the company name.</DialogDescription>
          </DialogHeader>
          {remove.isError && (
            <Alert variant="error" title="The company was not deleted">
              {errorMessage(remove.error)}
            </Alert>
          )}
          <DialogFooter>
            <Button variant="outline" onClick={() => setTarget(null)}>
              Cancel
            </Button>
            <Button variant="destructive" onClick={() => void confirmDelete()} disabled={remove.isPending}>
              {remove.isPending ? "Deleting…" : "Delete company"}
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </>
  );
}
