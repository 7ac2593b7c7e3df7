import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import * as React from "react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MessageManager } from "@/components/hr/messages/message-manager";
import { DecisionPanel } from "@/components/hr/review/decision";
import { ReviewList } from "@/components/hr/review/review-list";
import { ToastProvider } from "@/components/ui/toast";
import { configureApi, setFetch } from "@/lib/api";
import type { Invitation } from "@/lib/invitations";
import { checkMessage, fillMessage, unknownPlaceholders, type MessageTemplate } from "@/lib/messages";
import type { ReviewListItem } from "@/lib/reviews";
import { a11yFindings } from "./a11y";

const BASE = "http://gateway.test";
beforeEach(() => configureApi(BASE));
afterEach(() => setFetch((...args) => fetch(...args)));

type Call = { method: string; path: string; body: unknown };
type Answer = unknown | ((call: Call) => { status: number; body?: unknown });

/** A gateway stand-in: answers by "METHOD path" (a value, or a function for a status) and records every call. */
function gateway(routes: Record<string, Answer>): Call[] {
  const calls: Call[] = [];
  setFetch(async (input, init) => {
    const url = new URL(String(input));
    const call = { method: init?.method ?? "GET", path: url.pathname, body: init?.body ? JSON.parse(String(init.body)) : undefined };
    calls.push(call);
    const answer = routes[`${call.method} ${call.path}`];
    if (answer === undefined) return new Response(JSON.stringify({ code: "NOT_FOUND", error: "Not found" }), { status: 404 });
    const { status, body } = typeof answer === "function" ? answer(call) : { status: 200, body: answer };
    return status === 204 ? new Response(null, { status }) : new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
  });
  return calls;
}

function renderWithClient(ui: React.ReactElement) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <ToastProvider>{ui}</ToastProvider>
    </QueryClientProvider>,
  );
}

const POLITE: MessageTemplate = {
  id: "m1",
  name: "Rejection — polite",
  body: "Dear {candidateName}, thank you for interviewing for {role} at {company}.",
  createdBy: "u1",
  updatedAt: "2026-12-01T10:00:00Z",
};

describe("saved message helpers", () => {
  it("fills the placeholders as the service does, and names the ones it would refuse", () => {
    expect(fillMessage(POLITE.body, { candidateName: "Ada", role: "Backend engineer", company: "Acme" })).toBe(
      "Dear Ada, thank you for interviewing for Backend engineer at Acme.",
    );
    expect(fillMessage("Hi {candidateName}", { candidateName: null, role: "r", company: "c" })).toBe("Hi there");
    expect(unknownPlaceholders("Hi {name}, {role} and {}")).toEqual(["", "name"]);
    expect(checkMessage({ name: " ", body: "Hi {firstName}" })).toEqual({
      name: "Give the message a name of 1 to 100 characters.",
      body: "This message uses a placeholder we cannot fill in. Use only {candidateName}, {role} and {company}.",
    });
  });
});

