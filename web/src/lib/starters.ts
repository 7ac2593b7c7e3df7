import { DEFAULT_SETTINGS, newKey, type QuestionDraft, type TemplateDraft } from "@/lib/templates";

/**
 * Starter templates HR can begin from instead of a blank page: common roles beyond engineering, each a plain
 * draft for the wizard (nothing is saved until HR saves it, and every question can be changed).
 */

type StarterQuestion = Pick<QuestionDraft, "text" | "type" | "timeLimit"> & { thinkTime?: number; hints?: string };

export type Starter = { slug: string; name: string; summary: string; title: string; description: string; questions: StarterQuestion[] };

export const STARTERS: readonly Starter[] = [
  {
    slug: "customer-support",
    name: "Customer support agent",
    summary: "Empathy, clear writing and calm under pressure.",
    title: "Customer Support Agent",
    description: "A short interview about helping customers by phone, chat and e-mail.",
    questions: [
      { text: "Tell us about a time you helped a customer who was upset. What did you do?", type: "video", timeLimit: 120, thinkTime: 30 },
      { text: "A customer writes: 'My order is late again and nobody answers.' Write your reply.", type: "text", timeLimit: 300 },
      { text: "How do you keep track of several customers waiting at the same time?", type: "video", timeLimit: 90, thinkTime: 20 },
    ],
  },
  {
    slug: "sales",
    name: "Sales representative",
    summary: "Prospecting, handling objections and closing.",
    title: "Sales Representative",
    description: "A short interview about finding, winning and keeping customers.",
    questions: [
      { text: "Sell us something you use every day in under two minutes.", type: "video", timeLimit: 120, thinkTime: 30 },
      { text: "A prospect says your product is too expensive. How do you answer?", type: "video", timeLimit: 90, thinkTime: 20 },
      { text: "Describe a deal you won or lost and what you learned from it.", type: "text", timeLimit: 300 },
    ],
  },
  {
    slug: "operations",
    name: "Operations coordinator",
    summary: "Planning, problem solving and keeping things running.",
    title: "Operations Coordinator",
    description: "A short interview about planning work and keeping the day-to-day running.",
    questions: [
      { text: "A delivery you depend on will arrive two days late. Walk us through what you do.", type: "video", timeLimit: 120, thinkTime: 30 },
      { text: "Tell us about a process you made faster or simpler. How did you know it worked?", type: "text", timeLimit: 300 },
      { text: "How do you decide what to do first when everything feels urgent?", type: "video", timeLimit: 90, thinkTime: 20 },
    ],
  },
  {
    slug: "software-engineer",
    name: "Software engineer",
    summary: "Problem solving, design and working in a team.",
    title: "Software Engineer",
    description: "A short interview about how you build and ship software with a team.",
    questions: [
      { text: "Tell us about a hard bug you tracked down. How did you find the cause?", type: "video", timeLimit: 120, thinkTime: 30 },
      { text: "How would you design a service that shortens links? Describe the main parts.", type: "text", timeLimit: 600 },
      { text: "Describe a time you disagreed with a teammate about a technical choice.", type: "video", timeLimit: 90, thinkTime: 20 },
    ],
  },
];

export function findStarter(slug: string | null | undefined): Starter | undefined {
  return STARTERS.find((s) => s.slug === slug);
}

/** The wizard's draft for a starter: fresh question keys each time, the service's default settings. */
export function draftFromStarter(starter: Starter): TemplateDraft {
  return {
    title: starter.title,
    description: starter.description,
    settings: { ...DEFAULT_SETTINGS },
    questions: starter.questions.map((q) => ({
      key: newKey(),
      text: q.text,
      type: q.type,
      timeLimit: q.timeLimit,
      thinkTime: q.thinkTime ?? 0,
      required: true,
      hints: q.hints ?? "",
      options: [],
    })),
  };
}
