/**
 * The platform's resources as the gateway returns them (camelCase). Shared by every page; a field added to a
 * service's view is added here, once.
 */

export type QuestionType = "text" | "multiple_choice" | "video" | "audio" | "code";

export type QuestionOption = { id: string; text: string; isCorrect?: boolean | null };

export type Question = {
  id: string;
  text: string;
  type: QuestionType | string;
  order: number;
  timeLimit: number;
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
};

export type TemplateSettings = {
  totalTimeLimit?: number;
  allowRetakes?: boolean;
  showTimer?: boolean;
  randomizeQuestions?: boolean;
  maxRetakes?: number;
  allowPause?: boolean;
  [key: string]: unknown;
};

export type Template = TemplateListItem & { settings: TemplateSettings; questions: Question[]; version: number };

export type Paginated<T> = { items: T[]; total: number; page: number; limit: number; totalPages: number };

export type InvitationStatus = "pending" | "in_progress" | "completed" | "expired";

export type Progress = { answered: number; total: number; percentage: number };

export type InterviewResponse = {
  id: string;
  questionId: string;
  questionIndex: number;
  questionText: string;
  responseType: "text" | "video" | "audio" | "code" | "multiple_choice" | string;
  textAnswer?: string | null;
  codeAnswer?: string | null;
  videoUrl?: string | null;
  selectedOptionId?: string | null;
  mediaId?: string | null;
  duration: number;
  submittedAt: string;
  attempts: number;
};

export type InvitationAnalysis = {
  analysisId?: string | null;
  status?: string | null;
  score?: number | null;
  recommendation?: string | null;
  completedAt?: string | null;
  errorMessage?: string | null;
};

export type Decision = "approved" | "rejected";

export type Invitation = {
  id: string;
  templateId: string;
  candidateId: string;
  companyName: string;
  invitedBy: string;
  status: InvitationStatus | string;
  allowPause: boolean;
  showTimer: boolean;
  expiresAt: string;
  startedAt?: string | null;
  completedAt?: string | null;
  completedReason?: string | null;
  progress: Progress;
  responses: InterviewResponse[];
  analysis?: InvitationAnalysis | null;
  decision?: Decision | null;
  decisionAt?: string | null;
  decisionNote?: string | null;
  createdAt: string;
  updatedAt: string;
  templateTitle?: string | null;
  templateDescription?: string | null;
  /** With `?includeTemplate=true`; `settings` may be present when the template is included. */
  questions?: Question[] | null;
  templateSettings?: TemplateSettings | null;
  /** With `?includeTemplate=true`: how many times each answer may be retaken (0 = none). */
  retakesAllowed?: number | null;
};

export type InvitationListItem = {
  id: string;
  templateId: string;
  templateTitle: string;
  candidateId: string;
  candidateName?: string | null;
  candidateEmail?: string | null;
  companyName: string;
  status: InvitationStatus | string;
  allowPause: boolean;
  expiresAt: string;
  progress: Progress;
  analysisStatus?: string | null;
  analysisScore?: number | null;
  analysisRecommendation?: string | null;
  decision?: Decision | null;
  decisionAt?: string | null;
  decisionNote?: string | null;
  createdAt: string;
};

export type EvidenceStatus = "verified" | "unverified" | "none" | string;

export type CriterionScore = {
  criterion: string;
  score: number;
  weight: number;
  evidence?: string | null;
  evidenceStatus: EvidenceStatus;
  evidenceStartS?: number | null;
  evidenceEndS?: number | null;
};

export type QuestionAnalysis = {
  id: string;
  questionId: string;
  questionText: string;
  questionType: string;
  responseText: string | null;
  score: number | null;
  feedback: string;
  criteriaScores: CriterionScore[];
  isCorrect: boolean | null;
  tokensUsed: number;
  analysable: boolean;
};

/** `engine` is "llm" for model scoring and "offline" for the labelled heuristic fallback. */
export type Analysis = {
  id: string;
  invitationId: string;
  candidateId: string | null;
  templateId: string | null;
  templateTitle: string;
  companyName: string;
  status: "pending" | "in_progress" | "completed" | "failed" | string;
  overallScore: number | null;
  scoredAnswers: number | null;
  totalAnswers: number | null;
  summary: string | null;
  strengths: string[];
  weaknesses: string[];
  recommendation: "hire" | "consider" | "reject" | string | null;
  language: string;
  engine: "llm" | "offline" | string | null;
  modelUsed: string | null;
  errorMessage: string | null;
  completedAt: string | null;
  questionAnalyses: QuestionAnalysis[];
};

export type CandidateAnalysis = Omit<Analysis, "candidateId" | "templateId" | "modelUsed" | "errorMessage" | "questionAnalyses"> & {
  questionAnalyses: Omit<QuestionAnalysis, "id" | "criteriaScores" | "isCorrect" | "tokensUsed">[];
};

export type TranscriptSegment = { start: number; end: number; text: string };

export type Transcript = {
  mediaId: string;
  status: string;
  text: string | null;
  language: string | null;
  durationSeconds: number | null;
  segments: TranscriptSegment[];
  model: string | null;
  reason: string | null;
};
