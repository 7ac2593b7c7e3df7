"use client";

import { useRouter, useSearchParams } from "next/navigation";
import * as React from "react";
import { Button } from "@/components/ui/button";
import { Alert, LoadingBlock, Spinner } from "@/components/ui/feedback";
import { ApiError, refreshSession } from "@/lib/api";
import { claimInvitation, joinError, sendVerificationEmail, useJoinInvitation } from "@/lib/invites";
import { startAuth } from "@/lib/session";

type Claim = { state: "trying" } | { state: "signed-out" } | { state: "failed"; error: unknown };

/** Someone invited by e-mail opens their link: who invited them to what, then sign-up or sign-in with the invited
 * address, and the interview (its briefing comes first) once their account has taken the invitation. */
function JoinPage() {
  const token = useSearchParams().get("token") ?? "";
  const router = useRouter();
  const invitation = useJoinInvitation(token);
  const [claim, setClaim] = React.useState<Claim>({ state: "trying" });
  const [authError, setAuthError] = React.useState<unknown>(null);

  const [verification, setVerification] = React.useState<string | null>(null);

  const tryClaim = React.useCallback(() => {
    setClaim({ state: "trying" });
    claimInvitation(token)
      .then(({ id }) => router.replace(`/interview/${id}`))
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
      .then((answer) => setVerification(answer.message))
      .catch(() => setVerification("The e-mail could not be sent. Please try again in a moment."));
  };
  // The confirmed address reaches the session with a fresh token.
  const confirmed = () => void refreshSession().then(tryClaim);

  const here = `/join?token=${encodeURIComponent(token)}`;
  const auth = (kind: "login" | "register") => {
    setAuthError(null);
    startAuth(kind, here, { loginHint: invitation.data?.candidateEmail }).catch(setAuthError);
  };

  return (
    <main id="main" className="mx-auto max-w-xl space-y-6 p-4 sm:p-8">
      {!token ? (
        <Alert variant="error" title="This link is incomplete">
          Check that you copied all of it.
        </Alert>
      ) : invitation.isPending ? (
        <LoadingBlock rows={3} label="Loading your invitation" />
      ) : invitation.isError ? (
        <Alert variant="error" title="This invitation cannot be opened">
          {joinError(invitation.error)}
        </Alert>
      ) : (
        <>
          <header className="space-y-2">
            <h1 className="text-2xl font-semibold">
              {invitation.data.companyName} invited you to an interview
            </h1>
            <p className="text-muted-foreground">
              {invitation.data.templateTitle} · open until{" "}
              {new Date(invitation.data.expiresAt).toLocaleDateString(undefined, { dateStyle: "long" })}
            </p>
          </header>
          {claim.state === "trying" ? (
            <Spinner label="Checking your invitation…" />
          ) : unverified ? (
            <section aria-labelledby="join-verify" className="space-y-4">
              <h2 id="join-verify" className="text-lg font-medium">
                Confirm your e-mail address
              </h2>
              <p>Open the link in the confirmation e-mail, then come back here and continue.</p>
              <div className="flex flex-col gap-3 sm:flex-row">
                <Button onClick={confirmed}>I have confirmed it, continue</Button>
                <Button variant="outline" onClick={sendVerification}>
                  Send the confirmation e-mail
                </Button>
              </div>
              {verification ? <p role="status">{verification}</p> : null}
            </section>
          ) : claim.state === "failed" ? (
            <Alert variant="error" title="You cannot take this interview yet">
              {joinError(claim.error)}
            </Alert>
          ) : (
            <section aria-labelledby="join-next" className="space-y-4">
              <h2 id="join-next" className="text-lg font-medium">
                Before you start
              </h2>
              <p>
                Create your account with{" "}
                <strong>{invitation.data.candidateEmail ?? "the address this invitation was sent to"}</strong> and confirm
                it from the e-mail we send you. Then you will see what the interview involves before anything is timed.
              </p>
              <div className="flex flex-col gap-3 sm:flex-row">
                <Button onClick={() => auth("register")}>Create my account</Button>
                <Button variant="outline" onClick={() => auth("login")}>
                  I already have an account
                </Button>
              </div>
              {authError ? (
                <Alert variant="error" title="Sign-in could not start">
                  Please try again in a moment.
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
  return (
    <React.Suspense fallback={<Spinner />}>
      <JoinPage />
    </React.Suspense>
  );
}
