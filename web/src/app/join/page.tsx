"use client";

import { useRouter, useSearchParams } from "next/navigation";
import * as React from "react";
import { LanguageSwitch } from "@/components/interview/language-switch";
import { Button } from "@/components/ui/button";
import { Alert, LoadingBlock, Spinner } from "@/components/ui/feedback";
import { ApiError, refreshSession } from "@/lib/api";
import { dateLocale, useLoadedLanguage, useLoadedT, useLocale } from "@/lib/i18n";
import { claimInvitation, joinError, sendVerificationEmail, useJoinInvitation } from "@/lib/invites";
import { fetchMe, selectRole } from "@/lib/profile";
import { startAuth } from "@/lib/session";

type Claim = { state: "trying" } | { state: "signed-out" } | { state: "failed"; error: unknown };

/** Someone invited by e-mail opens their link: who invited them to what, then sign-up or sign-in with the invited
 * address, and the interview (its briefing comes first) once their account has taken the invitation. */
function JoinPage() {
  const token = useSearchParams().get("token") ?? "";
  const router = useRouter();
  const invitation = useJoinInvitation(token);
  // Usually signed out here: the switch's choice, else the browser's language (a loaded profile's once signed in).
  const locale = useLocale(useLoadedLanguage());
  const t = useLoadedT();
  const [claim, setClaim] = React.useState<Claim>({ state: "trying" });
  const [authError, setAuthError] = React.useState<unknown>(null);

  const [verification, setVerification] = React.useState<string | null>(null);
  // The tab's title follows the page's language (a layout's metadata could only be English).
  React.useEffect(() => {
    document.title = `${t("Your interview invitation")} · AI Video Interview`;
  }, [t]);

  const tryClaim = React.useCallback(() => {
    setClaim({ state: "trying" });
    claimInvitation(token)
      .then(async ({ id }) => {
        // An account made from this link has chosen no role yet ("pending"), and routing would send it to the role
        // choice instead of the interview: taking an invitation makes it a candidate's.
        const me = await fetchMe().catch(() => null);
        if (me?.role === "pending") await selectRole("candidate");
        router.replace(`/interview/${id}`);
      })
      .catch((error: unknown) =>
        setClaim(error instanceof ApiError && error.statusCode === 401 ? { state: "signed-out" } : { state: "failed", error }),
      );
  }, [token, router]);
  const loaded = invitation.isSuccess;
  // Signed in already (back from registration or sign-in): take the invitation and go to its briefing.
  const attempted = React.useRef(false);
  React.useEffect(() => {
    if (!loaded || attempted.current) return;
    attempted.current = true;
    tryClaim();
  }, [loaded, tryClaim]);
  const unverified = claim.state === "failed" && claim.error instanceof ApiError && claim.error.code === "EMAIL_NOT_VERIFIED";
  const sendVerification = () => {
    setVerification(null);
    sendVerificationEmail()
      // The gateway's two answers have German; anything else is shown as it came.
      .then((answer) => setVerification(t(answer.message)))
      .catch(() => setVerification(t("The e-mail could not be sent. Please try again in a moment.")));
  };
  // The confirmed address reaches the session with a fresh token.
  const confirmed = () => void refreshSession().then(tryClaim);

  const here = `/join?token=${encodeURIComponent(token)}`;
  // The address is shown in bold wherever the language puts it in the sentence.
  const [before, after = ""] = t(
    "Create your account with {email} and confirm it from the e-mail we send you. Then you will see what the interview involves before anything is timed.",
  ).split("{email}");
  const auth = (kind: "login" | "register") => {
    setAuthError(null);
    startAuth(kind, here, { loginHint: invitation.data?.candidateEmail }).catch(setAuthError);
  };

  return (
    // The page's language, so a screen reader pronounces a German page as German.
    <main id="main" lang={locale} className="mx-auto max-w-xl space-y-6 p-4 sm:p-8">
      <div className="flex justify-end">
        <LanguageSwitch />
      </div>
      {!token ? (
        <Alert variant="error" title={t("This link is incomplete")}>
          {t("Check that you copied all of it.")}
        </Alert>
      ) : invitation.isPending ? (
        <LoadingBlock rows={3} label={t("Loading your invitation")} />
      ) : invitation.isError ? (
        <Alert variant="error" title={t("This invitation cannot be opened")}>
          {t(joinError(invitation.error))}
        </Alert>
      ) : (
        <>
          <header className="space-y-2">
            <h1 className="text-2xl font-semibold">{t("{company} invited you to an interview", { company: invitation.data.companyName })}</h1>
            <p className="text-muted-foreground">
              {t("{title} · open until {date}", {
                title: invitation.data.templateTitle,
                // A German page writes a German date even in a browser set to another language.
                date: new Date(invitation.data.expiresAt).toLocaleDateString(dateLocale(locale), { dateStyle: "long" }),
              })}
            </p>
          </header>
          {claim.state === "trying" ? (
            <Spinner label={t("Checking your invitation…")} />
          ) : unverified ? (
            <section aria-labelledby="join-verify" className="space-y-4">
              <h2 id="join-verify" className="text-lg font-medium">
                {t("Confirm your e-mail address")}
              </h2>
              <p>{t("Open the link in the confirmation e-mail, then come back here and continue.")}</p>
              <div className="flex flex-col gap-3 sm:flex-row">
                <Button onClick={confirmed}>{t("I have confirmed it, continue")}</Button>
                <Button variant="outline" onClick={sendVerification}>
                  {t("Send the confirmation e-mail")}
                </Button>
              </div>
              {verification ? <p role="status">{verification}</p> : null}
            </section>
          ) : claim.state === "failed" ? (
            <Alert variant="error" title={t("You cannot take this interview yet")}>
              {t(joinError(claim.error))}
            </Alert>
          ) : (
            <section aria-labelledby="join-next" className="space-y-4">
              <h2 id="join-next" className="text-lg font-medium">
                {t("Before you start")}
              </h2>
              <p>
                {before}
                <strong>{invitation.data.candidateEmail ?? t("the address this invitation was sent to")}</strong>
                {after}
              </p>
              <div className="flex flex-col gap-3 sm:flex-row">
                <Button onClick={() => auth("register")}>{t("Create my account")}</Button>
                <Button variant="outline" onClick={() => auth("login")}>
                  {t("I already have an account")}
                </Button>
              </div>
              {authError ? (
                <Alert variant="error" title={t("Sign-in could not start")}>
                  {t("Please try again in a moment.")}
                </Alert>
              ) : null}
            </section>
          )}
        </>
      )}
    </main>
  );
}

export default function Page() {
  const t = useLoadedT();
  return (
    <React.Suspense fallback={<Spinner label={t("Loading…")} />}>
      <JoinPage />
    </React.Suspense>
  );
}
