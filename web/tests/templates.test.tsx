import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import * as React from "react";
import { beforeEach, describe, expect, it, vi } from "vitest";

// The API module is faked: these are unit tests of the form rules and of the order of calls, not of the server.
vi.mock("@/lib/api", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/api")>();
  return {
    ...actual,
    api: { get: vi.fn(), post: vi.fn(), put: vi.fn(), patch: vi.fn(), delete: vi.fn() },
  };
});

const push = vi.fn();
vi.mock("next/navigation", () => ({ useRouter: () => ({ push, replace: vi.fn(), back: vi.fn() }) }));

import { api, ApiError } from "@/lib/api";
import {
  basicInfoSchema,
  DEFAULT_SETTINGS,
  draftFromTemplate,
  emptyQuestion,
  fieldErrorsFor,
  questionSchema,
  saveTemplateDraft,
  SaveFailure,
  settingsSchema,
  type Question,
  type QuestionDraft,
  type Template,
  type TemplateDraft,
} from "@/lib/templates";
import { TemplateWizard } from "@/components/templates/template-wizard";
import { ToastProvider } from "@/components/ui/toast";

const mocked = api as unknown as Record<"get" | "post" | "put" | "patch" | "delete", ReturnType<typeof vi.fn>>;

function q(overrides: Partial<QuestionDraft> = {}): QuestionDraft {
  return { ...emptyQuestion(), text: "Tell us about your last project.", ...overrides };
}

function mc(options: { text: string; isCorrect: boolean }[], overrides: Partial<QuestionDraft> = {}): QuestionDraft {
  return q({ type: "multiple_choice", text: "Which option is the right one?", options, ...overrides });
}

function messages(result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) {
  return (result.error?.issues ?? []).map((i) => `${i.path.join(".")}: ${i.message}`);
}

describe("template schemas", () => {
  it("requires a title and a description", () => {
    expect(messages(basicInfoSchema.safeParse({ title: "  ", description: "" }))).toEqual([
      "title: Title is required",
      "description: Description is required",
    ]);
    expect(basicInfoSchema.safeParse({ title: "Backend screening", description: "About the job" }).success).toBe(true);
    expect(messages(basicInfoSchema.safeParse({ title: "x".repeat(201), description: "d" }))).toEqual(["title: At most 200 characters"]);
  });

  it("accepts a multiple choice question with 2..10 filled options and at least one correct", () => {
    const two = [
      { text: "PUT", isCorrect: true },
      { text: "POST", isCorrect: false },
    ];
    expect(questionSchema.safeParse(mc(two)).success).toBe(true);
    const ten = Array.from({ length: 10 }, (_, i) => ({ text: `Option ${i}`, isCorrect: i === 3 }));
    expect(questionSchema.safeParse(mc(ten)).success).toBe(true);
  });

  it("refuses fewer than 2 or more than 10 options", () => {
    expect(messages(questionSchema.safeParse(mc([{ text: "Only", isCorrect: true }])))).toContain(
      "options: A multiple choice question needs 2 to 10 options",
    );
    const eleven = Array.from({ length: 11 }, (_, i) => ({ text: `Option ${i}`, isCorrect: i === 0 }));
    expect(messages(questionSchema.safeParse(mc(eleven)))).toContain("options: A multiple choice question needs 2 to 10 options");
  });

  it("refuses a multiple choice question without a correct option or with an empty option text", () => {
    const result = questionSchema.safeParse(
      mc([
        { text: "A", isCorrect: false },
        { text: "   ", isCorrect: false },
      ]),
    );
    expect(messages(result)).toEqual(["options: Mark at least one option as correct", "options.1.text: Option text is required"]);
  });

  it("ignores the options of the other types (they are never sent)", () => {
    for (const type of ["text", "video", "audio"] as const) {
      expect(questionSchema.safeParse(q({ type, options: [{ text: "", isCorrect: false }] })).success).toBe(true);
    }
  });

  it("keeps time limits within 30..600 whole seconds and the text within 10..500 characters", () => {
    expect(messages(questionSchema.safeParse(q({ timeLimit: 29 })))).toEqual(["timeLimit: Time limit must be at least 30"]);
    expect(messages(questionSchema.safeParse(q({ timeLimit: 601 })))).toEqual(["timeLimit: Time limit must be at most 600"]);
    expect(messages(questionSchema.safeParse(q({ timeLimit: 45.5 })))).toEqual(["timeLimit: Time limit must be a whole number"]);
    expect(messages(questionSchema.safeParse(q({ timeLimit: Number.NaN })))).toEqual(["timeLimit: Time limit must be a number"]);
    expect(questionSchema.safeParse(q({ timeLimit: 30 })).success).toBe(true);
    expect(questionSchema.safeParse(q({ timeLimit: 600 })).success).toBe(true);
    expect(messages(questionSchema.safeParse(q({ text: "Too short" })))).toEqual(["text: At least 10 characters"]);
  });

  it("bounds the settings as the service does", () => {
    expect(settingsSchema.safeParse(DEFAULT_SETTINGS).success).toBe(true);
    expect(messages(settingsSchema.safeParse({ ...DEFAULT_SETTINGS, totalTimeLimit: 0 }))).toEqual([
      "totalTimeLimit: Total time limit must be at least 1",
    ]);
    expect(messages(settingsSchema.safeParse({ ...DEFAULT_SETTINGS, maxRetakes: 11 }))).toEqual([
      "maxRetakes: Retakes per question must be at most 10",
    ]);
  });
});

