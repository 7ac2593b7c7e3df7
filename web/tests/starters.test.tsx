import { render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { StarterPicker } from "@/components/templates/starter-picker";
import { draftFromStarter, findStarter, STARTERS } from "@/lib/starters";
import { draftFromTemplate, templateDraftSchema, type Template } from "@/lib/templates";
import { a11yFindings } from "./a11y";

vi.setConfig({ testTimeout: 60_000 });

describe("starter templates", () => {
  it("offer support, sales and operations roles as well as engineering", () => {
    expect(STARTERS.map((s) => s.slug)).toEqual(["customer-support", "sales", "operations", "software-engineer"]);
  });

  it.each(STARTERS.map((s) => [s.name, s] as const))("%s is a draft the wizard accepts as it is", (_, starter) => {
    const draft = draftFromStarter(starter);
    const parsed = templateDraftSchema.safeParse(draft);
    expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
    expect(draft.questions.length).toBeGreaterThan(0);
  });

  it("gives each use of a starter its own question keys", () => {
    const starter = findStarter("sales")!;
    const first = draftFromStarter(starter).questions.map((q) => q.key);
    const second = draftFromStarter(starter).questions.map((q) => q.key);
    expect(first.filter((k) => second.includes(k))).toEqual([]);
  });

  it("ignores an unknown starter name in the address", () => {
    expect(findStarter("astronaut")).toBeUndefined();
    expect(findStarter(null)).toBeUndefined();
  });

  it("lists the starters as links, marks the chosen one and keeps axe clean", async () => {
    render(<StarterPicker current="operations" />);
    const link = screen.getByRole("link", { name: "Operations coordinator" });
    expect(link.getAttribute("href")).toBe("/hr/templates/create?starter=operations");
    expect(link.getAttribute("aria-current")).toBe("true");
    expect(screen.getByRole("link", { name: "Sales representative" }).getAttribute("aria-current")).toBeNull();
    expect(await a11yFindings()).toEqual([]);
  });
});

describe("a duplicated template", () => {
  it("keeps the job title candidates see, with no '(Copy)' added", () => {
    const template = {
      id: "t1",
      title: "Support Agent",
      description: "d",
      status: "active",
      settings: {},
      questions: [],
      version: 1,
    } as unknown as Template;
    expect(draftFromTemplate(template, { copy: true }).title).toBe("Support Agent");
  });
});
