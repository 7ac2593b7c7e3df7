/**
 * Interview templates: the interviews service's template and question shapes, the wizard's form model (zod),
 * the conversion between the two, the save sequence (create / diff-and-update / publish, resumable after a
 * partial failure), and the TanStack Query keys and hooks of every page that reads templates. The service's rules (commands.py) are mirrored here so the
 * form says what the server would refuse before it is sent: question text 10..500 characters, time limit
 * 30..600 s, hints ≤200, multiple choice with 2..10 options of ≤200 characters and at least one correct.
 */
"use client";

import { useInfiniteQuery, useQueries, useQuery, type QueryClient } from "@tanstack/react-query";
import { z } from "zod";
import { api, ApiError } from "@/lib/api";
import { nextPage, type Page } from "@/lib/types";

// -- wire types (the interviews service's template views) ---------------------------------------------------

export type QuestionType = "text" | "multiple_choice" | "video" | "audio" | "code";

export type QuestionOption = { id: string; text: string; isCorrect?: boolean | null };

export type Question = {
  id: string;
  text: string;
  type: QuestionType | string;
  order: number;
  timeLimit: number;
  /** Seconds to think before a video or audio answer's time starts (0 or absent: none). */
  thinkTime?: number;
  required: boolean;
  hints?: string | null;
  options?: QuestionOption[] | null;
  createdAt: string;
};

export type TemplateStatus = "draft" | "active" | "archived";

export type TemplateListItem = {
  id: string;
  title: string;
  description: string;
  status: TemplateStatus | string;
  createdBy: string;
  questionsCount: number;
  createdAt: string;
  updatedAt: string;
  /** HR's own name for it in lists ("SWE Berlin Q1, batch 2"); candidates only ever see the title. */
  internalName?: string | null;
  /** The version new invitations get (the last published); absent before the first publish. */
  currentVersion?: number | null;
};

export type TemplateSettings = {
  totalTimeLimit?: number;
  allowRetakes?: boolean;
  showTimer?: boolean;
  randomizeQuestions?: boolean;
  maxRetakes?: number;
  allowPause?: boolean;
  /** What candidates learn once a human decided: nothing, the decision, or the decision with HR's words. */
  candidateFeedback?: "none" | "decision" | "decision_and_feedback";
  /** The company's expected reply time, in its words ("within 5 working days"). */
  expectedReplyTime?: string;
  /** Reviewers see the AI's scores and summary only after submitting their own ratings. */
  blindToAi?: boolean;
  /** Once the decision reaches them, candidates read their answers on the rubric and a rejection's recorded reason. */
  candidateExplanations?: boolean;
  [key: string]: unknown;
};

/** One published version: what candidates invited while it was current were sent. */
export type TemplateVersion = {
  number: number;
  title: string;
  publishedBy: string;
  publishedAt: string;
  questionsCount: number;
  questionsAdded: number;
  questionsRemoved: number;
  questionsEdited: number;
  /** The title, description or settings changed since the version before. */
  detailsChanged: boolean;
  /** Invitations sent with this version. */
  invitations: number;
};

export type Template = TemplateListItem & { settings: TemplateSettings; questions: Question[]; version: number };

// -- form model ---------------------------------------------------------------------------------------------

export const QUESTION_TYPES = ["text", "multiple_choice", "video", "audio"] as const;
export type WizardQuestionType = (typeof QUESTION_TYPES)[number];

export const QUESTION_TYPE_LABELS: Record<string, string> = {
  text: "Text",
  multiple_choice: "Multiple choice",
  video: "Video",
  audio: "Audio",
  code: "Code",
};

export const LIMITS = {
  titleMax: 200,
  descriptionMax: 1000,
  questionTextMin: 10,
  questionTextMax: 500,
  timeLimitMin: 30,
  timeLimitMax: 600,
  hintsMax: 200,
  optionTextMax: 200,
  optionsMin: 2,
  optionsMax: 10,
  totalTimeMin: 1,
  totalTimeMax: 480,
  retakesMin: 1,
  retakesMax: 10,
  thinkTimeMax: 300,
  replyTimeMax: 100,
} as const;

