import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, fireEvent, render, screen } from "@testing-library/react";
import * as React from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import CandidateOutcome from "@/app/(app)/candidate/results/[id]/page";
import JoinPage from "@/app/join/page";
import { DeviceCheck, deviceErrorMessage } from "@/components/interview/device-check";
import { MediaAnswer } from "@/components/interview/media-answer";
import { ApiError, configureApi, setFetch } from "@/lib/api";
import { chooseLocale, hasGerman, translate } from "@/lib/i18n";
import { invitationKeys, type Invitation } from "@/lib/invitations";
import { joinError } from "@/lib/invites";
import { profileKeys, type Me } from "@/lib/profile";
import type { Question } from "@/lib/templates";
import { a11yFindings } from "./a11y";

const replace = vi.fn();
vi.mock("next/navigation", () => ({
  useRouter: () => ({ replace, push: vi.fn() }),
  usePathname: () => "/join",
  useSearchParams: () => new URLSearchParams("token=abc.sig"),
}));
// axe over whole screens is slow on a loaded machine; the limit is the harness's, not a check on speed.
vi.setConfig({ testTimeout: 60_000 });

const de = (text: string, vars?: Record<string, string | number>) => translate("de", text, vars);

function show(ui: React.ReactElement, client = new QueryClient({ defaultOptions: { queries: { retry: false } } })) {
  return render(<QueryClientProvider client={client}>{ui}</QueryClientProvider>);
}

function gateway(answers: Record<string, { status?: number; json: unknown }>) {
  setFetch(async (input, init) => {
    const key = `${init?.method ?? "GET"} ${new URL(String(input)).pathname}`;
    const found = answers[key] ?? { status: 404, json: { code: "NOT_FOUND", error: "Not found" } };
    return new Response(JSON.stringify(found.json), { status: found.status ?? 200, headers: { "content-type": "application/json" } });
  });
}

const invite = {
  invitationId: "i1",
  companyName: "Acme",
  templateTitle: "Support specialist",
  candidateEmail: "ada@example.com",
  expiresAt: "2030-01-20T12:00:00Z",
  status: "pending",
  claimed: false,
};

beforeEach(() => {
  configureApi("http://gateway.test");
  replace.mockReset();
});

afterEach(() => {
  window.localStorage.clear();
  vi.restoreAllMocks();
});

describe("the device check in German", () => {
  it("asks for camera and microphone and says in German why this browser cannot record, with axe clean", async () => {
    act(() => chooseLocale("de"));
    show(<DeviceCheck wantVideo onReady={() => {}} />);

    expect(screen.getByRole("heading", { name: "Kamera und Mikrofon prüfen" })).toBeTruthy();
    expect(screen.getByText(/In diesem Interview werden Antworten aufgezeichnet \(Video\)/)).toBeTruthy();
    // The test browser has no camera API: the check fails the way an old browser's would.
    fireEvent.click(screen.getByRole("button", { name: "Kamera und Mikrofon prüfen" }));

    expect(await screen.findByText("Geräte nicht verfügbar")).toBeTruthy();
    expect(screen.getByText(/Dieser Browser kann hier nicht aufnehmen/)).toBeTruthy();
    expect(document.body.textContent).not.toMatch(/Check|camera|browser cannot/);
    expect(await a11yFindings()).toEqual([]);
  });

  it("words every way the devices can fail in German, and keeps the English sentences when no language is given", () => {
    const failures = ["NotAllowedError", "NotFoundError", "NotReadableError", "Unsupported", "SomethingElse"].map((name) => {
      const error = new Error(name === "SomethingElse" ? "" : "x");
      error.name = name;
      return error;
    });
    for (const wantVideo of [true, false]) {
      for (const error of failures) {
        const english = deviceErrorMessage(error, wantVideo);
        expect(hasGerman(english), english).toBe(true);
        expect(deviceErrorMessage(error, wantVideo, de)).toBe(de(english));
      }
    }
    const denied = new DOMException("denied", "NotAllowedError");
    expect(deviceErrorMessage(denied, false)).toBe(
      "Access to your microphone was denied. Allow it in your browser's site settings (the icon at the left of the address bar), then check again.",
    );
    const odd = new Error("device busy");
    expect(deviceErrorMessage(odd, true, de)).toBe("Ihre Kamera und Ihr Mikrofon konnten nicht geöffnet werden: device busy");
  });
});

