"use client";

import { use } from "react";
import { InterviewPage } from "@/components/interview/interview-runner";

export default function Interview({ params }: { params: Promise<{ invitationId: string }> }) {
  const { invitationId } = use(params);
  return <InterviewPage invitationId={invitationId} />;
}