export const CANDIDATE_FEEDBACK = ["none", "decision", "decision_and_feedback"] as const;
export const CANDIDATE_FEEDBACK_LABELS: Record<(typeof CANDIDATE_FEEDBACK)[number], string> = {
  none: "Nothing: we contact candidates ourselves",
  decision: "The decision",
  decision_and_feedback: "The decision and our written feedback",
};

const wholeNumber = (label: string, min: number, max: number) =>
  z
    .number({ error: `${label} must be a number` })
    .int(`${label} must be a whole number`)
    .min(min, `${label} must be at least ${min}`)
    .max(max, `${label} must be at most ${max}`);

export const basicInfoSchema = z.object({
  title: z.string().trim().min(1, "Title is required").max(LIMITS.titleMax, `At most ${LIMITS.titleMax} characters`),
  description: z
    .string()
    .trim()
    .min(1, "Description is required")
    .max(LIMITS.descriptionMax, `At most ${LIMITS.descriptionMax} characters`),
  internalName: z.string().trim().max(LIMITS.titleMax, `At most ${LIMITS.titleMax} characters`).optional(),
});

export const optionSchema = z.object({ text: z.string(), isCorrect: z.boolean() });

export const questionSchema = z
  .object({
    key: z.string(),
    serverId: z.string().optional(),
    text: z
      .string()
      .trim()
      .min(LIMITS.questionTextMin, `At least ${LIMITS.questionTextMin} characters`)
      .max(LIMITS.questionTextMax, `At most ${LIMITS.questionTextMax} characters`),
    type: z.enum(QUESTION_TYPES, { error: "Choose a question type" }),
    timeLimit: wholeNumber("Time limit", LIMITS.timeLimitMin, LIMITS.timeLimitMax),
    thinkTime: wholeNumber("Think time", 0, LIMITS.thinkTimeMax),
    required: z.boolean(),
    hints: z.string().max(LIMITS.hintsMax, `At most ${LIMITS.hintsMax} characters`),
    options: z.array(optionSchema),
  })
  .superRefine((q, ctx) => {
    // Options only matter for multiple choice; another type keeps them in the form but never sends them.
    if (q.type !== "multiple_choice") return;
    if (q.options.length < LIMITS.optionsMin || q.options.length > LIMITS.optionsMax) {
      ctx.addIssue({
        code: "custom",
        path: ["options"],
        message: `A multiple choice question needs ${LIMITS.optionsMin} to ${LIMITS.optionsMax} options`,
      });
    }
    if (!q.options.some((o) => o.isCorrect)) {
      ctx.addIssue({ code: "custom", path: ["options"], message: "Mark at least one option as correct" });
    }
    // After the list-level issues: the form nests these under the list's error, rather than being replaced by it.
    q.options.forEach((o, i) => {
      if (!o.text.trim()) ctx.addIssue({ code: "custom", path: ["options", i, "text"], message: "Option text is required" });
      else if (o.text.trim().length > LIMITS.optionTextMax)
        ctx.addIssue({ code: "custom", path: ["options", i, "text"], message: `At most ${LIMITS.optionTextMax} characters` });
    });
  });

export const settingsSchema = z.object({
  totalTimeLimit: wholeNumber("Total time limit", LIMITS.totalTimeMin, LIMITS.totalTimeMax),
  showTimer: z.boolean(),
  allowRetakes: z.boolean(),
  maxRetakes: wholeNumber("Retakes per question", LIMITS.retakesMin, LIMITS.retakesMax),
  randomizeQuestions: z.boolean(),
  allowPause: z.boolean(),
  candidateFeedback: z.enum(CANDIDATE_FEEDBACK),
  expectedReplyTime: z.string().trim().max(LIMITS.replyTimeMax, `At most ${LIMITS.replyTimeMax} characters`),
  blindToAi: z.boolean(),
  candidateExplanations: z.boolean(),
});

export const templateDraftSchema = basicInfoSchema.extend({
  questions: z.array(questionSchema),
  settings: settingsSchema,
});

export type OptionDraft = z.infer<typeof optionSchema>;
export type QuestionDraft = z.infer<typeof questionSchema>;
export type SettingsDraft = z.infer<typeof settingsSchema>;
export type TemplateDraft = z.infer<typeof templateDraftSchema>;

