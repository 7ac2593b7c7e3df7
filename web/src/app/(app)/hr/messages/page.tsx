"use client";

import { MessageManager } from "@/components/hr/messages/message-manager";
import { PageHeader } from "@/components/ui/feedback";

export default function MessagesPage() {
  return (
    <>
      <PageHeader
        title="Saved messages"
        description="Words your hiring team sends candidates with a decision. Placeholders are filled in for each candidate."
      />
      <MessageManager />
    </>
  );
}
