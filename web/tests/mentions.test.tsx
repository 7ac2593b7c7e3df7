import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import * as React from "react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MentionNote } from "@/components/hr/review/mention-note";
import { TeamReview } from "@/components/hr/review/team-review";
import { ToastProvider } from "@/components/ui/toast";
import { configureApi, setFetch } from "@/lib/api";
import type { Member } from "@/lib/members";
import { mentionQuery, mentionedIds, mentionsInNote, suggestTeammates, type ReviewBoard } from "@/lib/reviews";
import { a11yFindings } from "./a11y";

const BASE = "http://gateway.test";
beforeEach(() => configureApi(BASE));
afterEach(() => setFetch((...args) => fetch(...args)));

const member = (userId: string, name: string, email: string): Member => ({ userId, name, email, isOwner: false, joinedAt: "2026-11-01T00:00:00Z" });
const TEAM = [member("u1", "Olive Owner", "olive@acme.test"), member("u2", "Sam Reviewer", "sam@acme.test"), member("u3", "Samira Lead", "samira@acme.test")];

/** Type into the note as a person does: the caret ends up after the last character. */
function type(area: HTMLElement, value: string) {
  fireEvent.change(area, { target: { value } });
  (area as HTMLTextAreaElement).setSelectionRange(value.length, value.length);
  fireEvent.select(area);
}

function NoteHarness({ onPicked }: { onPicked: (m: Member) => void }) {
  const [value, setValue] = React.useState("");
  return (
    <>
      <label htmlFor="note">Private note</label>
      <MentionNote id="note" value={value} onChange={setValue} team={TEAM} onPick={onPicked} />
      <output data-testid="value">{value}</output>
    </>
  );
}

describe("the @-mention helpers", () => {
  it("finds the name being typed after an @ only at a word's start and before a line break", () => {
    expect(mentionQuery("Ask @sa", 7)).toEqual({ start: 4, query: "sa" });
    expect(mentionQuery("@", 1)).toEqual({ start: 0, query: "" });
    expect(mentionQuery("mail me at sam@acme", 19)).toBeNull();
    expect(mentionQuery("Ask @sam\nthen", 13)).toBeNull();
    expect(mentionQuery("no mention here", 15)).toBeNull();
  });

  it("suggests teammates by name or e-mail, case-insensitively", () => {
    expect(suggestTeammates(TEAM, "SAM").map((m) => m.userId)).toEqual(["u2", "u3"]);
    expect(suggestTeammates(TEAM, "olive@").map((m) => m.userId)).toEqual(["u1"]);
    expect(suggestTeammates(TEAM, "nobody")).toEqual([]);
  });

  it("sends only the picked teammates whose @Name is still in the note, and recovers those an earlier note named", () => {
    const picked = { u2: "Sam Reviewer", u3: "Samira Lead" };
    expect(mentionedIds("Thanks @Sam Reviewer, see the second answer.", picked)).toEqual(["u2"]);
    expect(mentionedIds("Nobody named any more.", picked)).toEqual([]);
    expect(mentionsInNote("cc @Olive Owner", TEAM)).toEqual({ u1: "Olive Owner" });
  });
});

