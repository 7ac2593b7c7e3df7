"use client";

import { useRouter, useSearchParams } from "next/navigation";
import * as React from "react";
import { Suspense } from "react";
import { Button } from "@/components/ui/button";
import { ErrorState, Spinner } from "@/components/ui/feedback";
import { fetchMe } from "@/lib/profile";
import { afterSignIn } from "@/lib/redirect";
import { completeSignIn } from "@/lib/session";

function Callback() {
  const params = useRouter();
  const search = useSearchParams();
  const [error, setError] = React.useState<unknown>(null);
  const started = React.useRef(false);

  React.useEffect(() => {
    // The code is single-use: React's dev double-effect must not spend it twice.
    if (started.current) return;
    started.current = true;
    const code = search.get("code");
    const state = search.get("state");
    const kcError = search.get("error_description") ?? search.get("error");
    if (kcError || !code || !state) {
      setError(new Error(kcError ?? "The sign-in response is missing its code or state."));
      return;
    }
    (async () => {
      await completeSignIn(code, state, `${window.location.origin}/auth/callback`);
      const me = await fetchMe();
      const from = sessionStorage.getItem("auth:from");
      sessionStorage.removeItem("auth:from");
      // `from` came through a URL anyone can craft: only a path of this app is followed.
      params.replace(afterSignIn(me.role, from));
    })().catch(setError);
  }, [params, search]);

  return (
    <main id="main" className="mx-auto flex min-h-screen max-w-md flex-col items-center justify-center gap-4 p-6">
      {error ? (
        <>
          <ErrorState error={error} title="Sign-in did not complete" />
          <Button onClick={() => params.replace("/login")}>Sign in again</Button>
        </>
      ) : (
        <Spinner label="Signing you in…" />
      )}
    </main>
  );
}

export default function CallbackPage() {
  return (
    <Suspense>
      <Callback />
    </Suspense>
  );
}
