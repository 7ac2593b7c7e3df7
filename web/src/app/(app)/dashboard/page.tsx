"use client";

import { useRouter } from "next/navigation";
import * as React from "react";
import { Spinner } from "@/components/ui/feedback";
import { homeFor } from "@/lib/jwt";
import { useMe } from "@/lib/profile";

/** Lands every signed-in user on their role's home page. */
export default function Dashboard() {
  const me = useMe();
  const router = useRouter();
  React.useEffect(() => {
    if (me.data) router.replace(homeFor(me.data.role));
  }, [me.data, router]);
  return <Spinner label="Opening your dashboard…" />;
}
