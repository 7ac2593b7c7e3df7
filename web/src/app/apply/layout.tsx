import type { Metadata } from "next";

// The token is in the address: no referrer carries it to another site, and no search engine keeps the page.
export const metadata: Metadata = { title: "Apply for a role", referrer: "no-referrer", robots: { index: false, follow: false } };

export default function ApplyLayout({ children }: { children: React.ReactNode }) {
  return children;
}
