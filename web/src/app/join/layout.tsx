import type { Metadata } from "next";

// The token is in the address: no referrer carries it to another site, and no search engine keeps the page. The
// title is set by the page, in its language.
export const metadata: Metadata = { referrer: "no-referrer", robots: { index: false, follow: false } };

export default function JoinLayout({ children }: { children: React.ReactNode }) {
  return children;
}
