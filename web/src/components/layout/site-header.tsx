import { Video } from "lucide-react";
import Link from "next/link";
import { ThemeToggle } from "@/components/layout/theme-toggle";

export function SiteHeader() {
  return (
    <header className="border-b">
      <nav aria-label="Site" className="mx-auto flex h-14 max-w-5xl items-center gap-4 px-4">
        <Link href="/" className="flex items-center gap-2 font-bold">
          <Video className="h-5 w-5 text-primary" aria-hidden /> AI Interview
        </Link>
        <div className="flex-1" />
        <ThemeToggle />
        <Link href="/about" className="text-sm hover:underline">About</Link>
        <Link href="/login" className="text-sm font-medium text-primary hover:underline">Sign in</Link>
      </nav>
    </header>
  );
}
