import type { NextConfig } from "next";

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Production builds set NEXT_DIST_DIR, apart from `next dev`'s: .next-prod (make up), .next-test (the journey test).
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // The API base is read at request time (see app/layout.tsx), so one build serves any deployment.
  output: undefined,
  eslint: { dirs: ["src", "e2e", "tests"] },
};

export default config;
