import { Suspense } from "react";
import { ChangePassword } from "@/components/profile/change-password";
import { PageHeader, Spinner } from "@/components/ui/feedback";

export const metadata = { title: "Security" };

export default function SecurityPage() {
  // Read at request time like the API base: one build serves any Keycloak address.
  const keycloak = (process.env.NEXT_PUBLIC_KEYCLOAK_URL ?? process.env.KEYCLOAK_URL ?? "http://127.0.0.1:8090").replace(/\/+$/, "");
  const realm = process.env.NEXT_PUBLIC_KEYCLOAK_REALM ?? process.env.KEYCLOAK_REALM ?? "ai-video-interview";
  return (
    <>
      <PageHeader title="Security" description="Your password and sign-in." />
      <Suspense fallback={<Spinner />}>
        <ChangePassword accountConsoleUrl={`${keycloak}/realms/${encodeURIComponent(realm)}/account`} />
      </Suspense>
    </>
  );
}
