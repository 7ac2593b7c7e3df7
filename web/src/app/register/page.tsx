import { Suspense } from "react";
import { AuthStart } from "@/components/auth-start";

export const metadata = { title: "Register" };

export default function Register() {
  return (
    <Suspense>
      <AuthStart kind="register" />
    </Suspense>
  );
}
