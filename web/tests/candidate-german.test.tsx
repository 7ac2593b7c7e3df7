import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, fireEvent, render, screen } from "@testing-library/react";
import fs from "node:fs";
import path from "node:path";
import * as React from "react";
import ts from "typescript";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ChoiceAnswer, TextAnswer } from "@/components/interview/answer-forms";
import { BriefingFacts } from "@/components/interview/briefing";
import { ThankYou } from "@/components/interview/interview-runner";
import { LanguageSwitch } from "@/components/interview/language-switch";
import { ThinkCountdown, TimeLeft } from "@/components/interview/timers";
import { ToastProvider } from "@/components/ui/toast";
import { chooseLocale, hasGerman, translate } from "@/lib/i18n";
import type { Briefing, Invitation } from "@/lib/invitations";
import type { Question } from "@/lib/templates";
import { a11yFindings } from "./a11y";

vi.mock("next/navigation", () => ({ useRouter: () => ({ replace: vi.fn(), push: vi.fn() }), usePathname: () => "/", useSearchParams: () => new URLSearchParams() }));
// axe over whole screens is slow on a loaded machine; the limit is the harness's, not a check on speed.
vi.setConfig({ testTimeout: 60_000 });

const ROOT = path.resolve(__dirname, "..");
const CANDIDATE_SOURCES = [
  "src/components/interview",
  "src/app/interview",
  "src/app/join",
  "src/app/(app)/candidate",
  "src/components/fairness/self-identification-card.tsx",
];
// The product's name in the interview page's header (a server layout, so without the language hook).
const UNTRANSLATED = new Set(["AI Video Interview"]);
// Attributes whose text a person reads or hears (a screen reader reads labels out).
const READ_ATTRIBUTES = new Set(["title", "label", "aria-label", "placeholder", "description", "alt"]);

/** Every .ts/.tsx file under `entry` (a folder or one file), as full paths. */
function sources(entry: string): string[] {
  const full = path.join(ROOT, entry);
  if (!fs.existsSync(full)) return [];
  if (fs.statSync(full).isFile()) return [full];
  return fs.readdirSync(full, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(path.join(entry, e.name)) : /\.tsx?$/.test(e.name) ? [path.join(full, e.name)] : [],
  );
}

/** Words written straight into the markup (JSX text, or a read attribute given a plain string), so never translated. */
function wordsOutsideT(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isJsxText(node) && /[A-Za-z]{2,}/.test(node.text) && !UNTRANSLATED.has(node.text.trim())) found.push(node.text.trim());
    if (
      ts.isJsxAttribute(node) &&
      READ_ATTRIBUTES.has(node.name.getText(source)) &&
      node.initializer &&
      ts.isStringLiteral(node.initializer) &&
      /[A-Za-z]/.test(node.initializer.text)
    )
      found.push(node.getText(source));
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found.map((words) => `${path.relative(ROOT, file)}: ${words}`);
}

/** Every string literal in the first argument of each `t(...)` call (ternaries included), read from the source. */
function translatedKeys(source: string): string[] {
  const keys: string[] = [];
  for (const m of source.matchAll(/(?<![\w.])t\(/g)) {
    let i = (m.index ?? 0) + 2;
    let depth = 0;
    for (; i < source.length; i++) {
      const c = source[i];
      if (c === '"') {
        let j = i + 1;
        while (source[j] !== '"') j += source[j] === "\\" ? 2 : 1;
        keys.push(JSON.parse(source.slice(i, j + 1)) as string);
        i = j;
      } else if (c === "`") {
        i = source.indexOf("`", i + 1);
      } else if (c === "(" || c === "[" || c === "{") depth++;
      else if (c === ")" || c === "]" || c === "}") {
        if (depth === 0) break;
        depth--;
      } else if (c === "," && depth === 0) break;
    }
  }
  return keys;
}

function show(ui: React.ReactElement) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <ToastProvider>{ui}</ToastProvider>
    </QueryClientProvider>,
  );
}