function draft(questions: QuestionDraft[], overrides: Partial<TemplateDraft> = {}): TemplateDraft {
  return { title: "Backend screening", description: "For the backend team", questions, settings: { ...DEFAULT_SETTINGS }, ...overrides };
}

function stored(id: string, order: number, overrides: Partial<Question> = {}): Question {
  return { id, text: `Stored question number ${order}`, type: "text", order, timeLimit: 120, required: true, hints: null, createdAt: "", ...overrides };
}

function template(questions: Question[], overrides: Partial<Template> = {}): Template {
  return {
    id: "t1",
    title: "Backend screening",
    description: "For the backend team",
    status: "draft",
    createdBy: "u1",
    questionsCount: questions.length,
    createdAt: "",
    updatedAt: "",
    settings: { totalTimeLimit: 60, showTimer: true, allowRetakes: false, randomizeQuestions: false, allowPause: true },
    questions,
    version: 1,
    ...overrides,
  };
}

const calls = () =>
  (["get", "post", "put", "patch", "delete"] as const)
    .flatMap((m) => mocked[m].mock.calls.map((c, i) => ({ m, c, at: mocked[m].mock.invocationCallOrder[i] })))
    .sort((a, b) => a.at - b.at)
    .map(({ m, c }) => `${m.toUpperCase()} ${c[0]}${c[1] !== undefined ? ` ${JSON.stringify(c[1])}` : ""}`);
const withoutBodies = () => calls().map((line) => line.split(" ").slice(0, 2).join(" "));

beforeEach(() => {
  for (const fn of Object.values(mocked)) fn.mockReset();
  push.mockReset();
});