let keySeq = 0;
/** A stable client-side key for a question (dnd-kit and React need one before the server gives an id). */
export function newKey(): string {
  keySeq += 1;
  return `q-${Date.now().toString(36)}-${keySeq}`;
}

export function emptyOption(): OptionDraft {
  return { text: "", isCorrect: false };
}

export function emptyQuestion(type: WizardQuestionType = "text"): QuestionDraft {
  return {
    key: newKey(),
    text: "",
    type,
    timeLimit: 120,
    thinkTime: 0,
    required: true,
    hints: "",
    options: type === "multiple_choice" ? [emptyOption(), emptyOption()] : [],
  };
}

/** The service's defaults (domain.DEFAULT_SETTINGS, one retake when retakes are allowed, pausing allowed). */
export const DEFAULT_SETTINGS: SettingsDraft = {
  totalTimeLimit: 60,
  showTimer: true,
  allowRetakes: false,
  maxRetakes: 1,
  randomizeQuestions: false,
  allowPause: true,
  candidateFeedback: "decision",
  expectedReplyTime: "",
  blindToAi: false,
  candidateExplanations: false,
};

export function emptyDraft(): TemplateDraft {
  return { title: "", description: "", internalName: "", questions: [], settings: { ...DEFAULT_SETTINGS } };
}

function settingsDraftOf(settings: TemplateSettings | undefined | null): SettingsDraft {
  const s = settings ?? {};
  const num = (v: unknown, d: number) => (typeof v === "number" && Number.isFinite(v) ? v : d);
  const bool = (v: unknown, d: boolean) => (typeof v === "boolean" ? v : d);
  return {
    totalTimeLimit: num(s.totalTimeLimit, DEFAULT_SETTINGS.totalTimeLimit),
    showTimer: bool(s.showTimer, DEFAULT_SETTINGS.showTimer),
    allowRetakes: bool(s.allowRetakes, DEFAULT_SETTINGS.allowRetakes),
    maxRetakes: num(s.maxRetakes, DEFAULT_SETTINGS.maxRetakes),
    randomizeQuestions: bool(s.randomizeQuestions, DEFAULT_SETTINGS.randomizeQuestions),
    allowPause: bool(s.allowPause, DEFAULT_SETTINGS.allowPause),
    candidateFeedback: (CANDIDATE_FEEDBACK as readonly unknown[]).includes(s.candidateFeedback)
      ? (s.candidateFeedback as SettingsDraft["candidateFeedback"])
      : DEFAULT_SETTINGS.candidateFeedback,
    expectedReplyTime: typeof s.expectedReplyTime === "string" ? s.expectedReplyTime : "",
    blindToAi: bool(s.blindToAi, DEFAULT_SETTINGS.blindToAi),
    candidateExplanations: bool(s.candidateExplanations, DEFAULT_SETTINGS.candidateExplanations),
  };
}

function questionDraftOf(q: Question, keepId: boolean): QuestionDraft {
  const type = (QUESTION_TYPES as readonly string[]).includes(q.type) ? (q.type as WizardQuestionType) : "text";
  return {
    key: keepId ? q.id : newKey(),
    ...(keepId ? { serverId: q.id } : {}),
    text: q.text,
    type,
    timeLimit: q.timeLimit,
    thinkTime: q.thinkTime ?? 0,
    required: q.required,
    hints: q.hints ?? "",
    options: (q.options ?? []).map((o) => ({ text: o.text, isCorrect: Boolean(o.isCorrect) })),
  };
}

/**
 * The wizard's values for an existing template (edit: ids kept) or for a copy of it (duplicate: no ids). A copy
 * keeps the title as it is: the title is the job candidates see, and the copy is told apart as a draft.
 */
export function draftFromTemplate(t: Template, { copy = false }: { copy?: boolean } = {}): TemplateDraft {
  return {
    title: t.title,
    description: t.description,
    // A copy is told apart in HR's lists by its internal name; candidates see the job title unchanged.
    internalName: copy ? `${t.internalName || t.title} (copy)`.slice(0, LIMITS.titleMax) : (t.internalName ?? ""),
    settings: settingsDraftOf(t.settings),
    questions: [...t.questions].sort((a, b) => a.order - b.order).map((q) => questionDraftOf(q, !copy)),
  };
}