describe("a recorded answer in German", () => {
  it("states the answer's kind, limit and retakes in German before the devices are open, with axe clean", async () => {
    act(() => chooseLocale("de"));
    const question: Question = { id: "q1", text: "Tell us about a hard bug.", type: "video", order: 1, timeLimit: 90, required: true, createdAt: "2026-12-01T10:00:00Z" };
    show(
      <MediaAnswer
        invitationId="i1"
        question={question}
        index={0}
        kind="video"
        stream={null}
        wantVideo
        onStream={() => {}}
        retakes={2}
        onAnswered={() => {}}
        onBusyChange={() => {}}
        onGone={() => {}}
      />,
    );

    expect(screen.getByText("Videoantwort · bis zu 1:30 (die Aufnahme endet am Limit von selbst) · 2 Wiederholungen erlaubt")).toBeTruthy();
    expect(await screen.findByRole("button", { name: "Kamera und Mikrofon prüfen" })).toBeTruthy();
    expect(await a11yFindings()).toEqual([]);
  });

  it("keeps the uploader's own reason for a rejected recording translatable", () => {
    expect(de("The recording was not accepted: {reason}", { reason: de("The recording could not be processed.") })).toBe(
      "Die Aufnahme wurde nicht angenommen: Die Aufnahme konnte nicht verarbeitet werden.",
    );
  });
});

