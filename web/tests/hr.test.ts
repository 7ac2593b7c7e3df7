import { describe, expect, it } from "vitest";
import { joinSegments } from "@/components/hr/review/evidence";
import { companySchema } from "@/components/hr/company-form";
import { ApiError } from "@/lib/api";
import { highlightEvidence } from "@/lib/analysis";
import { defaultExpiry, endOfDay, inviteSchema, isDuplicateInvitation, parseQuotaError, toDateInput } from "@/lib/invitations";

const NOW = new Date(2026, 10, 29, 13, 0, 0);
const schema = inviteSchema(() => NOW);
const valid = { templateId: "t1", companyName: "Acme", expiresOn: "2026-12-06", allowPause: true, showTimer: false };

function messages(result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) {
  return Object.fromEntries((result.error?.issues ?? []).map((i) => [String(i.path[0]), i.message]));
}

describe("invite form schema", () => {
  it("accepts a complete form with a future expiry", () => {
    expect(schema.safeParse(valid).success).toBe(true);
  });

  it("defaults the expiry to seven days ahead, which is valid", () => {
    expect(defaultExpiry(NOW)).toBe("2026-12-06");
    expect(schema.safeParse({ ...valid, expiresOn: defaultExpiry(NOW) }).success).toBe(true);
  });

  it("refuses a past expiry", () => {
    const r = schema.safeParse({ ...valid, expiresOn: "2026-11-28" });
    expect(messages(r)).toEqual({ expiresOn: "The expiry date must be in the future" });
  });

  it("accepts today (the invitation runs to the end of the day) but not once the day is over", () => {
    expect(schema.safeParse({ ...valid, expiresOn: toDateInput(NOW) }).success).toBe(true);
    const late = inviteSchema(() => new Date(2026, 10, 30, 0, 0, 1));
    expect(late.safeParse({ ...valid, expiresOn: "2026-11-29" }).success).toBe(false);
  });

  it("refuses a missing or malformed date, template and company", () => {
    expect(messages(schema.safeParse({ ...valid, expiresOn: "" })).expiresOn).toBe("Choose an expiry date");
    expect(messages(schema.safeParse({ ...valid, expiresOn: "06/12/2026" })).expiresOn).toBe("Enter a valid date");
    const r = messages(schema.safeParse({ ...valid, templateId: "", companyName: "   " }));
    expect(r).toEqual({ templateId: "Choose a template", companyName: "Enter the company" });
    expect(messages(schema.safeParse({ ...valid, companyName: "x".repeat(201) })).companyName).toBe("At most 200 characters");
  });

  it("ends the chosen day at its last second, local time", () => {
    const end = endOfDay("2026-12-06")!;
    expect([end.getFullYear(), end.getMonth(), end.getDate(), end.getHours(), end.getMinutes()]).toEqual([2026, 11, 6, 23, 59]);
    expect(endOfDay("2026-13-45")).not.toBeNull(); // rolled over by Date, still a date
    expect(endOfDay("nope")).toBeNull();
  });
});

describe("quota errors", () => {
  it("reads plan and limit from the details of a 402", () => {
    const e = new ApiError(402, "QUOTA_EXCEEDED", "Quota exceeded: interviews limit of 3 reached on free plan", {
      resource: "interviews",
      limit: 3,
      remaining: 0,
      used: 3,
      plan: "free",
    });
    expect(parseQuotaError(e)).toEqual({ resource: "interviews", limit: 3, used: 3, plan: "free", remaining: 0, message: e.message });
  });

  it("parses the message when there are no details", () => {
    const e = new ApiError(402, "HTTP_402", "Quota exceeded: interviews limit of 10 reached on plus plan");
    expect(parseQuotaError(e)).toMatchObject({ resource: "interviews", limit: 10, plan: "plus", remaining: null });
  });

  it("understands the reference's wording and a currentPlan detail", () => {
    const e = new ApiError(402, "QUOTA_EXCEEDED", "Interview limit of 50 reached", { currentPlan: "pro" });
    expect(parseQuotaError(e)).toMatchObject({ limit: 50, plan: "pro" });
  });

  it("leaves unknown values null rather than inventing them", () => {
    const e = new ApiError(402, "QUOTA_EXCEEDED", "Payment required");
    expect(parseQuotaError(e)).toMatchObject({ limit: null, plan: null, resource: null });
  });

  it("is not a quota error for other statuses or non-API errors", () => {
    expect(parseQuotaError(new ApiError(409, "DUPLICATE_INVITATION", "already invited"))).toBeNull();
    expect(parseQuotaError(new Error("limit of 3 reached on free plan"))).toBeNull();
    expect(isDuplicateInvitation(new ApiError(409, "DUPLICATE_INVITATION", "already invited"))).toBe(true);
    expect(isDuplicateInvitation(new ApiError(422, "VALIDATION_ERROR", "bad"))).toBe(false);
  });
});