// -- wire bodies ----------------------------------------------------------------------------------------------

export type SettingsBody = {
  totalTimeLimit: number;
  showTimer: boolean;
  allowRetakes: boolean;
  maxRetakes?: number;
  randomizeQuestions: boolean;
  allowPause: boolean;
  candidateFeedback?: SettingsDraft["candidateFeedback"];
  expectedReplyTime?: string;
  blindToAi?: boolean;
  candidateExplanations?: boolean;
};

/** The whole settings object: the service replaces settings as sent, so every key is always included. */
export function settingsBody(s: SettingsDraft): SettingsBody {
  return {
    totalTimeLimit: s.totalTimeLimit,
    showTimer: s.showTimer,
    allowRetakes: s.allowRetakes,
    ...(s.allowRetakes ? { maxRetakes: s.maxRetakes } : {}),
    randomizeQuestions: s.randomizeQuestions,
    allowPause: s.allowPause,
    // Omitted means the service's default (the decision), as for templates saved before the setting existed.
    ...(s.candidateFeedback !== DEFAULT_SETTINGS.candidateFeedback ? { candidateFeedback: s.candidateFeedback } : {}),
    ...(s.expectedReplyTime.trim() ? { expectedReplyTime: s.expectedReplyTime.trim() } : {}),
    ...(s.blindToAi ? { blindToAi: true } : {}),
    ...(s.candidateExplanations ? { candidateExplanations: true } : {}),
  };
}

export type QuestionBody = {
  text: string;
  type: WizardQuestionType;
  order: number;
  timeLimit: number;
  thinkTime?: number;
  required: boolean;
  hints?: string;
  options?: { text: string; isCorrect: boolean }[];
};

/** Think time is a pause before recording: only video and audio questions have one. */
const THINKING_TYPES: readonly string[] = ["video", "audio"];

export function questionBody(q: QuestionDraft, order: number): QuestionBody {
  const hints = q.hints.trim();
  return {
    text: q.text.trim(),
    type: q.type,
    order,
    timeLimit: q.timeLimit,
    ...(THINKING_TYPES.includes(q.type) && q.thinkTime > 0 ? { thinkTime: q.thinkTime } : {}),
    required: q.required,
    ...(hints ? { hints } : {}),
    ...(q.type === "multiple_choice" ? { options: q.options.map((o) => ({ text: o.text.trim(), isCorrect: o.isCorrect })) } : {}),
  };
}

function sameOptions(a: { text: string; isCorrect?: boolean | null }[] | null | undefined, b: OptionDraft[]): boolean {
  const left = a ?? [];
  return left.length === b.length && left.every((o, i) => o.text === b[i].text.trim() && Boolean(o.isCorrect) === b[i].isCorrect);
}

/** The PATCH body turning the stored question into the drafted one (empty when nothing changed). */
export function questionChanges(stored: Question, q: QuestionDraft): Record<string, unknown> {
  const body = questionBody(q, stored.order);
  const changes: Record<string, unknown> = {};
  if (body.text !== stored.text) changes.text = body.text;
  if (body.type !== stored.type) changes.type = body.type;
  if (body.timeLimit !== stored.timeLimit) changes.timeLimit = body.timeLimit;
  if ((body.thinkTime ?? 0) !== (stored.thinkTime ?? 0) && THINKING_TYPES.includes(body.type)) changes.thinkTime = body.thinkTime ?? 0;
  if (body.required !== stored.required) changes.required = body.required;
  if ((body.hints ?? null) !== (stored.hints ?? null)) changes.hints = body.hints ?? null;
  if (body.type === "multiple_choice" && (body.type !== stored.type || !sameOptions(stored.options, q.options))) {
    changes.options = body.options;
  }
  return changes;
}

// -- API --------------------------------------------------------------------------------------------------------

/**
 * The template pages' queries live under ["templates"] (invalidated together after any change); the HR
 * invitation flow's own views of templates live under ["hr", "templates"] and are not invalidated by it.
 */
