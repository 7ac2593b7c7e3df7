import type { NextConfig } from "next";

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The API base is read at request time (see app/layout.tsx), so one build serves any deployment.
  output: undefined,
  eslint: { dirs: ["src", "e2e", "tests"] },
};

export default config;
