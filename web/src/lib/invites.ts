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