export const templateKeys = {
  all: ["templates"] as const,
  list: (status: string) => ["templates", "list", status] as const,
  count: (status: string) => ["templates", "count", status] as const,
  detail: (id: string) => ["templates", "detail", id] as const,
  active: ["hr", "templates", "active"] as const,
  activeCount: ["hr", "templates", "active", "count"] as const,
  settings: (id: string) => ["hr", "templates", id, "settings"] as const,
};

export const templatesApi = {
  list: (query: { status?: string; page?: number; limit?: number }) =>
    api.get<Page<TemplateListItem>>("/api/templates", query),
  get: (id: string) => api.get<Template>(`/api/templates/${id}`),
  create: (body: { title: string; description: string; settings: SettingsBody; internalName?: string }) =>
    api.post<{ id: string }>("/api/templates", body),
  update: (id: string, body: { title?: string; description?: string; settings?: SettingsBody; internalName?: string }) =>
    api.put<Template>(`/api/templates/${id}`, body),
  /** Reopens a published template as the draft of its next version; sent invitations keep theirs. */
  revise: (id: string) => api.post<Template>(`/api/templates/${id}/revise`),
  versions: (id: string) => api.get<{ versions: TemplateVersion[] }>(`/api/templates/${id}/versions`),
  archive: (id: string) => api.delete<void>(`/api/templates/${id}`),
  publish: (id: string) => api.put<{ status: string }>(`/api/templates/${id}/publish`),
  addQuestion: (id: string, body: QuestionBody) => api.post<{ id: string }>(`/api/templates/${id}/questions`, body),
  updateQuestion: (id: string, qid: string, body: Record<string, unknown>) =>
    api.patch<Question>(`/api/templates/${id}/questions/${qid}`, body),
  removeQuestion: (id: string, qid: string) => api.delete<void>(`/api/templates/${id}/questions/${qid}`),
  reorder: (id: string, questionIds: string[]) =>
    api.patch<void>(`/api/templates/${id}/questions/reorder`, { questionIds }),
};

// -- the save sequence ----------------------------------------------------------------------------------------

export type SaveStep =
  | { kind: "template"; action: "create" | "load" | "update" }
  | { kind: "question"; action: "add" | "update" | "remove"; index: number }
  | { kind: "reorder" }
  | { kind: "publish" };

/** What failed, with the server's error; `templateId` is set once the template exists (retry continues it). */
export class SaveFailure extends Error {
  readonly step: SaveStep;
  readonly cause: unknown;
  readonly templateId: string | undefined;

  constructor(step: SaveStep, cause: unknown, templateId: string | undefined) {
    super(cause instanceof Error ? cause.message : "Saving failed");
    this.name = "SaveFailure";
    this.step = step;
    this.cause = cause;
    this.templateId = templateId;
  }
}

export function describeStep(step: SaveStep): string {
  switch (step.kind) {
    case "template":
      return step.action === "create"
        ? "Creating the template"
        : step.action === "load"
          ? "Reading the saved template"
          : "Saving title, description and settings";
    case "question":
      return `${step.action === "add" ? "Adding" : step.action === "update" ? "Saving" : "Removing"} question ${step.index + 1}`;
    case "reorder":
      return "Saving the question order";
    case "publish":
      return "Publishing";
  }
}

export type SaveCallbacks = {
  /** The template now exists (a retry must continue it rather than create another). */
  onTemplateCreated?: (id: string) => void;
  /** A drafted question got its server id. */
  onQuestionSaved?: (key: string, serverId: string) => void;
  onStep?: (step: SaveStep) => void;
};

/**
 * Make the server's template match the draft: create it (or update title/description/settings), remove the
 * questions no longer drafted, update the changed ones, add the new ones at free positions, then set the
 * drafted order and optionally publish. With `templateId` the current server state is read first, so a retry
 * after a partial failure only does what is still missing.
 */
