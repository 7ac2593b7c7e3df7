import { expect, test, type Page } from "@playwright/test";

/**
 * The platform's core loop in a real browser against real servers (started by tests/test_web.py): everyone
 * signs in on Keycloak's own page. Key screens are saved to test-results/screens/ as the run's artefacts.
 */

type Account = { email: string; password: string };

function account(role: "HR" | "CANDIDATE" | "ADMIN"): Account {
  const email = process.env[`${role}_EMAIL`];
  const password = process.env[`${role}_PASSWORD`];
  if (!email || !password) throw new Error(`${role}_EMAIL and ${role}_PASSWORD must be set (tests/test_web.py sets them)`);
  return { email, password };
}

const hr = account("HR");
const candidate = account("CANDIDATE");
const admin = account("ADMIN");

let shot = 0;
async function screen(page: Page, name: string): Promise<void> {
  shot += 1;
  await page.screenshot({ path: `test-results/screens/${String(shot).padStart(2, "0")}-${name}.png`, fullPage: true });
}

/** /login → the gateway's authorization URL → Keycloak's page → back through /auth/callback to `home`. */
async function signIn(page: Page, who: Account, home: string): Promise<void> {
  await page.goto("/login");
  await page.locator("#username").waitFor();
  await page.locator("#username").fill(who.email);
  await page.locator("#password").fill(who.password);
  await page.locator("#kc-login").click();
  await page.waitForURL((url) => url.pathname === home, { timeout: 60_000 });
}

test.describe.configure({ mode: "serial" });

test("a candidate signs in on Keycloak's page and lands on their dashboard", async ({ page }) => {
  await page.goto("/login");
  await page.locator("#username").waitFor();
  await screen(page, "keycloak-sign-in");
  await signIn(page, candidate, "/candidate/dashboard");
  await screen(page, "candidate-dashboard");
});

test("HR signs in and lands on the HR dashboard", async ({ page }) => {
  await signIn(page, hr, "/hr/dashboard");
  await screen(page, "hr-dashboard");
});

test("an admin signs in and lands on the admin dashboard", async ({ page }) => {
  await signIn(page, admin, "/admin/dashboard");
  await expect(page).toHaveURL(/\/admin\/dashboard$/);
  await screen(page, "admin-dashboard");
});