const text: Question = { id: "q1", text: "Describe an outage.", type: "text", order: 1, timeLimit: 120, required: true, createdAt: "2026-12-01T10:00:00Z" };
const choice: Question = {
  id: "q2", text: "Which method is idempotent?", type: "multiple_choice", order: 2, timeLimit: 60, required: true, createdAt: "2026-12-01T10:00:00Z",
  options: [{ id: "o1", text: "POST" }, { id: "o2", text: "PUT" }],
};
const briefing = {
  invitationId: "i1", status: "pending", companyName: "Acme", templateTitle: "Support", templateDescription: "",
  expiresAt: "2030-01-20T23:59:59Z",
  questions: [{ order: 1, type: "text", timeLimit: 120, thinkTime: 0 }, { order: 2, type: "video", timeLimit: 90, thinkTime: 30 }],
  expectedDuration: 240, totalTimeLimit: 20, allowPause: false, retakesAllowed: 2, needsCamera: true, needsMicrophone: true,
  candidateFeedback: "decision_and_feedback", graceSeconds: 5,
} as unknown as Briefing;

afterEach(() => {
  window.localStorage.clear();
});

describe("the candidate flow in German", () => {
  it("has a German translation for every phrase the candidate's pages pass to t()", () => {
    const files = CANDIDATE_SOURCES.flatMap(sources);
    const keys = [...new Set(files.flatMap((f) => translatedKeys(fs.readFileSync(f, "utf8"))))];
    expect(keys.length).toBeGreaterThan(150);
    expect(keys.filter((k) => !hasGerman(k))).toEqual([]);
  });

  it("writes no words into the candidate's pages outside t(), so none stays English in German", () => {
    const files = CANDIDATE_SOURCES.flatMap(sources).filter((f) => f.endsWith(".tsx"));
    expect(files.some((f) => f.endsWith(path.join("join", "page.tsx")))).toBe(true);
    expect(files.flatMap(wordsOutsideT)).toEqual([]);
  });

  it("fills the placeholders after translating, so German word order holds", () => {
    expect(translate("de", "Question {n} of {total}", { n: 2, total: 5 })).toBe("Frage 2 von 5");
    expect(translate("de", "{company} expects to reply {reply}.", { company: "Acme", reply: "in 5 Tagen" })).toBe(
      "Acme plant, sich in 5 Tagen zu melden.",
    );
  });

  it("shows the answer forms, timers, briefing facts and completion in German once chosen, with axe clean", async () => {
    act(() => chooseLocale("de"));
    const now = Date.now();
    show(
      <>
        <BriefingFacts briefing={briefing} />
        <TextAnswer question={text} busy={false} error={null} onSubmit={() => {}} />
        <ChoiceAnswer question={choice} busy={false} error={null} onSubmit={() => {}} />
        <TimeLeft until={new Date(now + 65_000).toISOString()} now={now} />
        <ThinkCountdown until={new Date(now + 30_000).toISOString()} now={now} onDone={() => {}} canStart />
        <ThankYou invitation={{ companyName: "Acme", templateTitle: "Support", templateSettings: { expectedReplyTime: "innerhalb einer Woche" } } as unknown as Invitation} />
      </>,
    );

    expect(screen.getByText("Pausen und Wiederholungen")).toBeTruthy();
    expect(screen.getByText("Jede aufgenommene Antwort kann 2-mal wiederholt werden; die letzte Aufnahme zählt.")).toBeTruthy();
    expect(screen.getByLabelText("Ihre Antwort")).toBeTruthy();
    expect(screen.getByText("Wählen Sie eine Antwort")).toBeTruthy();
    expect(screen.getAllByRole("button", { name: /Antwort senden/ })).toHaveLength(2);
    expect(screen.getByText(/Verbleibende Zeit: 1:05/)).toBeTruthy();
    expect(screen.getByRole("heading", { name: "Bedenkzeit" })).toBeTruthy();
    expect(screen.getByRole("heading", { name: "Interview abgeschlossen" })).toBeTruthy();
    expect(screen.getByText("Acme plant, sich innerhalb einer Woche zu melden.")).toBeTruthy();
    expect(screen.queryByText(/Submit answer|Time left|What happens next/)).toBeNull();
    expect(await a11yFindings()).toEqual([]);
  });

  it("follows the browser's language until the switch picks another, for every open page", async () => {
    const language = vi.spyOn(window.navigator, "language", "get").mockReturnValue("de-DE");
    show(
      <>
        <LanguageSwitch />
        <TextAnswer question={text} busy={false} error={null} onSubmit={() => {}} />
      </>,
    );
    expect(screen.getByLabelText("Ihre Antwort")).toBeTruthy();

    fireEvent.change(screen.getByRole("combobox", { name: "Sprache" }), { target: { value: "en" } });

    expect(await screen.findByLabelText("Your answer")).toBeTruthy();
    expect(window.localStorage.getItem("aivi.language")).toBe("en");
    expect(await a11yFindings()).toEqual([]);
    language.mockRestore();
  });
});