export async function saveTemplateDraft(
  draft: TemplateDraft,
  { templateId, publish = false, ...cb }: { templateId?: string; publish?: boolean } & SaveCallbacks,
): Promise<{ templateId: string; published: boolean }> {
  let id = templateId;
  const run = async <T,>(step: SaveStep, fn: () => Promise<T>): Promise<T> => {
    cb.onStep?.(step);
    try {
      return await fn();
    } catch (error) {
      throw new SaveFailure(step, error, id);
    }
  };

  let stored: Question[] = [];
  const settings = settingsBody(draft.settings);
  if (!id) {
    const created = await run({ kind: "template", action: "create" }, () =>
      templatesApi.create({
        title: draft.title.trim(),
        description: draft.description.trim(),
        settings,
        ...(draft.internalName?.trim() ? { internalName: draft.internalName.trim() } : {}),
      }),
    );
    id = created.id;
    cb.onTemplateCreated?.(id);
  } else {
    const templateKey = id;
    const current = await run({ kind: "template", action: "load" }, () => templatesApi.get(templateKey));
    stored = [...current.questions].sort((a, b) => a.order - b.order);
    const changed =
      current.title !== draft.title.trim() ||
      current.description !== draft.description.trim() ||
      JSON.stringify(settingsBody(settingsDraftOf(current.settings))) !== JSON.stringify(settings) ||
      // Keys the form does not know of (or a missing one) also mean the stored object differs.
      Object.keys(current.settings ?? {}).length !== Object.keys(settings).length;
    if ((current.internalName ?? "") !== (draft.internalName ?? "").trim()) {
      // HR's own name changes on its own (any state), so a published template's list name can change too.
      await run({ kind: "template", action: "update" }, () =>
        templatesApi.update(templateKey, { internalName: (draft.internalName ?? "").trim() }),
      );
    }
    if (changed) {
      await run({ kind: "template", action: "update" }, () =>
        templatesApi.update(templateKey, { title: draft.title.trim(), description: draft.description.trim(), settings }),
      );
    }
  }
  const tid = id;

  const storedById = new Map(stored.map((q) => [q.id, q]));
  const draftedIds = new Set(draft.questions.map((q) => q.serverId).filter((x): x is string => Boolean(x)));

  // Removals first: the service renumbers the remaining questions 1..n.
  for (const q of stored) {
    if (!draftedIds.has(q.id)) {
      await run({ kind: "question", action: "remove", index: q.order - 1 }, () => templatesApi.removeQuestion(tid, q.id));
    }
  }
  const kept = stored.filter((q) => draftedIds.has(q.id));

  // Updates (order is left to the final reorder so no two questions ever claim one position).
  for (const [index, q] of draft.questions.entries()) {
    const current = q.serverId ? storedById.get(q.serverId) : undefined;
    if (!current) continue;
    const changes = questionChanges(current, q);
    if (Object.keys(changes).length > 0) {
      await run({ kind: "question", action: "update", index }, () => templatesApi.updateQuestion(tid, current.id, changes));
    }
  }

  // Additions, appended after the kept questions.
  const serverIds = draft.questions.map((q) => (q.serverId && storedById.has(q.serverId) ? q.serverId : undefined));
  let nextOrder = kept.length + 1;
  const added: string[] = [];
  for (const [index, q] of draft.questions.entries()) {
    if (serverIds[index]) continue;
    const order = nextOrder;
    const result = await run({ kind: "question", action: "add", index }, () => templatesApi.addQuestion(tid, questionBody(q, order)));
    nextOrder += 1;
    serverIds[index] = result.id;
    added.push(result.id);
    cb.onQuestionSaved?.(q.key, result.id);
  }

  const wanted = serverIds as string[];
  const actual = [...kept.map((q) => q.id), ...added];
  if (wanted.length > 0 && wanted.some((qid, i) => qid !== actual[i])) {
    await run({ kind: "reorder" }, () => templatesApi.reorder(tid, wanted));
  }

  if (publish) {
    await run({ kind: "publish" }, () => templatesApi.publish(tid));
  }
  return { templateId: tid, published: publish };
}

/** A copy of a template as a new draft, with its questions (options and correct answers included). */
export async function duplicateTemplate(id: string): Promise<{ templateId: string; failure?: SaveFailure }> {
  const source = await templatesApi.get(id);
  let copyId: string | undefined;
  try {
    const result = await saveTemplateDraft(draftFromTemplate(source, { copy: true }), {
      onTemplateCreated: (newId) => {
        copyId = newId;
      },
    });
    return { templateId: result.templateId };
  } catch (error) {
    if (error instanceof SaveFailure && copyId) return { templateId: copyId, failure: error };
    throw error instanceof SaveFailure ? error.cause : error;
  }
}