describe("the mention suggestions", () => {
  it("filters as you type, moves with the arrows, picks with Enter and stays axe-clean", async () => {
    const picked: Member[] = [];
    render(<NoteHarness onPicked={(m) => picked.push(m)} />);
    const area = screen.getByLabelText("Private note");
    expect(screen.queryByRole("listbox")).toBeNull();

    type(area, "Great answer, ask @sam");
    const list = await screen.findByRole("listbox", { name: "Teammates to mention" });
    expect(within(list).getAllByRole("option").map((o) => o.textContent)).toEqual(["Sam Reviewersam@acme.test", "Samira Leadsamira@acme.test"]);
    expect(area.getAttribute("aria-controls")).toBe(list.id);
    expect(area.getAttribute("aria-activedescendant")).toBe(within(list).getAllByRole("option")[0]!.id);
    expect(await a11yFindings()).toEqual([]);

    fireEvent.keyDown(area, { key: "ArrowDown" });
    expect(within(list).getByRole("option", { selected: true }).textContent).toContain("Samira Lead");
    fireEvent.keyDown(area, { key: "ArrowDown" });
    expect(within(list).getByRole("option", { selected: true }).textContent).toContain("Sam Reviewer");
    fireEvent.keyDown(area, { key: "ArrowUp" });
    fireEvent.keyDown(area, { key: "Enter" });

    expect(screen.getByTestId("value").textContent).toBe("Great answer, ask @Samira Lead ");
    expect(picked.map((m) => m.userId)).toEqual(["u3"]);
    expect(screen.queryByRole("listbox")).toBeNull();
  });

  it("closes on Escape without picking anyone, and offers nobody for a name not on the team", async () => {
    const picked: Member[] = [];
    render(<NoteHarness onPicked={(m) => picked.push(m)} />);
    const area = screen.getByLabelText("Private note");
    type(area, "@ol");
    expect(await screen.findByRole("listbox")).toBeTruthy();
    fireEvent.keyDown(area, { key: "Escape" });
    expect(screen.queryByRole("listbox")).toBeNull();
    expect(area.getAttribute("aria-activedescendant")).toBeNull();
    // Enter now writes a line break as usual: nothing is picked.
    fireEvent.keyDown(area, { key: "Enter" });
    expect(picked).toEqual([]);

    type(area, "@ol and @outsider");
    expect(screen.queryByRole("listbox")).toBeNull();
    expect(picked).toEqual([]);
  });

  it("picks a teammate with the mouse as well", async () => {
    const picked: Member[] = [];
    render(<NoteHarness onPicked={(m) => picked.push(m)} />);
    type(screen.getByLabelText("Private note"), "cc @");
    fireEvent.mouseDown(await screen.findByRole("option", { name: /Olive Owner/ }));
    expect(screen.getByTestId("value").textContent).toBe("cc @Olive Owner ");
    expect(picked.map((m) => m.userId)).toEqual(["u1"]);
  });
});

describe("mentions in a saved review", () => {
  it("offers the team but the author, sends the ids of the teammates the note still names, and none once removed", async () => {
    const board: ReviewBoard = { invitationId: "i1", stage: "new", others: [], othersHidden: 0 };
    const puts: unknown[] = [];
    setFetch(async (input, init) => {
      const url = new URL(String(input));
      const method = init?.method ?? "GET";
      const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
      if (method === "PUT") {
        puts.push(JSON.parse(String(init?.body)));
        return json({ reviewerId: "me", ratings: {}, updatedAt: "2026-12-05T04:00:00Z" });
      }
      if (url.pathname === "/api/reviews/i1") return json(board);
      if (url.pathname === "/api/hr/companies")
        return json({ success: true, data: [{ id: "c1", name: "Acme" }], pagination: { total: 1, page: 1, limit: 100, totalPages: 1 } });
      if (url.pathname === "/api/hr/companies/c1/members") return json(TEAM);
      if (url.pathname === "/api/users/me") return json({ id: "u1", email: "olive@acme.test", firstName: "Olive", lastName: "Owner" });
      return new Response(JSON.stringify({ code: "NOT_FOUND", error: "Not found" }), { status: 404 });
    });
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <QueryClientProvider client={client}>
        <ToastProvider>
          <TeamReview invitationId="i1" questions={[{ id: "q1", order: 1, text: "Tell us about an incident." }]} />
        </ToastProvider>
      </QueryClientProvider>,
    );
    const area = await screen.findByLabelText("Private note");
    // The team arrives after the board: the suggestions wait for it. The author is not offered to themself.
    await waitFor(() => {
      type(area, "Strong; @");
      expect(screen.getAllByRole("option").map((o) => o.textContent)).toEqual(["Sam Reviewersam@acme.test", "Samira Leadsamira@acme.test"]);
    });
    type(area, "Strong; @sam");
    fireEvent.keyDown(area, { key: "Enter" });
    fireEvent.click(screen.getByRole("button", { name: "Save draft" }));
    await waitFor(() => expect(puts).toHaveLength(1));
    expect(puts[0]).toEqual({ ratings: {}, note: "Strong; @Sam Reviewer", mentions: ["u2"] });

    type(area, "Strong; no one to ask.");
    fireEvent.click(screen.getByRole("button", { name: "Save draft" }));
    await waitFor(() => expect(puts).toHaveLength(2));
    expect(puts[1]).toEqual({ ratings: {}, note: "Strong; no one to ask." });
  });
});