describe("the saved messages screen", () => {
  it("creates a message with placeholder buttons and shows the API's refusal next to the field, axe-clean", async () => {
    let attempts = 0;
    const calls = gateway({
      "GET /api/message-templates": [],
      "POST /api/message-templates": () =>
        ++attempts === 1
          ? { status: 409, body: { statusCode: 409, code: "DUPLICATE_MESSAGE_TEMPLATE", error: "Your company already has a saved message named “Welcome”." } }
          : { status: 201, body: { ...POLITE, id: "m2", name: "Welcome back" } },
    });
    renderWithClient(<MessageManager />);
    fireEvent.click(await screen.findByRole("button", { name: "New message" }));
    const dialog = await screen.findByRole("dialog", { name: "New saved message" });
    // Nothing is sent before the fields are filled in.
    fireEvent.click(within(dialog).getByRole("button", { name: "Save message" }));
    expect(await within(dialog).findByText("Write the message: 1 to 2000 characters.")).toBeTruthy();
    expect(calls.filter((c) => c.method === "POST")).toHaveLength(0);

    fireEvent.change(within(dialog).getByLabelText("Name"), { target: { value: "Welcome" } });
    const body = within(dialog).getByLabelText("Message to the candidate") as HTMLTextAreaElement;
    fireEvent.change(body, { target: { value: "Hello , welcome to " } });
    body.setSelectionRange(6, 6);
    fireEvent.click(within(dialog).getByRole("button", { name: "Candidate's name" }));
    body.setSelectionRange(body.value.length, body.value.length);
    fireEvent.click(within(dialog).getByRole("button", { name: "Company" }));
    expect(body.value).toBe("Hello {candidateName}, welcome to {company}");
    expect(within(dialog).getByText(/Hello Alex Example, welcome to your company/)).toBeTruthy();
    expect(within(dialog).getByText(/becomes the interview's title/)).toBeTruthy();

    fireEvent.click(within(dialog).getByRole("button", { name: "Save message" }));
    const refusal = await within(dialog).findByText("You already have a saved message with this name. Choose another name.");
    expect(within(dialog).getByLabelText("Name").getAttribute("aria-describedby")).toBe(refusal.id);
    expect(await a11yFindings()).toEqual([]);

    fireEvent.change(within(dialog).getByLabelText("Name"), { target: { value: "Welcome back" } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Save message" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(calls.filter((c) => c.method === "POST").map((c) => c.body)).toEqual([
      { name: "Welcome", body: "Hello {candidateName}, welcome to {company}" },
      { name: "Welcome back", body: "Hello {candidateName}, welcome to {company}" },
    ]);
  });

  it("shows the service's placeholder refusal under the message in plain words", async () => {
    gateway({
      "GET /api/message-templates": [POLITE],
      "PUT /api/message-templates/m1": () => ({
        status: 422,
        body: {
          statusCode: 422,
          code: "VALIDATION_ERROR",
          error: "Unknown placeholder {first}",
          details: [{ field: "body", location: "body", message: "Unknown placeholder; use {candidateName}, {role}, {company}", type: "value_error" }],
        },
      }),
    });
    renderWithClient(<MessageManager />);
    fireEvent.click(await screen.findByRole("button", { name: "Edit “Rejection — polite”" }));
    const dialog = await screen.findByRole("dialog", { name: "Edit saved message" });
    fireEvent.click(within(dialog).getByRole("button", { name: "Save message" }));
    const refusal = await within(dialog).findByText(/placeholder we cannot fill in/);
    expect(within(dialog).getByLabelText("Message to the candidate").getAttribute("aria-describedby")).toContain(refusal.id);
    expect(within(dialog).getByLabelText("Message to the candidate").getAttribute("aria-invalid")).toBe("true");
  });

  it("deletes a message only after the confirmation", async () => {
    const calls = gateway({ "GET /api/message-templates": [POLITE], "DELETE /api/message-templates/m1": () => ({ status: 204 }) });
    renderWithClient(<MessageManager />);
    fireEvent.click(await screen.findByRole("button", { name: "Delete “Rejection — polite”" }));
    const dialog = await screen.findByRole("dialog", { name: "Delete “Rejection — polite”?" });
    fireEvent.click(within(dialog).getByRole("button", { name: "Keep it" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(calls.some((c) => c.method === "DELETE")).toBe(false);

    fireEvent.click(screen.getByRole("button", { name: "Delete “Rejection — polite”" }));
    fireEvent.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "Delete message" }));
    await waitFor(() => expect(calls.some((c) => c.method === "DELETE" && c.path === "/api/message-templates/m1")).toBe(true));
    expect(await a11yFindings()).toEqual([]);
  });
});

const item = (id: string, name: string): ReviewListItem => ({
  id,
  templateId: "t1",
  templateTitle: "Backend engineer",
  candidateName: name,
  completedAt: "2026-11-29T10:00:00Z",
  stage: "new",
  reviews: 0,
});

describe("saved messages in decisions", () => {
  it("sends the picked saved message with a bulk rejection, offered only for a decision", async () => {
    const calls = gateway({
      "GET /api/reviews": { items: [item("a", "Ada"), item("b", "Bob")], total: 2, page: 1, limit: 20, totalPages: 1 },
      "GET /api/templates": { items: [], total: 0, page: 1, limit: 100, totalPages: 1 },
      "GET /api/message-templates": [POLITE],
      "POST /api/reviews/stage": { stage: "rejected", changed: 2 },
    });
    renderWithClient(<ReviewList />);
    const table = await screen.findByRole("table", { name: "Completed interviews" });
    for (const box of within(table).getAllByRole("checkbox")) if (!(box as HTMLInputElement).checked) fireEvent.click(box);
    expect(screen.queryByLabelText("Message to the candidates")).toBeNull();

    fireEvent.change(screen.getByLabelText("Move to"), { target: { value: "rejected" } });
    fireEvent.change(await screen.findByLabelText("Message to the candidates"), { target: { value: "m1" } });
    expect(screen.getByText(/Each candidate gets: Dear \{candidateName\}/)).toBeTruthy();
    fireEvent.change(screen.getByLabelText("Note for your team (required)"), { target: { value: "Not enough depth." } });
    expect(await a11yFindings()).toEqual([]);
    fireEvent.click(screen.getByRole("button", { name: "Move" }));
    await waitFor(() => expect(calls.some((c) => c.method === "POST")).toBe(true));
    const sent = calls.find((c) => c.method === "POST")!.body as Record<string, unknown>;
    expect(sent).toEqual({ invitationIds: expect.arrayContaining(["a", "b"]) as unknown, stage: "rejected", note: "Not enough depth.", messageTemplateId: "m1" });
  });

  it("fills the candidate's message in the decision dialog from a saved message, as the candidate reads it", async () => {
    const invitation = {
      id: "inv-1",
      templateId: "t1",
      candidateId: "c1",
      companyName: "Acme",
      templateTitle: "Backend engineer",
      status: "completed",
    } as Invitation;
    const calls = gateway({
      "GET /api/reviews/inv-1": { invitationId: "inv-1", candidateName: "Ada Lovelace", stage: "new", others: [], othersHidden: 0 },
      "GET /api/message-templates": [POLITE],
      "POST /api/invitations/inv-1/reject": { success: true },
    });
    renderWithClient(<DecisionPanel invitation={invitation} analysisStatus="completed" />);
    fireEvent.click(screen.getByRole("button", { name: "Reject" }));
    fireEvent.click(await screen.findByRole("button", { name: "Add a message to the candidate" }));
    await waitFor(() => expect(calls.some((c) => c.path === "/api/reviews/inv-1")).toBe(true));
    fireEvent.change(await screen.findByLabelText("Fill from a saved message"), { target: { value: "m1" } });
    const words = screen.getByLabelText("Message to the candidate (optional)") as HTMLTextAreaElement;
    await waitFor(() => expect(words.value).toBe("Dear Ada Lovelace, thank you for interviewing for Backend engineer at Acme."));
    expect(await a11yFindings()).toEqual([]);

    fireEvent.change(screen.getByLabelText("Decision note"), { target: { value: "Not enough depth." } });
    fireEvent.click(screen.getByRole("button", { name: "Confirm rejection" }));
    await waitFor(() => expect(calls.some((c) => c.method === "POST")).toBe(true));
    expect(calls.find((c) => c.method === "POST")!.body).toEqual({
      note: "Not enough depth.",
      candidateFeedback: "Dear Ada Lovelace, thank you for interviewing for Backend engineer at Acme.",
    });
  });

  it("explains a template that gives no written feedback next to the candidate's message", async () => {
    const invitation = { id: "inv-1", templateId: "t1", candidateId: "c1", companyName: "Acme", status: "completed" } as Invitation;
    gateway({
      "GET /api/reviews/inv-1": { invitationId: "inv-1", stage: "new", others: [], othersHidden: 0 },
      "GET /api/message-templates": [],
      "POST /api/invitations/inv-1/approve": () => ({
        status: 422,
        body: { statusCode: 422, code: "FEEDBACK_NOT_OFFERED", error: "This interview's template does not give candidates written feedback" },
      }),
    });
    renderWithClient(<DecisionPanel invitation={invitation} analysisStatus="completed" />);
    fireEvent.click(screen.getByRole("button", { name: "Approve" }));
    fireEvent.click(await screen.findByRole("button", { name: "Add a message to the candidate" }));
    expect(await screen.findByRole("link", { name: "Manage saved messages" })).toBeTruthy();
    fireEvent.change(screen.getByLabelText("Message to the candidate (optional)"), { target: { value: "Welcome aboard." } });
    fireEvent.change(screen.getByLabelText("Decision note"), { target: { value: "Clear answers." } });
    fireEvent.click(screen.getByRole("button", { name: "Confirm approval" }));
    expect(await screen.findByText("This interview does not give candidates written feedback. Clear the message to the candidate.")).toBeTruthy();
  });
});
