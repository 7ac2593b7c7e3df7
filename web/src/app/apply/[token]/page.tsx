"use client";

import { useParams } from "next/navigation";
import * as React from "react";
import { Button } from "@/components/ui/button";
import { Alert, LoadingBlock } from "@/components/ui/feedback";
import { Field, Input } from "@/components/ui/input";
import { ApiError } from "@/lib/api";
import { localeOf, translate, type Locale, type Vars } from "@/lib/i18n";
import { applyError, applyForRole, useApplyPage } from "@/lib/invites";

/** The browser's language: nobody is signed in here, so there is no profile to read it from. */
function useLocale(): Locale {
  const [locale, setLocale] = React.useState<Locale>("en");
  React.useEffect(() => setLocale(localeOf(navigator.language)), []);
  return locale;
}

function minutes(seconds: number): number {
  return Math.max(1, Math.round(seconds / 60));
}

/** A template's public apply link: the role, how long the interview takes, and a name and an e-mail. The
 * invitation e-mail that follows carries the personal link that confirms the address and leads to the briefing. */
export default function ApplyPage() {
  const params = useParams<{ token: string }>();
  const token = decodeURIComponent(params.token ?? "");
  const locale = useLocale();
  const t = (text: string, vars?: Vars) => translate(locale, text, vars);
  // The tab's title follows the page's language (a layout's metadata could only be English).
  React.useEffect(() => {
    document.title = `${translate(locale, "Apply for a role")} · AI Video Interview`;
  }, [locale]);
  const role = useApplyPage(token);
  const [name, setName] = React.useState("");
  const [email, setEmail] = React.useState("");
  const [sending, setSending] = React.useState(false);
  const [sent, setSent] = React.useState(false);
  const [error, setError] = React.useState<unknown>(null);
  const fields = error instanceof ApiError && error.statusCode === 422 ? error.fieldErrors() : {};

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    setSending(true);
    setError(null);
    applyForRole({ token, name: name.trim(), email: email.trim() })
      .then(() => setSent(true))
      .catch(setError)
      .finally(() => setSending(false));
  };

  return (
    <main id="main" lang={locale} className="mx-auto max-w-xl space-y-6 p-4 sm:p-8">
      {role.isPending ? (
        <LoadingBlock rows={3} label={t("Loading the role")} />
      ) : role.isError ? (
        <Alert variant="error" title={t("This application link cannot be opened")}>
          {t(applyError(role.error))}
        </Alert>
      ) : (
        <>
          <header className="space-y-2">
            <p className="text-sm text-muted-foreground">{role.data.companyName}</p>
            <h1 className="text-2xl font-semibold">{role.data.templateTitle}</h1>
            {role.data.templateDescription ? <p className="whitespace-pre-line">{role.data.templateDescription}</p> : null}
            <p className="text-muted-foreground">
              {t("A video interview of {count} questions, about {minutes} minutes in all. You take it whenever it suits you within a week.", {
                count: role.data.questions,
                minutes: minutes(role.data.expectedDuration),
              })}
            </p>
          </header>
          {sent ? (
            <Alert variant="success" title={t("Check your inbox")}>
              {t("If this address can take the interview, an e-mail with your personal link is on its way. Open it to confirm your address and start.")}
            </Alert>
          ) : (
            <form onSubmit={submit} noValidate className="space-y-4" aria-labelledby="apply-heading">
              <h2 id="apply-heading" className="text-lg font-medium">
                {t("Apply")}
              </h2>
              <Field id="apply-name" label={t("Your name")} error={fields.name ? t("Please enter your name.") : undefined}>
                <Input id="apply-name" autoComplete="name" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
              </Field>
              <Field id="apply-email" label={t("Your e-mail address")} error={fields.email ? t("Please enter a valid e-mail address.") : undefined}>
                <Input id="apply-email" type="email" autoComplete="email" required maxLength={320} value={email} onChange={(e) => setEmail(e.target.value)} />
              </Field>
              <p className="text-sm text-muted-foreground">{t("We e-mail you a personal link. Nothing is recorded until you start the interview.")}</p>
              {error && !(error instanceof ApiError && error.statusCode === 422) ? <Alert variant="error">{t(applyError(error))}</Alert> : null}
              <Button type="submit" disabled={sending}>
                {sending ? t("Sending…") : t("Send me the link")}
              </Button>
            </form>
          )}
        </>
      )}
    </main>
  );
}
