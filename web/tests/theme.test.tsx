import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AppShell, initials } from "@/components/layout/app-shell";
import { ThemeToggle } from "@/components/layout/theme-toggle";
import { LivePreview } from "@/components/interview/device-check";
import { profileKeys, type Me } from "@/lib/profile";
import { localeOf, translate } from "@/lib/i18n";
import { THEME_KEY, THEME_SCRIPT } from "@/lib/theme";
import { a11yFindings } from "./a11y";

vi.mock("next/navigation", () => ({ useRouter: () => ({ replace: vi.fn(), push: vi.fn() }), usePathname: () => "/hr/review" }));
// The bell opens the gateway's event stream; the shell's own header is what these tests are about.
vi.mock("@/components/notifications/notification-bell", () => ({ NotificationBell: () => null }));

/** The device's colour preference, as matchMedia reports it. */
function deviceIsDark(dark: boolean) {
  vi.stubGlobal("matchMedia", (query: string) => ({
    matches: dark && query === "(prefers-color-scheme: dark)",
    media: query,
    addEventListener: vi.fn(),
    removeEventListener: vi.fn(),
  }));
}

function runThemeScript() {
  // The same text the root layout inlines in <head>.
  new Function(THEME_SCRIPT)();
}

const html = () => document.documentElement;

const ADA: Me = {
  id: "u1",
  externalAuthId: "kc1",
  email: "ada@example.com",
  firstName: "Ada",
  lastName: "Lovelace",
  avatarUrl: null,
  bio: null,
  phone: null,
  timezone: "UTC",
  language: "en",
  status: "active",
  role: "hr",
} as Me;

function renderShell(me: Me = ADA) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
  client.setQueryData(profileKeys.me, me);
  return render(
    <QueryClientProvider client={client}>
      <AppShell>
        <p>Page</p>
      </AppShell>
    </QueryClientProvider>,
  );
}

beforeEach(() => {
  localStorage.clear();
  html().classList.remove("dark");
  deviceIsDark(false);
});
afterEach(() => {
  document.documentElement.lang = "en";
  vi.unstubAllGlobals();
  localStorage.clear();
  html().classList.remove("dark");
});

vi.setConfig({ testTimeout: 60_000 });

describe("dark mode", () => {
  it("follows a dark device before anything is chosen", () => {
    deviceIsDark(true);
    runThemeScript();
    expect(html().classList.contains("dark")).toBe(true);
  });

  it("keeps a chosen light theme on a dark device", () => {
    deviceIsDark(true);
    localStorage.setItem(THEME_KEY, "light");
    runThemeScript();
    expect(html().classList.contains("dark")).toBe(false);
  });

  it("steps from the device's colours to light to dark and back, remembering the choice", () => {
    render(<ThemeToggle />);
    fireEvent.click(screen.getByRole("button", { name: "Colours: as the device" }));
    expect(localStorage.getItem(THEME_KEY)).toBe("light");
    expect(html().classList.contains("dark")).toBe(false);

    fireEvent.click(screen.getByRole("button", { name: "Colours: light" }));
    expect(localStorage.getItem(THEME_KEY)).toBe("dark");
    expect(html().classList.contains("dark")).toBe(true);

    fireEvent.click(screen.getByRole("button", { name: "Colours: dark" }));
    expect(localStorage.getItem(THEME_KEY)).toBeNull();
    expect(html().classList.contains("dark")).toBe(false);
    expect(screen.getByRole("button", { name: "Colours: as the device" })).toBeTruthy();
  });

  it("shows the remembered choice when the page opens again", async () => {
    localStorage.setItem(THEME_KEY, "dark");
    render(<ThemeToggle />);
    expect(await screen.findByRole("button", { name: "Colours: dark" })).toBeTruthy();
  });

  it("keeps the app shell axe clean in light and in dark colours", async () => {
    renderShell();
    expect(await a11yFindings()).toEqual([]);
    fireEvent.click(screen.getByRole("button", { name: "Colours: as the device" }));
    fireEvent.click(screen.getByRole("button", { name: "Colours: light" }));
    expect(html().classList.contains("dark")).toBe(true);
    expect(await a11yFindings()).toEqual([]);
  });
});

describe("the header on a phone", () => {
  it("carries the logo home and who is signed in, by name for screen readers", () => {
    renderShell();
    const header = screen.getByRole("banner");
    expect(within(header).getByRole("link", { name: "AI Interview, home" }).getAttribute("href")).toBe("/dashboard");
    const badge = within(header).getByTestId("signed-in-initials");
    expect(badge.textContent).toContain("AL");
    expect(badge.textContent).toContain("Signed in as Ada Lovelace");
    expect(within(header).getByRole("button", { name: "Sign out" })).toBeTruthy();
  });

  it("makes initials from a name or an e-mail address", () => {
    expect(initials("Ada Lovelace")).toBe("AL");
    expect(initials("grace.hopper@example.com")).toBe("GH");
    expect(initials("  ")).toBe("?");
  });
});

describe("the camera preview", () => {
  it("is mirrored like a selfie and upright on a phone", () => {
    render(<LivePreview stream={null} />);
    const preview = screen.getByLabelText("Live camera preview");
    expect(preview.className).toContain("-scale-x-100");
    expect(preview.className).toContain("max-sm:aspect-[3/4]");
  });
});

describe("the shell in the profile's language", () => {
  it("speaks German to a candidate whose profile says German, and tells the browser so", async () => {
    renderShell({ ...ADA, role: "candidate", language: "de" });
    expect(screen.getByRole("link", { name: "Meine Interviews" }).getAttribute("href")).toBe("/candidate/dashboard");
    expect(screen.getByRole("link", { name: "Meine Fähigkeiten" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Abmelden" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Farben: wie das Gerät" })).toBeTruthy();
    expect(screen.getByTestId("signed-in-initials").textContent).toContain("Angemeldet als Ada Lovelace");
    await waitFor(() => expect(document.documentElement.lang).toBe("de"));
    expect(await a11yFindings()).toEqual([]);
  });

  it("stays English for English and for languages without a dictionary yet", () => {
    expect(localeOf("en")).toBe("en");
    expect(localeOf("fr")).toBe("en");
    expect(localeOf(undefined)).toBe("en");
    expect(localeOf("de-AT")).toBe("de");
    expect(translate("de", "A phrase nobody translated")).toBe("A phrase nobody translated");
  });
});
