"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import * as React from "react";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Alert, ErrorState, LoadingBlock } from "@/components/ui/feedback";
import { Field, Input } from "@/components/ui/input";
import { Switch } from "@/components/ui/switch";
import { api, ApiError, errorMessage } from "@/lib/api";

type Retention = { retentionDays: number | null; minDays: number; maxDays: number };
const KEY = ["retention"] as const;

/** HR's choice to erase their candidates' data a number of days after the decision (off: kept). */
export function RetentionSetting() {
  const queryClient = useQueryClient();
  const current = useQuery({ queryKey: KEY, queryFn: () => api.get<Retention>("/api/retention") });
  const [on, setOn] = React.useState(false);
  const [days, setDays] = React.useState("180");
  const [fieldError, setFieldError] = React.useState<string | undefined>();
  React.useEffect(() => {
    if (current.data) {
      setOn(current.data.retentionDays !== null);
      if (current.data.retentionDays !== null) setDays(String(current.data.retentionDays));
    }
  }, [current.data]);
  const save = useMutation({
    mutationFn: (retentionDays: number | null) => api.put<Retention>("/api/retention", { retentionDays }),
    onSuccess: (fresh) => queryClient.setQueryData(KEY, fresh),
    onError: (error) => {
      if (error instanceof ApiError && error.fieldErrors().retentionDays) setFieldError(boundsMessage(current.data));
    },
  });

  function boundsMessage(r?: Retention) {
    return `Enter a whole number of days from ${r?.minDays ?? 1} to ${r?.maxDays ?? 3650}`;
  }

  function submit(event: React.FormEvent) {
    event.preventDefault();
    setFieldError(undefined);
    if (!on) return save.mutate(null);
    const n = Number(days);
    const r = current.data;
    if (!Number.isInteger(n) || n < (r?.minDays ?? 1) || n > (r?.maxDays ?? 3650)) {
      setFieldError(boundsMessage(r));
      return;
    }
    save.mutate(n);
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle>Keeping candidate data</CardTitle>
        <CardDescription>
          Erase each candidate&apos;s interview, answers, recordings and scores a set number of days after you decide.
          Candidates see this period before they start.
        </CardDescription>
      </CardHeader>
      <CardContent>
        {current.isPending ? (
          <LoadingBlock rows={2} label="Loading the retention setting" />
        ) : current.isError ? (
          <ErrorState error={current.error} onRetry={() => void current.refetch()} title="Could not load the retention setting" />
        ) : (
          <form onSubmit={submit} className="space-y-4" noValidate>
            <Switch
              id="retention-on"
              label="Erase candidate data after a decision"
              description="Off: data is kept until the candidate or your team deletes it."
              checked={on}
              onCheckedChange={setOn}
            />
            {on && (
              <Field id="retention-days" label="Days after the decision" error={fieldError}>
                <Input
                  id="retention-days"
                  type="number"
                  inputMode="numeric"
                  min={current.data.minDays}
                  max={current.data.maxDays}
                  value={days}
                  onChange={(e) => setDays(e.target.value)}
                  className="max-w-[10rem]"
                />
              </Field>
            )}
            {save.isError && !fieldError && (
              <Alert variant="error" title="The setting was not saved">
                {errorMessage(save.error)}
              </Alert>
            )}
            {save.isSuccess && <p role="status" className="text-sm">Saved.</p>}
            <Button type="submit" disabled={save.isPending}>
              {save.isPending ? "Saving…" : "Save"}
            </Button>
          </form>
        )}
      </CardContent>
    </Card>
  );
}
