import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import * as React from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DecisionPanel } from "@/components/hr/review/decision";
import { HighlightedText, Transcript } from "@/components/hr/review/evidence";
import { ToastProvider } from "@/components/ui/toast";
import { configureApi, setFetch } from "@/lib/api";
import type { Invitation } from "@/lib/invitations";

const BASE = "http://gateway.test";
beforeEach(() => configureApi(BASE));
afterEach(() => setFetch((...args) => fetch(...args)));

describe("evidence in answers", () => {
  it("marks quotes in a written answer", () => {
    const { container } = render(<HighlightedText text="We used a Token Bucket in Redis." quotes={[{ text: "token bucket", startS: null, criterion: "depth" }]} />);
    const marks = container.querySelectorAll("mark.evidence");
    expect(marks).toHaveLength(1);
    expect(marks[0]!.textContent).toBe("Token Bucket");
  });

  it("makes every mark in a transcript a button that seeks to the quote's timestamp (or its segment's start)", () => {
    const onSeek = vi.fn();
    render(
      <Transcript
        segments={[
          { start: 0, end: 3, text: "Our payment service went down because" },
          { start: 3, end: 8, text: "a migration locked a large table." },
        ]}
        quotes={[
          { text: "locked a large table", startS: 4.5, criterion: "relevance" },
          { text: "payment service", startS: null, criterion: "clarity" },
          { text: "never said", startS: 1, criterion: "depth" },
        ]}
        onSeek={onSeek}
      />,
    );
    fireEvent.click(screen.getByRole("button", { name: "locked a large table" }));
    expect(onSeek).toHaveBeenLastCalledWith(4.5);
    fireEvent.click(screen.getByRole("button", { name: "payment service" }));
    expect(onSeek).toHaveBeenLastCalledWith(0);
    fireEvent.click(screen.getByRole("button", { name: "Play from 0:03" }));
    expect(onSeek).toHaveBeenLastCalledWith(3);
    expect(document.querySelectorAll("mark.evidence")).toHaveLength(2);
  });
});

const invitation: Invitation = {
  id: "inv-1",
  templateId: "t1",
  candidateId: "c1",
  companyName: "Acme",
  invitedBy: "hr1",
  status: "completed",
  allowPause: true,
  showTimer: true,
  expiresAt: "2026-12-06T00:00:00Z",
  progress: { answered: 1, total: 1, percentage: 100 },
  responses: [],
  decision: null,
  createdAt: "2026-11-29T00:00:00Z",
  updatedAt: "2026-11-29T00:00:00Z",
};

function renderPanel(inv: Invitation, analysisStatus: string | null) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <ToastProvider>
        <DecisionPanel invitation={inv} analysisStatus={analysisStatus} />
      </ToastProvider>
    </QueryClientProvider>,
  );
}

describe("decision panel", () => {
  it("requires a note to reject, counts characters, and posts the note", async () => {
    const calls: { url: string; body: string }[] = [];
    setFetch(async (input, init) => {
      calls.push({ url: String(input), body: String(init?.body ?? "") });
      return new Response(JSON.stringify({ success: true }), { status: 200, headers: { "Content-Type": "application/json" } });
    });
    renderPanel(invitation, "completed");
    fireEvent.click(screen.getByRole("button", { name: "Reject" }));
    fireEvent.click(await screen.findByRole("button", { name: "Confirm rejection" }));
    expect(await screen.findByText(/A rejection needs a note/)).toBeTruthy();
    expect(calls).toHaveLength(0);
    fireEvent.change(screen.getByLabelText("Decision note"), { target: { value: "Not enough depth." } });
    expect(screen.getByText("17/2000")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Confirm rejection" }));
    await waitFor(() => expect(calls).toHaveLength(1));
    expect(calls[0]!.url).toBe(`${BASE}/api/invitations/inv-1/reject`);
    expect(JSON.parse(calls[0]!.body)).toEqual({ note: "Not enough depth." });
  });

  it("asks for a written reason before approving too, as the audit trail keeps it", async () => {
    const calls: { url: string; body: string }[] = [];
    setFetch(async (input, init) => {
      calls.push({ url: String(input), body: String(init?.body ?? "") });
      return new Response(JSON.stringify({ success: true }), { status: 200, headers: { "Content-Type": "application/json" } });
    });
    renderPanel(invitation, "completed");
    fireEvent.click(screen.getByRole("button", { name: "Approve" }));
    fireEvent.click(await screen.findByRole("button", { name: "Confirm approval" }));
    expect(await screen.findByText(/Write why you approve/)).toBeTruthy();
    expect(calls).toHaveLength(0);
    fireEvent.change(screen.getByLabelText("Decision note"), { target: { value: "Clear, tested answers." } });
    fireEvent.click(screen.getByRole("button", { name: "Confirm approval" }));
    await waitFor(() => expect(calls).toHaveLength(1));
    expect(JSON.parse(calls[0]!.body)).toEqual({ note: "Clear, tested answers." });
  });

  it("warns when approving without a finished analysis, and lets the approval through", async () => {
    renderPanel(invitation, "failed");
    fireEvent.click(screen.getByRole("button", { name: "Approve" }));
    expect(await screen.findByText("The AI analysis failed")).toBeTruthy();
    expect((screen.getByRole("button", { name: "Confirm approval" }) as HTMLButtonElement).disabled).toBe(false);
  });

  it("disables the buttons until the interview is completed, and shows the decision once made", () => {
    const { unmount } = renderPanel({ ...invitation, status: "in_progress" }, null);
    expect((screen.getByRole("button", { name: "Approve" }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByRole("button", { name: "Reject" }) as HTMLButtonElement).disabled).toBe(true);
    unmount();
    renderPanel({ ...invitation, decision: "rejected", decisionNote: "Not enough depth.", decisionAt: "2026-11-29T10:00:00Z" }, "completed");
    expect(screen.getByText("Rejected")).toBeTruthy();
    expect(screen.getByText("Not enough depth.")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Approve" })).toBeNull();
  });
});