/**
 * The server's 422 field details as form paths: for the template step ("title", "settings.totalTimeLimit"),
 * for a question step ("questions.<i>.text", "questions.<i>.options.0.text").
 */
export function fieldErrorsFor(step: SaveStep, error: unknown): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const fields = error.fieldErrors();
  const out: Record<string, string> = {};
  for (const [field, message] of Object.entries(fields)) {
    if (!field) continue;
    if (step.kind === "template") out[field] = message;
    else if (step.kind === "question" && step.action !== "remove") out[`questions.${step.index}.${field}`] = message;
  }
  return out;
}

// -- hooks ------------------------------------------------------------------------------------------------------

export const STATUSES = ["draft", "active", "archived"] as const;
const PAGE_SIZE = 50;

export function useTemplateList(status: string) {
  return useInfiniteQuery({
    queryKey: templateKeys.list(status),
    queryFn: ({ pageParam }) =>
      templatesApi.list({ status: status === "all" ? undefined : status, page: pageParam, limit: PAGE_SIZE }),
    initialPageParam: 1,
    getNextPageParam: nextPage,
  });
}

/** Real counts per status ("all" for every status), in the order asked: one `limit=1` page each, its `total`. */
export function useTemplateCounts(statuses: readonly string[]) {
  return useQueries({
    queries: statuses.map((status) => ({
      queryKey: templateKeys.count(status),
      queryFn: () => templatesApi.list({ status: status === "all" ? undefined : status, page: 1, limit: 1 }),
      select: (page: Page<TemplateListItem>) => page.total,
    })),
  });
}

export function useTemplate(id: string) {
  return useQuery({ queryKey: templateKeys.detail(id), queryFn: () => templatesApi.get(id) });
}

/** The active templates an invitation can be sent for (the first 100). */
export function useActiveTemplates() {
  return useQuery({
    queryKey: templateKeys.active,
    queryFn: () => templatesApi.list({ status: "active", page: 1, limit: 100 }),
  });
}

/** How many templates are active: one `limit=1` page, its `total`. */
export function useActiveTemplateCount() {
  return useQuery({
    queryKey: templateKeys.activeCount,
    queryFn: () => templatesApi.list({ status: "active", page: 1, limit: 1 }).then((r) => r.total),
  });
}

/** A template's settings (its allowPause / showTimer become an invitation's defaults). */
export function useTemplateSettings(templateId: string) {
  return useQuery({
    queryKey: templateKeys.settings(templateId),
    enabled: !!templateId,
    queryFn: () => api.get<Template>(`/api/templates/${encodeURIComponent(templateId)}`).then((t) => t.settings ?? {}),
    staleTime: 60_000,
  });
}

/** Lists, counts and details all change together (status, question count). */
export function invalidateTemplates(client: QueryClient): Promise<void> {
  return client.invalidateQueries({ queryKey: templateKeys.all });
}

/** A template's published versions, newest first. */
export function useTemplateVersions(id: string) {
  return useQuery({ queryKey: [...templateKeys.detail(id), "versions"] as const, queryFn: () => templatesApi.versions(id) });
}

/** What changed in a version, in words ("2 questions added, 1 edited"); the first version says how many it has. */
export function describeVersionChanges(v: TemplateVersion, first: boolean): string {
  const count = (n: number, word: string) => `${n} question${n === 1 ? "" : "s"} ${word}`;
  if (first) return `First version: ${v.questionsCount} question${v.questionsCount === 1 ? "" : "s"}`;
  const parts = [
    v.questionsAdded ? count(v.questionsAdded, "added") : "",
    v.questionsRemoved ? count(v.questionsRemoved, "removed") : "",
    v.questionsEdited ? count(v.questionsEdited, "edited") : "",
    v.detailsChanged ? "title, description or settings changed" : "",
  ].filter(Boolean);
  return parts.length ? parts.join(", ") : "No changes";
}
