import { expect, test, type APIRequestContext } from "@playwright/test";

/**
 * The app's Keycloak login theme (deploy/keycloak/themes/aivi) as the real Keycloak serves it. A throwaway realm
 * using the theme is made for the check and deleted after, so the shared realms and their users are never touched.
 */
const KEYCLOAK = process.env.KEYCLOAK_URL ?? "http://127.0.0.1:8090";
const ADMIN = [process.env.KEYCLOAK_ADMIN_USER ?? "admin", process.env.KEYCLOAK_ADMIN_PASSWORD ?? "admin"];
const REALM = `aivi-theme-check-${Date.now().toString(36)}`;
// Any PKCE challenge will do: the check stops at the login form.
const CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeKt8URQmJ8RLz7KGkKw";

async function adminToken(request: APIRequestContext): Promise<string> {
  const response = await request.post(`${KEYCLOAK}/realms/master/protocol/openid-connect/token`, {
    form: { grant_type: "password", client_id: "admin-cli", username: ADMIN[0], password: ADMIN[1] },
  });
  expect(response.ok()).toBe(true);
  return ((await response.json()) as { access_token: string }).access_token;
}

function loginUrl(): string {
  const redirect = `${KEYCLOAK}/realms/${REALM}/account/`;
  const query = new URLSearchParams({
    client_id: "account-console",
    response_type: "code",
    scope: "openid",
    redirect_uri: redirect,
    code_challenge: CHALLENGE,
    code_challenge_method: "S256",
  });
  return `${KEYCLOAK}/realms/${REALM}/protocol/openid-connect/auth?${query}`;
}

test.beforeAll(async ({ request }) => {
  const token = await adminToken(request);
  const created = await request.post(`${KEYCLOAK}/admin/realms`, {
    headers: { authorization: `Bearer ${token}` },
    data: { realm: REALM, enabled: true, displayName: "AI Video Interview", loginTheme: "aivi" },
  });
  expect(created.status()).toBe(201);
});

test.afterAll(async ({ request }) => {
  const token = await adminToken(request);
  await request.delete(`${KEYCLOAK}/admin/realms/${REALM}`, { headers: { authorization: `Bearer ${token}` } });
});

test("the login page wears the app's colours and camera mark on a phone", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const stylesheet = page.waitForResponse((r) => r.url().endsWith("/login/aivi/css/aivi.css"));
  await page.goto(loginUrl());
  expect((await stylesheet).status()).toBe(200);
  const signIn = page.locator("#kc-login");
  await expect(signIn).toBeVisible();
  await expect(page.locator("#username")).toBeVisible();
  await expect(signIn).toHaveCSS("background-color", "rgb(67, 56, 202)");
  const header = page.locator("#kc-header-wrapper");
  await expect(header).toHaveText(/AI Video Interview/i);
  await expect(header).toHaveCSS("color", "rgb(15, 23, 42)");
  await expect(header).toHaveCSS("background-image", /\/login\/aivi\/img\/mark\.svg/);
  await page.screenshot({ path: "test-results/keycloak-theme-phone.png", fullPage: true });
});

test("the login page follows the system's dark mode", async ({ browser }) => {
  const context = await browser.newContext({ colorScheme: "dark", viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto(loginUrl());
  await expect(page.locator("html")).toHaveClass(/pf-v5-theme-dark/);
  await expect(page.locator("#kc-login")).toHaveCSS("background-color", "rgb(165, 180, 252)");
  await expect(page.locator("#kc-header-wrapper")).toHaveCSS("color", "rgb(241, 245, 249)");
  await page.screenshot({ path: "test-results/keycloak-theme-phone-dark.png", fullPage: true });
  await context.close();
});
