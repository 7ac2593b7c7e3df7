import { describe, expect, it } from "vitest";
import { deliveryStatus, endpointStatus, eventLabel, formatDuration, WEBHOOK_EVENTS, webhookSchema } from "@/lib/webhooks";

describe("the webhook form", () => {
  const valid = { url: "https://ats.example.com/hooks", events: ["invitation.completed"] };

  it("accepts a full web address and at least one event", () => {
    expect(webhookSchema.safeParse(valid).success).toBe(true);
    expect(webhookSchema.safeParse({ ...valid, url: "http://127.0.0.1:9000/hook" }).success).toBe(true);
  });

  it("refuses an empty, partial or non-web address with a message naming the fix", () => {
    for (const url of ["", "ats.example.com/hooks", "ftp://ats.example.com", "javascript:alert(1)"]) {
      const result = webhookSchema.safeParse({ ...valid, url });
      expect(result.success, url).toBe(false);
      expect(result.error?.issues[0].path).toEqual(["url"]);
    }
    expect(webhookSchema.safeParse({ ...valid, url: "ats" }).error?.issues[0].message).toBe("Enter a full address starting with https://");
  });

  it("needs at least one event", () => {
    const result = webhookSchema.safeParse({ ...valid, events: [] });
    expect(result.error?.issues[0]).toMatchObject({ path: ["events"], message: "Choose at least one event" });
  });

  it("offers the seven subscribable events of the contract", () => {
    expect(WEBHOOK_EVENTS.map((e) => e.value)).toEqual([
      "invitation.created",
      "invitation.started",
      "invitation.completed",
      "analysis.completed",
      "analysis.failed",
      "candidate.approved",
      "candidate.rejected",
    ]);
  });
});

describe("the delivery log", () => {
  it("names each delivery status in words", () => {
    expect(deliveryStatus("succeeded")).toEqual({ label: "Delivered", tone: "success" });
    expect(deliveryStatus("failed").label).toBe("Failed, will retry");
    expect(deliveryStatus("dead").label).toBe("Gave up");
    expect(deliveryStatus("pending").label).toBe("Waiting to send");
    expect(deliveryStatus("something-new")).toEqual({ label: "something-new", tone: "outline" });
  });

  it("shows durations in ms below a second and in seconds above", () => {
    expect(formatDuration(null)).toBe("—");
    expect(formatDuration(87.4)).toBe("87 ms");
    expect(formatDuration(1430)).toBe("1.4 s");
  });

  it("labels known events and the test event, and shows unknown ones by their type", () => {
    expect(eventLabel("candidate.approved")).toBe("Candidate approved");
    expect(eventLabel("webhook.test")).toBe("Test event");
    expect(eventLabel("invitation.archived")).toBe("invitation.archived");
  });

  it("calls an endpoint other than active disabled", () => {
    expect(endpointStatus({ status: "active" }).label).toBe("Active");
    expect(endpointStatus({ status: "disabled" }).label).toBe("Disabled");
  });
});