describe("evidence highlighting", () => {
  const marked = (text: string, quotes: string[]) =>
    highlightEvidence(text, quotes).pieces.map((p) => (p.quotes.length ? `[${p.text}|${p.quotes.join(",")}]` : p.text)).join("");

  it("marks a quote case-insensitively and keeps the original casing", () => {
    expect(marked("I used a Token Bucket in Redis.", ["token bucket"])).toBe("I used a [Token Bucket|0] in Redis.");
  });

  it("pieces cover the text exactly, with offsets", () => {
    const text = "alpha beta gamma";
    const { pieces } = highlightEvidence(text, ["beta"]);
    expect(pieces.map((p) => p.text).join("")).toBe(text);
    expect(pieces[1]).toEqual({ text: "beta", start: 6, end: 10, quotes: [0] });
  });

  it("splits overlapping quotes at every boundary and lists both on the overlap", () => {
    expect(marked("one two three four", ["one two three", "two three four"])).toBe("[one |0][two three|0,1][ four|1]");
  });

  it("handles a quote inside another", () => {
    expect(marked("the quick brown fox", ["quick brown fox", "brown"])).toBe("the [quick |0][brown|0,1][ fox|0]");
  });

  it("marks every occurrence", () => {
    expect(marked("go go go", ["go"])).toBe("[go|0] [go|0] [go|0]");
  });

  it("reports quotes that are not in the text and highlights nothing for them", () => {
    const r = highlightEvidence("a short answer", ["invented claim", "short", "", null]);
    expect(r.found).toEqual([false, true, false, false]);
    expect(r.pieces.filter((p) => p.quotes.length).map((p) => p.text)).toEqual(["short"]);
  });

  it("ignores wrapping quotation marks and surrounding spaces of a quote", () => {
    expect(marked("We shipped it on Friday.", ["  “shipped it”  "])).toBe("We [shipped it|0] on Friday.");
  });

  it("returns the whole text unmarked without quotes, and nothing for empty text", () => {
    expect(highlightEvidence("plain", []).pieces).toEqual([{ text: "plain", start: 0, end: 5, quotes: [] }]);
    expect(highlightEvidence("", ["x"])).toEqual({ pieces: [], found: [false] });
  });

  it("joins transcript segments so a quote spanning two segments is found, and keeps their times", () => {
    const { text, ranges } = joinSegments([
      { start: 0, end: 2.5, text: " We rolled back " },
      { start: 2.5, end: 5, text: "the deploy." },
      { start: 5, end: 6, text: "  " },
    ]);
    expect(text).toBe("We rolled back the deploy.");
    expect(ranges).toEqual([
      { from: 0, to: 14, start: 0, end: 2.5 },
      { from: 15, to: 26, start: 2.5, end: 5 },
    ]);
    expect(highlightEvidence(text, ["back the deploy"]).found).toEqual([true]);
  });
});

describe("company form schema", () => {
  const base = { name: "Acme", industry: "", size: "" as const, website: "", description: "", location: "" };
  it("needs a name, allows the four sizes and a full website address", () => {
    expect(companySchema.safeParse(base).success).toBe(true);
    expect(companySchema.safeParse({ ...base, size: "11-50", website: "https://acme.example" }).success).toBe(true);
    expect(messages(companySchema.safeParse({ ...base, name: " " })).name).toBe("Enter the company name");
    expect(companySchema.safeParse({ ...base, size: "5000" }).success).toBe(false);
    expect(messages(companySchema.safeParse({ ...base, website: "acme" })).website).toMatch(/http/);
  });
});
