import { Suspense } from "react";
import { AuthStart } from "@/components/auth-start";

export const metadata = { title: "Sign in" };

export default function Login() {
  return (
    <Suspense>
      <AuthStart kind="login" />
    </Suspense>
  );
}