describe("the invitation link page in German", () => {
  it("follows the browser's German: who invited whom, until when, and the account buttons, with axe clean", async () => {
    vi.spyOn(window.navigator, "language", "get").mockReturnValue("de-DE");
    gateway({
      "GET /api/invites/join": { json: invite },
      "POST /api/invites/claim": { status: 401, json: { code: "UNAUTHORIZED", error: "Sign in" } },
      "POST /auth/refresh": { status: 401, json: { code: "UNAUTHORIZED", error: "No session" } },
    });
    show(<JoinPage />);

    expect(await screen.findByRole("heading", { name: "Acme hat Sie zu einem Interview eingeladen" })).toBeTruthy();
    expect(screen.getByText("Support specialist · offen bis 20. Januar 2030")).toBeTruthy();
    expect(await screen.findByRole("button", { name: "Mein Konto erstellen" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Ich habe schon ein Konto" })).toBeTruthy();
    // The invited address stays bold inside the German sentence.
    expect(screen.getByText("ada@example.com").tagName).toBe("STRONG");
    expect(screen.getByText(/^Erstellen Sie Ihr Konto mit/)).toBeTruthy();
    expect(screen.getByRole("combobox", { name: "Sprache" })).toBeTruthy();
    expect(document.body.textContent).not.toMatch(/invited you|Create my account|open until/);
    expect(await a11yFindings()).toEqual([]);
  });

  it("switches to English with the language switch, in the words the English page always had", async () => {
    vi.spyOn(window.navigator, "language", "get").mockReturnValue("de-DE");
    gateway({
      "GET /api/invites/join": { json: invite },
      "POST /api/invites/claim": { status: 401, json: { code: "UNAUTHORIZED", error: "Sign in" } },
      "POST /auth/refresh": { status: 401, json: { code: "UNAUTHORIZED", error: "No session" } },
    });
    show(<JoinPage />);
    await screen.findByRole("button", { name: "Mein Konto erstellen" });

    fireEvent.change(screen.getByRole("combobox", { name: "Sprache" }), { target: { value: "en" } });

    expect(await screen.findByRole("heading", { name: "Acme invited you to an interview" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Create my account" })).toBeTruthy();
  });

  it("says in German why a different address cannot take it, and confirms the e-mail in German", async () => {
    act(() => chooseLocale("de"));
    gateway({
      "GET /api/invites/join": { json: invite },
      "POST /api/invites/claim": { status: 403, json: { code: "EMAIL_NOT_VERIFIED", error: "x" } },
      "POST /api/users/me/verify-email": { status: 202, json: { message: "We sent you an e-mail: open its link to confirm your address" } },
    });
    const { unmount } = show(<JoinPage />);
    fireEvent.click(await screen.findByRole("button", { name: "Bestätigungs-E-Mail senden" }));
    expect(await screen.findByText("Wir haben Ihnen eine E-Mail gesendet: Öffnen Sie den Link darin, um Ihre Adresse zu bestätigen")).toBeTruthy();
    expect(await a11yFindings()).toEqual([]);
    unmount();

    gateway({
      "GET /api/invites/join": { json: invite },
      "POST /api/invites/claim": { status: 403, json: { code: "EMAIL_MISMATCH", error: "x" } },
    });
    show(<JoinPage />);
    expect(await screen.findByText("Sie können dieses Interview noch nicht führen")).toBeTruthy();
    expect(screen.getByText(/an eine andere E-Mail-Adresse gesendet/)).toBeTruthy();
  });

  it("has German for every reason an invitation link can be refused", () => {
    const codes = ["INVITE_LINK_EXPIRED", "INVITE_LINK_REVOKED", "INVITE_LINK_INVALID", "EMAIL_NOT_VERIFIED", "EMAIL_MISMATCH", "INVITATION_CLAIMED", "DUPLICATE_INVITATION", "OTHER"];
    const messages = [
      ...codes.map((code) => joinError(new ApiError(403, code, "x"))),
      joinError(new ApiError(422, "VALIDATION_ERROR", "x")),
      joinError(new Error("offline")),
    ];
    expect(new Set(messages).size).toBe(codes.length + 1);
    expect(messages.filter((m) => !hasGerman(m))).toEqual([]);
  });
});

describe("the candidate's outcome in German", () => {
  const completed = {
    id: "i1",
    templateId: "t1",
    candidateId: "c1",
    companyName: "Acme",
    status: "completed",
    expiresAt: "2030-01-20T23:59:59Z",
    completedAt: "2030-01-15T10:00:00Z",
    progress: { answered: 2, total: 2, percentage: 100 },
    responses: [],
    createdAt: "2030-01-14T10:00:00Z",
    templateTitle: "Support specialist",
    templateSettings: { candidateFeedback: "decision_and_feedback" },
  } as unknown as Invitation;

  async function showOutcome(invitation: Invitation) {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
    client.setQueryData(profileKeys.me, { id: "c1", email: "c@example.com", role: "candidate", language: "de" } as Me);
    client.setQueryData(invitationKeys.withTemplate("i1"), invitation);
    const params = Promise.resolve({ id: "i1" });
    await act(async () => {
      show(
        <React.Suspense fallback={null}>
          <CandidateOutcome params={params} />
        </React.Suspense>,
        client,
      );
    });
  }

  it("shows an approval and the company's feedback in German for a German profile, with axe clean", async () => {
    await showOutcome({ ...completed, decision: "approved", decisionAt: "2030-01-16T10:00:00Z", candidateFeedback: "Gut erklärt." } as Invitation);

    expect(await screen.findByText("Angenommen")).toBeTruthy();
    // German dates whatever the browser's language (the test browser's is English).
    expect(screen.getByText("Acme hat Ihr Interview am 16. Jan. 2030 angenommen und meldet sich bei Ihnen wegen des nächsten Schritts.")).toBeTruthy();
    expect(screen.getByText("Rückmeldung von Acme:")).toBeTruthy();
    expect(screen.getByRole("link", { name: /Meine Interviews/ })).toBeTruthy();
    expect(screen.getByText("Acme · abgeschlossen am 15. Jan. 2030")).toBeTruthy();
    expect(document.body.textContent).not.toMatch(/approved|Feedback from|completed/);
    expect(await a11yFindings()).toEqual([]);
  });

  it("shows a rejection without a date in German", async () => {
    await showOutcome({ ...completed, decision: "rejected", decisionAt: null } as unknown as Invitation);
    expect(await screen.findByText("Nicht ausgewählt")).toBeTruthy();
    expect(screen.getByText("Acme hat entschieden, Ihre Bewerbung nicht weiterzuverfolgen.")).toBeTruthy();
  });

  it("offers to try again in German when the outcome cannot be loaded", async () => {
    gateway({ "GET /api/invitations/i1": { status: 503, json: { code: "SERVICE_UNAVAILABLE", error: "Try later" } } });
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    client.setQueryData(profileKeys.me, { id: "c1", email: "c@example.com", role: "candidate", language: "de" } as Me);
    const params = Promise.resolve({ id: "i1" });
    await act(async () => {
      show(
        <React.Suspense fallback={null}>
          <CandidateOutcome params={params} />
        </React.Suspense>,
        client,
      );
    });

    expect(await screen.findByText("Dieses Interview konnte nicht geladen werden")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Erneut versuchen" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Try again" })).toBeNull();
  });

  it("says an unfinished interview has no outcome yet, in German, with a way back to it", async () => {
    await showOutcome({ ...completed, status: "in_progress", completedAt: null } as unknown as Invitation);
    expect(await screen.findByText("Noch nicht abgeschlossen")).toBeTruthy();
    expect(screen.getByRole("link", { name: "Zum Interview" }).getAttribute("href")).toBe("/interview/i1");
    expect(await a11yFindings()).toEqual([]);
  });
});
