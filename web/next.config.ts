import type { NextConfig } from "next";

// Headers every response carries, pages and assets alike. The Content-Security-Policy (frame-ancestors 'none'
// among it) names the deployment's gateway, so src/middleware.ts sets it per request (see src/lib/csp.ts).
const SECURITY_HEADERS = [
  // Served types are final: a browser must not sniff an upload or a JSON answer into HTML or script.
  { key: "X-Content-Type-Options", value: "nosniff" },
  // Other sites learn at most this origin, never a path (invitation and review ids are in paths).
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  // For browsers that predate CSP's frame-ancestors.
  { key: "X-Frame-Options", value: "DENY" },
  // The interview records from this origin's camera and microphone; nothing else asks for devices.
  { key: "Permissions-Policy", value: "camera=(self), microphone=(self), geolocation=(), payment=(), usb=()" },
];

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Production builds set NEXT_DIST_DIR, apart from `next dev`'s: .next-prod (make up), .next-test (the journey test).
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // The API base is read at request time (see app/layout.tsx), so one build serves any deployment.
  output: undefined,
  eslint: { dirs: ["src", "e2e", "tests"] },
  async headers() {
    return [{ source: "/:path*", headers: SECURITY_HEADERS }];
  },
};

export default config;