describe("saveTemplateDraft", () => {
  it("creates the template, adds the questions in order and publishes", async () => {
    mocked.post.mockResolvedValueOnce({ id: "t1" }).mockResolvedValueOnce({ id: "q1" }).mockResolvedValueOnce({ id: "q2" });
    mocked.put.mockResolvedValue({ status: "active" });
    const saved: [string, string][] = [];
    const a = q({ hints: "  Be concrete  " });
    const b = mc([
      { text: " PUT ", isCorrect: true },
      { text: "POST", isCorrect: false },
    ]);
    const result = await saveTemplateDraft(draft([a, b]), { publish: true, onQuestionSaved: (k, id) => saved.push([k, id]) });
    expect(result).toEqual({ templateId: "t1", published: true });
    expect(calls()).toEqual([
      `POST /api/templates ${JSON.stringify({
        title: "Backend screening",
        description: "For the backend team",
        settings: { totalTimeLimit: 60, showTimer: true, allowRetakes: false, randomizeQuestions: false, allowPause: true },
      })}`,
      `POST /api/templates/t1/questions ${JSON.stringify({ text: a.text, type: "text", order: 1, timeLimit: 120, required: true, hints: "Be concrete" })}`,
      `POST /api/templates/t1/questions ${JSON.stringify({
        text: b.text,
        type: "multiple_choice",
        order: 2,
        timeLimit: 120,
        required: true,
        options: [
          { text: "PUT", isCorrect: true },
          { text: "POST", isCorrect: false },
        ],
      })}`,
      "PUT /api/templates/t1/publish",
    ]);
    expect(saved).toEqual([
      [a.key, "q1"],
      [b.key, "q2"],
    ]);
  });

  it("sends maxRetakes only when retakes are allowed", async () => {
    mocked.post.mockResolvedValueOnce({ id: "t1" });
    await saveTemplateDraft(draft([], { settings: { ...DEFAULT_SETTINGS, allowRetakes: true, maxRetakes: 3 } }), {});
    expect(mocked.post.mock.calls[0][1]).toMatchObject({ settings: { allowRetakes: true, maxRetakes: 3 } });
  });

  it("stops at a failed question, says which, and a retry continues the same template", async () => {
    const a = q({ text: "First question text here" });
    const b = q({ text: "Second question text here" });
    const c = q({ text: "Third question text here", type: "video" });
    mocked.post
      .mockResolvedValueOnce({ id: "t1" })
      .mockResolvedValueOnce({ id: "q1" })
      .mockRejectedValueOnce(new ApiError(422, "VALIDATION_ERROR", "Request validation failed", [{ field: "text", message: "too long" }]));
    let created: string | undefined;
    const error = await saveTemplateDraft(draft([a, b, c]), { onTemplateCreated: (id) => (created = id) }).catch((e) => e);
    expect(error).toBeInstanceOf(SaveFailure);
    expect(error.step).toEqual({ kind: "question", action: "add", index: 1 });
    expect(error.templateId).toBe("t1");
    expect(created).toBe("t1");
    expect(fieldErrorsFor(error.step, error.cause)).toEqual({ "questions.1.text": "too long" });

    // Retry: the server has the template and question 1; only questions 2 and 3 are added, at orders 2 and 3.
    for (const fn of Object.values(mocked)) fn.mockReset();
    mocked.get.mockResolvedValueOnce(template([stored("q1", 1, { text: a.text })]));
    mocked.post.mockResolvedValueOnce({ id: "q2" }).mockResolvedValueOnce({ id: "q3" });
    const result = await saveTemplateDraft(draft([{ ...a, serverId: "q1" }, b, c]), { templateId: "t1" });
    expect(result.templateId).toBe("t1");
    expect(withoutBodies()).toEqual([
      "GET /api/templates/t1",
      "POST /api/templates/t1/questions",
      "POST /api/templates/t1/questions",
    ]);
    expect(mocked.post.mock.calls.map((call) => (call[1] as { order: number }).order)).toEqual([2, 3]);
  });

  it("edits by difference: template fields, removals, updates, additions, then the order", async () => {
    mocked.get.mockResolvedValueOnce(
      template([stored("q1", 1), stored("q2", 2), stored("q3", 3, { type: "multiple_choice", options: [{ id: "o1", text: "A", isCorrect: true }, { id: "o2", text: "B", isCorrect: false }] })]),
    );
    mocked.post.mockResolvedValueOnce({ id: "q4" });
    const current = draftFromTemplate(
      template([stored("q1", 1), stored("q2", 2), stored("q3", 3, { type: "multiple_choice", options: [{ id: "o1", text: "A", isCorrect: true }, { id: "o2", text: "B", isCorrect: false }] })]),
    );
    const [q1, , q3] = current.questions;
    const added = q({ text: "A brand new audio question", type: "audio" });
    const edited: TemplateDraft = {
      ...current,
      title: "Backend screening v2",
      // q2 removed; q3's options changed; new question first; q1 unchanged.
      questions: [added, { ...q3, options: [...q3.options, { text: "C", isCorrect: false }] }, q1],
    };
    await saveTemplateDraft(edited, { templateId: "t1" });
    expect(calls()).toEqual([
      "GET /api/templates/t1",
      `PUT /api/templates/t1 ${JSON.stringify({ title: "Backend screening v2", description: "For the backend team", settings: { totalTimeLimit: 60, showTimer: true, allowRetakes: false, randomizeQuestions: false, allowPause: true } })}`,
      "DELETE /api/templates/t1/questions/q2",
      `PATCH /api/templates/t1/questions/q3 ${JSON.stringify({ options: [{ text: "A", isCorrect: true }, { text: "B", isCorrect: false }, { text: "C", isCorrect: false }] })}`,
      `POST /api/templates/t1/questions ${JSON.stringify({ text: added.text, type: "audio", order: 3, timeLimit: 120, required: true })}`,
      `PATCH /api/templates/t1/questions/reorder ${JSON.stringify({ questionIds: ["q4", "q3", "q1"] })}`,
    ]);
  });

  it("does nothing but read when nothing changed", async () => {
    const t = template([stored("q1", 1)]);
    mocked.get.mockResolvedValueOnce(t);
    await saveTemplateDraft(draftFromTemplate(t), { templateId: "t1" });
    expect(calls()).toEqual(["GET /api/templates/t1"]);
  });

  it("maps a template 422 onto the basic info and settings fields", () => {
    const error = new ApiError(422, "VALIDATION_ERROR", "Request validation failed", [
      { field: "title", message: "String should have at most 200 characters" },
      { field: "settings.totalTimeLimit", message: "Input should be less than or equal to 480" },
    ]);
    expect(fieldErrorsFor({ kind: "template", action: "create" }, error)).toEqual({
      title: "String should have at most 200 characters",
      "settings.totalTimeLimit": "Input should be less than or equal to 480",
    });
  });
});

