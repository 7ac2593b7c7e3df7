import type { Metadata } from "next";

// The token is in the address: no referrer carries it to another site, and no search engine keeps the page.
export const metadata: Metadata = { title: "Shared interview", referrer: "no-referrer", robots: { index: false, follow: false } };

export default function SharedLayout({ children }: { children: React.ReactNode }) {
  return children;
}
