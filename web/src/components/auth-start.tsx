"use client";

import { useSearchParams } from "next/navigation";
import * as React from "react";
import { Button } from "@/components/ui/button";
import { ErrorState, Spinner } from "@/components/ui/feedback";
import { startAuth } from "@/lib/session";

/** /login and /register: ask the gateway for Keycloak's URL (PKCE, state kept server-side) and go there. */
export function AuthStart({ kind }: { kind: "login" | "register" }) {
  const params = useSearchParams();
  const [error, setError] = React.useState<unknown>(null);
  const from = params.get("from");
  const go = React.useCallback(() => {
    setError(null);
    startAuth(kind, from).catch(setError);
  }, [kind, from]);
  React.useEffect(() => go(), [go]);
  return (
    <main id="main" className="mx-auto flex min-h-screen max-w-md flex-col items-center justify-center gap-4 p-6">
      {error ? (
        <>
          <ErrorState error={error} title={kind === "login" ? "Could not start sign-in" : "Could not start registration"} />
          <Button onClick={go}>Try again</Button>
        </>
      ) : (
        <Spinner label={kind === "login" ? "Taking you to sign-in…" : "Taking you to registration…"} />
      )}
    </main>
  );
}
