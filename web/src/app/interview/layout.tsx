import { Video } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { LanguageSwitch } from "@/components/interview/language-switch";

export const metadata: Metadata = { title: "Interview" };

/** The interview page has no sidebar: the candidate's attention stays on the questions. */
export default function InterviewLayout({ children }: { children: React.ReactNode }) {
  return (
    <div className="min-h-screen bg-muted/30">
      <header className="border-b bg-background">
        <div className="mx-auto flex h-14 max-w-3xl items-center justify-between px-4">
          <Link href="/candidate/dashboard" className="flex items-center gap-2 font-bold">
            <Video className="h-5 w-5 text-primary" aria-hidden />
            <span>AI Video Interview</span>
          </Link>
          <LanguageSwitch />
        </div>
      </header>
      <main id="main" className="mx-auto max-w-3xl px-4 py-6 sm:py-8">
        {children}
      </main>
    </div>
  );
}
