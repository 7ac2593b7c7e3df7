import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ChangePassword } from "@/components/profile/change-password";
import { configureApi, setFetch } from "@/lib/api";
import { a11yFindings } from "./a11y";

const replace = vi.fn();
vi.mock("next/navigation", () => ({
  useRouter: () => ({ replace, push: vi.fn() }),
  usePathname: () => "/profile/security",
  useSearchParams: () => new URLSearchParams(),
}));

const BASE = "http://gateway.test";
type Call = { method: string; path: string; body: unknown };
let calls: Call[] = [];

/** A gateway standing in: `answer` maps "METHOD /path" to a JSON body (status 200 unless given). */
function gateway(answer: (key: string) => { status?: number; json: unknown } | undefined) {
  calls = [];
  setFetch(async (input, init) => {
    const url = new URL(String(input));
    const method = init?.method ?? "GET";
    const body = typeof init?.body === "string" ? JSON.parse(init.body) : undefined;
    calls.push({ method, path: url.pathname, body });
    const found = answer(`${method} ${url.pathname}`) ?? { status: 201, json: { message: "Password changed successfully" } };
    return new Response(JSON.stringify(found.json), { status: found.status ?? 200, headers: { "content-type": "application/json" } });
  });
}

/** The kit's error envelope, as the gateway answers a refusal. */
function refusal(status: number, code: string, error: string, details?: unknown) {
  return { status, json: { success: false, statusCode: status, code, error, path: "/auth/change-password", details } };
}

function fill(current: string, next: string, confirm = next) {
  fireEvent.change(screen.getByLabelText("Current password"), { target: { value: current } });
  fireEvent.change(screen.getByLabelText("New password"), { target: { value: next } });
  fireEvent.change(screen.getByLabelText("Confirm new password"), { target: { value: confirm } });
  fireEvent.click(screen.getByRole("button", { name: "Change password" }));
}

const changes = () => calls.filter((c) => c.path === "/auth/change-password");

beforeEach(() => {
  configureApi(BASE);
  replace.mockReset();
});
afterEach(() => {
  setFetch((...args) => fetch(...args));
  vi.unstubAllGlobals();
  sessionStorage.clear();
});

// axe walks the whole rendered document, which takes seconds on a busy machine.
vi.setConfig({ testTimeout: 60_000 });

describe("changing the password", () => {
  it("asks for the current password in a labelled field the password manager can fill", async () => {
    gateway(() => undefined);
    render(<ChangePassword accountConsoleUrl="http://keycloak.test/realms/r/account" />);
    const current = screen.getByLabelText("Current password");
    expect(current).toHaveProperty("type", "password");
    expect(current.getAttribute("autocomplete")).toBe("current-password");
    expect(screen.getByLabelText("New password").getAttribute("autocomplete")).toBe("new-password");
    expect(await a11yFindings()).toEqual([]);
  });

  it("sends the current and the new password, then shows the page's success state", async () => {
    gateway(() => undefined);
    render(<ChangePassword accountConsoleUrl="http://keycloak.test/realms/r/account" />);
    fill("old-secret", "new-secret-1");
    await waitFor(() => expect(replace).toHaveBeenCalledWith("/profile/security?success=password_changed"));
    expect(changes()).toEqual([
      { method: "POST", path: "/auth/change-password", body: { currentPassword: "old-secret", newPassword: "new-secret-1" } },
    ]);
  });

  it("asks for the current password before sending anything", async () => {
    gateway(() => undefined);
    render(<ChangePassword accountConsoleUrl="http://keycloak.test/realms/r/account" />);
    fill("", "new-secret-1");
    expect(await screen.findByText("Enter your current password")).toBeTruthy();
    expect(screen.getByLabelText("Current password").getAttribute("aria-invalid")).toBe("true");
    expect(changes()).toEqual([]);
  });

  it("says the current password is not right when the gateway refuses it, at the field, and keeps axe clean", async () => {
    gateway((key) =>
      key === "POST /auth/change-password" ? refusal(403, "CURRENT_PASSWORD_INCORRECT", "The current password is not correct") : undefined,
    );
    render(<ChangePassword accountConsoleUrl="http://keycloak.test/realms/r/account" />);
    fill("wrong-secret", "new-secret-1");
    const message = await screen.findByText("The current password is not right");
    const field = screen.getByLabelText("Current password");
    expect(field.getAttribute("aria-describedby")).toBe(message.id);
    expect(field.getAttribute("aria-invalid")).toBe("true");
    await waitFor(() => expect(document.activeElement).toBe(field));
    expect(replace).not.toHaveBeenCalled();
    expect(await a11yFindings()).toEqual([]);
  });

  it("asks to sign in again when the sign-in is too old, and the link makes Keycloak ask for the password", async () => {
    gateway((key) => {
      if (key === "POST /auth/change-password")
        return refusal(401, "REAUTHENTICATION_REQUIRED", "For your security, sign in again, then change your password");
      if (key === "GET /auth/login") return { json: { authUrl: "http://keycloak.test/realms/r/protocol/openid-connect/auth?state=s1" } };
      return undefined;
    });
    render(<ChangePassword accountConsoleUrl="http://keycloak.test/realms/r/account" />);
    fill("old-secret", "new-secret-1");
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("For your security, sign in again, then change your password.");
    const link = screen.getByRole("link", { name: "Sign in again" });
    expect(link.getAttribute("href")).toBe("/login?from=%2Fprofile%2Fsecurity");
    expect(await a11yFindings()).toEqual([]);
    // A 401 from /auth/* is an answer, not an expired session: no refresh was attempted.
    expect(calls.map((c) => c.path)).toEqual(["/auth/change-password"]);

    const assign = vi.fn();
    vi.stubGlobal("location", { ...window.location, origin: "http://127.0.0.1:3000", assign });
    fireEvent.click(link);
    await waitFor(() => expect(assign).toHaveBeenCalledTimes(1));
    const target = new URL(assign.mock.calls[0][0] as string);
    expect(target.searchParams.get("prompt")).toBe("login");
    expect(target.searchParams.get("state")).toBe("s1");
    expect(sessionStorage.getItem("auth:from")).toBe("/profile/security");
  });

  it("shows the gateway's word on the new password at that field", async () => {
    gateway((key) =>
      key === "POST /auth/change-password"
        ? refusal(422, "VALIDATION_ERROR", "Validation failed", [{ field: "newPassword", message: "The password is too common" }])
        : undefined,
    );
    render(<ChangePassword accountConsoleUrl="http://keycloak.test/realms/r/account" />);
    fill("old-secret", "password1");
    expect(await screen.findByText("The password is too common")).toBeTruthy();
    expect(screen.getByLabelText("New password").getAttribute("aria-invalid")).toBe("true");
    expect(screen.queryByRole("link", { name: "Sign in again" })).toBeNull();
  });

  it("shows any other refusal in the gateway's plain words", async () => {
    gateway((key) =>
      key === "POST /auth/change-password" ? refusal(429, "TOO_MANY_REQUESTS", "Too many requests; try again in a minute") : undefined,
    );
    render(<ChangePassword accountConsoleUrl="http://keycloak.test/realms/r/account" />);
    fill("old-secret", "new-secret-1");
    expect((await screen.findByRole("alert")).textContent).toBe("Too many requests; try again in a minute");
  });
});
