"use client";

import { ShieldCheck } from "lucide-react";
import * as React from "react";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Alert, Spinner } from "@/components/ui/feedback";
import {
  RACE_OPTIONS,
  SEX_OPTIONS,
  useMySelfIdentification,
  useSaveSelfIdentification,
  useWithdrawSelfIdentification,
  type RaceEthnicity,
  type SelfIdentification,
  type Sex,
} from "@/lib/fairness";
import { useLoadedT, type T } from "@/lib/i18n";

/**
 * Voluntary self-identification, apart from the interview: after completing one and on the profile. Every
 * question may be left out or answered "prefer not to say", and the answers can be changed or withdrawn at any
 * time. The words come from the profile already loaded (the interview screen makes no extra request for it).
 */
export function SelfIdentificationCard() {
  const t = useLoadedT();
  const mine = useMySelfIdentification();
  // Kept here: the answers' form starts afresh from each saved version, the news of what just happened stays.
  const [done, setDone] = React.useState<Done>(null);
  return (
    <Card>
      <CardHeader>
        <CardTitle className="flex items-center gap-2 text-lg">
          <ShieldCheck className="h-5 w-5 text-primary" aria-hidden />
          {t("Voluntary self-identification")}
        </CardTitle>
        <CardDescription>{t("Answering is optional and has no effect on any application.")}</CardDescription>
      </CardHeader>
      <CardContent className="space-y-4 text-sm">
        <p>
          {t(
            "Employers check that their hiring treats groups fairly, as bias-audit laws such as New York City's Local Law 144 require. Your answers are stored apart from your interviews, are never shown to the people who review you and are never given to the AI. Employers only see counts across many candidates.",
          )}
        </p>
        {mine.isPending ? (
          <Spinner label={t("Loading your answers…")} />
        ) : mine.isError ? (
          <Alert variant="error">{t("Your answers could not be loaded. Please try again later.")}</Alert>
        ) : (
          <Answers key={mine.data.updatedAt ?? "none"} saved={mine.data} t={t} done={done} setDone={setDone} />
        )}
      </CardContent>
    </Card>
  );
}

type Done = "saved" | "withdrawn" | null;

function Answers({ saved, t, done, setDone }: { saved: SelfIdentification; t: T; done: Done; setDone: (done: Done) => void }) {
  const [sex, setSex] = React.useState<Sex | null>(saved.sex);
  const [race, setRace] = React.useState<RaceEthnicity | null>(saved.raceEthnicity);
  const save = useSaveSelfIdentification();
  const withdraw = useWithdrawSelfIdentification();
  const busy = save.isPending || withdraw.isPending;

  function submit(event: React.FormEvent) {
    event.preventDefault();
    setDone(null);
    // The promise, not mutate's callbacks: a success remounts this form (new saved version), which drops those.
    save.mutateAsync({ sex, raceEthnicity: race }).then(() => setDone("saved"), () => undefined);
  }

  return (
    <form className="space-y-4" onSubmit={submit}>
      <Choice name="sex" legend={t("Sex")} options={SEX_OPTIONS} value={sex} onChange={(v) => setSex(v as Sex)} t={t} />
      <Choice
        name="race-ethnicity"
        legend={t("Race/ethnicity")}
        options={RACE_OPTIONS}
        value={race}
        onChange={(v) => setRace(v as RaceEthnicity)}
        t={t}
      />
      <div className="flex flex-wrap gap-2">
        <Button type="submit" disabled={busy || (sex === null && race === null)}>
          {saved.provided ? t("Save changes") : t("Share my answers")}
        </Button>
        {saved.provided && (
          <Button
            type="button"
            variant="outline"
            disabled={busy}
            onClick={() => {
              setDone(null);
              withdraw.mutateAsync().then(() => setDone("withdrawn"), () => undefined);
            }}
          >
            {t("Withdraw my answers")}
          </Button>
        )}
      </div>
      <div aria-live="polite">
        {done === "saved" && <p className="text-emerald-700 dark:text-emerald-400">{t("Thank you. Your answers are saved; you can change or withdraw them here at any time.")}</p>}
        {done === "withdrawn" && <p>{t("Your answers were deleted.")}</p>}
      </div>
      {(save.isError || withdraw.isError) && <Alert variant="error">{t("That did not work. Please try again.")}</Alert>}
    </form>
  );
}

function Choice({
  name,
  legend,
  options,
  value,
  onChange,
  t,
}: {
  name: string;
  legend: string;
  options: { value: string; label: string }[];
  value: string | null;
  onChange: (value: string) => void;
  t: T;
}) {
  return (
    <fieldset className="space-y-2">
      <legend className="font-medium">{legend}</legend>
      <div className="grid gap-1 sm:grid-cols-2">
        {options.map((option) => (
          <label key={option.value} className="flex min-h-9 cursor-pointer items-center gap-2 rounded-md px-2 py-1 hover:bg-muted">
            <input
              type="radio"
              name={name}
              value={option.value}
              checked={value === option.value}
              onChange={() => onChange(option.value)}
              className="h-4 w-4 accent-primary"
            />
            {t(option.label)}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
