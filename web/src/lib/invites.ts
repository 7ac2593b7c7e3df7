import { useQuery } from "@tanstack/react-query";
import { ApiError, api, request } from "@/lib/api";

/** What an invitation link shows before sign-in. */
export type JoinInvitation = {
  invitationId: string;
  companyName: string;
  templateTitle: string;
  candidateName?: string;
  candidateEmail?: string;
  expiresAt: string;
  status: string;
  claimed: boolean;
};

export function useJoinInvitation(token: string) {
  return useQuery({
    queryKey: ["invites", "join", token],
    queryFn: () => request<JoinInvitation>("/api/invites/join", { query: { token } }),
    enabled: token.length > 0,
    retry: false,
  });
}

/** Take the invitation for the signed-in account (its verified e-mail must be the invited one). */
export function claimInvitation(token: string): Promise<{ id: string }> {
  return api.post<{ id: string }>("/api/invites/claim", { token });
}

/** Keycloak e-mails the signed-in person a link that confirms their address. */
export function sendVerificationEmail(): Promise<{ message: string }> {
  return api.post<{ message: string }>("/api/users/me/verify-email");
}

/** Plain words for what can go wrong with an invitation link or its claim. */
export function joinError(error: unknown): string {
  if (error instanceof ApiError) {
    switch (error.code) {
      case "INVITE_LINK_EXPIRED":
        return "This invitation link has expired. Ask the company to send you a new one.";
      case "INVITE_LINK_REVOKED":
        return "The company withdrew this invitation.";
      case "INVITE_LINK_INVALID":
        return "This invitation link is not valid any more. Please use the link from your latest invitation e-mail.";
      case "EMAIL_NOT_VERIFIED":
        return "Please confirm your e-mail address first (we sent you an e-mail), then open the invitation link again.";
      case "EMAIL_MISMATCH":
        return "This invitation was sent to a different e-mail address. Sign out and sign in with the address it was sent to.";
      case "INVITATION_CLAIMED":
        return "This invitation already belongs to another account.";
      case "DUPLICATE_INVITATION":
        return "You already have an invitation to this interview. You can find it on your dashboard.";
    }
    if (error.statusCode === 422) return "This invitation link is incomplete. Check that you copied all of it.";
  }
  return "Something went wrong. Please try again in a moment.";
}

export type Invitee = { email: string; name?: string };
export type RowStatus = "invited" | "ready" | "invalid_email" | "duplicate" | "already_invited" | "over_quota";
export type RowResult = { row: number; email: string; name?: string; status: RowStatus; message?: string; invitationId?: string };
export type BulkResult = { invited: number; refused: number; rows: RowResult[] };
export type BulkInvite = { templateId: string; expiresAt: string; companyName?: string; candidates: Invitee[]; hrEmail?: string; hrName?: string; dryRun?: boolean };

/** People from a pasted list or a CSV file: one a line, "Name <email>" or cells split by comma, semicolon or
 * tab (the cell with an @ is the address, the first other one the name); a header line without an address
 * is skipped. Each address is checked by the server, so a bad one is shown on its own row. */
export function parseInvitees(text: string): Invitee[] {
  const people: Invitee[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    const angled = /^(.*)<([^>]+)>\s*$/.exec(line);
    if (angled) {
      const name = angled[1].trim().replace(/^"|"$/g, "");
      people.push({ email: angled[2].trim(), ...(name ? { name } : {}) });
      continue;
    }
    const cells = splitCells(line);
    const email = cells.find((c) => c.includes("@"));
    if (email === undefined) {
      // A header ("name,email") or a line with no address: kept as a row only when it is not a header.
      if (people.length === 0 && /e-?mail/i.test(line)) continue;
      people.push({ email: cells.find(Boolean) ?? line });
      continue;
    }
    const name = cells.find((c) => c && c !== email);
    people.push({ email, ...(name ? { name } : {}) });
  }
  return people;
}

/** A CSV line's cells: split at commas, semicolons or tabs outside double quotes ("Lovelace, Ada" is one). */
function splitCells(line: string): string[] {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === "," || ch === ";" || ch === "\t")) {
      cells.push(cell.trim());
      cell = "";
    } else cell += ch;
  }
  cells.push(cell.trim());
  return cells;
}

/** Each row's outcome in plain words. */
export const ROW_STATUS: Record<RowStatus, string> = {
  invited: "Invited",
  ready: "Ready to send",
  invalid_email: "Not a valid e-mail address",
  duplicate: "Listed twice",
  already_invited: "Already invited",
  over_quota: "Over your plan's limit",
};

export function bulkInvite(body: BulkInvite): Promise<BulkResult> {
  return api.post<BulkResult>("/api/invites/bulk", body);
}

// -- a template's public apply link ---------------------------------------------------------------------------

/** What the public apply page shows: who is hiring, for what, and how long the interview takes (seconds). */
export type ApplyPage = {
  companyName: string;
  templateTitle: string;
  templateDescription: string;
  questions: number;
  expectedDuration: number;
};

export type ApplyLink = { enabled: boolean; token?: string; companyName?: string; changedAt?: string };

export function useApplyPage(token: string) {
  return useQuery({
    queryKey: ["invites", "apply", token],
    queryFn: () => request<ApplyPage>("/api/invites/apply", { query: { token } }),
    enabled: token.length > 0,
    retry: false,
  });
}

/** Apply with a name and an e-mail: the reply is the same for everyone (the e-mail tells the rest). */
export function applyForRole(body: { token: string; name: string; email: string }): Promise<{ message: string }> {
  return api.post<{ message: string }>("/api/invites/apply", body);
}

/** The public page's address for a link token. */
export function applyUrl(token: string, origin: string): string {
  return `${origin}/apply/${encodeURIComponent(token)}`;
}

export function useApplyLink(templateId: string | undefined) {
  return useQuery({
    queryKey: ["invites", "apply-link", templateId],
    queryFn: () => api.get<ApplyLink>(`/api/invites/apply-links/${encodeURIComponent(templateId ?? "")}`),
    enabled: Boolean(templateId),
  });
}

/** Open (or keep open), rotate (the old link stops working) or close a template's apply link. */
export function setApplyLink(templateId: string, body: { enabled: boolean; rotate?: boolean; companyName?: string }) {
  return api.put<ApplyLink>(`/api/invites/apply-links/${encodeURIComponent(templateId)}`, body);
}

/** Plain words (English; the page translates them) for what can go wrong on the public apply page. */
export function applyError(error: unknown): string {
  if (error instanceof ApiError) {
    switch (error.code) {
      case "APPLY_LINK_INVALID":
        return "This application link is not valid. Please check that you copied all of it.";
      case "APPLY_LINK_CLOSED":
        return "This application link is no longer open. Please ask the company for their current link.";
      case "ROLE_NOT_OPEN":
        return "This role is not taking applications at the moment.";
      case "APPLICATIONS_PAUSED":
        return "This role is not taking more applications right now. Please try again later.";
      case "TOO_MANY_REQUESTS":
        return "Too many applications were sent from here in the last hour. Please try again later.";
    }
    if (error.statusCode === 422) return "Please enter your name and a valid e-mail address.";
  }
  return "Something went wrong. Please try again in a moment.";
}