describe("TemplateWizard", () => {
  function renderWizard() {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    return render(
      <QueryClientProvider client={client}>
        <ToastProvider>
          <TemplateWizard mode="create" initial={{ title: "", description: "", questions: [], settings: { ...DEFAULT_SETTINGS } }} />
        </ToastProvider>
      </QueryClientProvider>,
    );
  }

  it("walks the three steps and submits template, questions and publish in order", async () => {
    const user = userEvent.setup({ delay: null });
    mocked.post.mockResolvedValueOnce({ id: "t9" }).mockResolvedValueOnce({ id: "q1" }).mockResolvedValueOnce({ id: "q2" });
    mocked.put.mockResolvedValueOnce({ status: "active" });
    renderWizard();

    await user.click(screen.getByRole("button", { name: "Next" }));
    expect(await screen.findByText("Title is required")).toBeTruthy();
    await user.type(screen.getByLabelText("Title"), "Frontend screening");
    await user.type(screen.getByLabelText("Description"), "Three questions");
    await user.click(screen.getByRole("button", { name: "Next" }));

    await user.click(await screen.findByRole("button", { name: "Add question" }));
    await user.type(screen.getByLabelText("Question text"), "Describe a hard bug you fixed.");
    await user.click(screen.getByRole("button", { name: "Add question" }));
    await user.type(screen.getAllByLabelText("Question text")[1], "Which hook runs after paint?");
    await user.selectOptions(screen.getAllByLabelText("Question type")[1], "Multiple choice");
    await user.type(screen.getByLabelText("Option 1"), "useEffect");
    await user.type(screen.getByLabelText("Option 2"), "useMemo");
    await user.click(screen.getByRole("button", { name: "Next" }));
    expect(await screen.findByText("Mark at least one option as correct")).toBeTruthy();
    await user.click(screen.getByLabelText("Option 1 is correct"));
    // Move the multiple choice question first with the keyboard-accessible button.
    await user.click(screen.getByRole("button", { name: "Move question 2 up" }));
    await user.click(screen.getByRole("button", { name: "Next" }));

    await user.click(await screen.findByRole("button", { name: "Create and publish" }));
    await waitFor(() => expect(push).toHaveBeenCalledWith("/hr/templates/t9"));
    expect(withoutBodies()).toEqual([
      "POST /api/templates",
      "POST /api/templates/t9/questions",
      "POST /api/templates/t9/questions",
      "PUT /api/templates/t9/publish",
    ]);
    expect(mocked.post.mock.calls[1][1]).toMatchObject({ type: "multiple_choice", order: 1, options: [{ text: "useEffect", isCorrect: true }, { text: "useMemo", isCorrect: false }] });
    expect(mocked.post.mock.calls[2][1]).toMatchObject({ type: "text", order: 2, text: "Describe a hard bug you fixed." });
  }, 60_000);

  it("keeps the input after a failed question and shows the server's message next to the field", async () => {
    const user = userEvent.setup({ delay: null });
    mocked.post
      .mockResolvedValueOnce({ id: "t9" })
      .mockRejectedValueOnce(new ApiError(422, "VALIDATION_ERROR", "Request validation failed", [{ field: "text", message: "Server says no" }]));
    renderWizard();
    await user.type(screen.getByLabelText("Title"), "Frontend screening");
    await user.type(screen.getByLabelText("Description"), "One question");
    await user.click(screen.getByRole("button", { name: "Next" }));
    await user.click(await screen.findByRole("button", { name: "Add question" }));
    await user.type(screen.getByLabelText("Question text"), "Describe a hard bug you fixed.");
    await user.click(screen.getByRole("button", { name: "Next" }));
    await user.click(await screen.findByRole("button", { name: "Create template" }));

    expect(await screen.findByText("Server says no")).toBeTruthy();
    expect(screen.getByText(/Adding question 1 failed: Request validation failed/)).toBeTruthy();
    expect((screen.getByLabelText("Question text") as HTMLTextAreaElement).value).toBe("Describe a hard bug you fixed.");
    expect(push).not.toHaveBeenCalled();

    // Pressing save again continues template t9 instead of creating another one.
    mocked.get.mockResolvedValueOnce(template([], { id: "t9", title: "Frontend screening", description: "One question" }));
    mocked.post.mockResolvedValueOnce({ id: "q1" });
    await user.click(screen.getByRole("button", { name: "Next" }));
    await user.click(await screen.findByRole("button", { name: "Create template" }));
    await waitFor(() => expect(push).toHaveBeenCalledWith("/hr/templates/t9"));
    expect(mocked.post.mock.calls.filter((c) => c[0] === "/api/templates")).toHaveLength(1);
  }, 60_000);

  it("explains a template refused for the plan's limit and links to plans and usage", async () => {
    const user = userEvent.setup({ delay: null });
    mocked.post.mockRejectedValueOnce(
      new ApiError(402, "QUOTA_EXCEEDED", "Your Free plan allows 5 templates; 5 are used. Upgrade to create more.", {
        resource: "templates",
        limit: 5,
        used: 5,
        plan: "free",
      }),
    );
    renderWizard();
    await user.type(screen.getByLabelText("Title"), "Sales screen");
    await user.type(screen.getByLabelText("Description"), "One question");
    await user.click(screen.getByRole("button", { name: "Next" }));
    await user.click(await screen.findByRole("button", { name: "Add question" }));
    await user.type(screen.getByLabelText("Question text"), "Sell me this pen.");
    await user.click(screen.getByRole("button", { name: "Next" }));
    await user.click(await screen.findByRole("button", { name: "Create template" }));

    expect(await screen.findByText(/Your Free plan allows 5 templates/)).toBeTruthy();
    expect(screen.getByRole("link", { name: "see plans and usage" }).getAttribute("href")).toBe("/profile/billing");
    expect(push).not.toHaveBeenCalled();
  }, 60_000);
});

// Keeps React in scope for the JSX transform of older configs.
void React;
