"use client";

import { useQueries } from "@tanstack/react-query";
import { ArrowLeft } from "lucide-react";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import * as React from "react";
import { QuestionReview } from "@/components/hr/review/question-review";
import { Alert, ErrorState, LoadingBlock, PageHeader, Spinner } from "@/components/ui/feedback";
import { ApiError, api } from "@/lib/api";
import { analysisKeys, isAiHidden, type Analysis } from "@/lib/analysis";
import { invitationKeys, type Invitation } from "@/lib/invitations";
import { reviewKeys, stageLabel, type ReviewBoard } from "@/lib/reviews";

type Column = { invitation: Invitation; analysis: Analysis | null; board: ReviewBoard };

/** The team's ratings of one question: the caller's and the submitted ones they may see. */
function questionRating(board: ReviewBoard, questionId: string): string {
  const values = [board.mine, ...board.others].flatMap((r) => (r?.ratings[questionId] != null ? [r.ratings[questionId]!] : []));
  if (!values.length) return "not rated";
  return `${Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 10) / 10} / 5 (${values.length})`;
}

function ComparePage() {
  const ids = Array.from(new Set(useSearchParams().getAll("id"))).slice(0, 4);
  const results = useQueries({
    queries: ids.flatMap((id) => [
      {
        queryKey: invitationKeys.hrDetail(id),
        queryFn: () => api.get<Invitation>(`/api/invitations/${encodeURIComponent(id)}`, { includeTemplate: true }),
      },
      {
        queryKey: analysisKeys.hr(id),
        queryFn: async () => {
          try {
            return await api.get<Analysis>(`/api/analysis/${encodeURIComponent(id)}`);
          } catch (error) {
            // Not analysed yet, or a blind review the caller has not rated: the column shows no AI part.
            if ((error instanceof ApiError && error.statusCode === 404) || isAiHidden(error)) return null;
            throw error;
          }
        },
      },
      { queryKey: reviewKeys.board(id), queryFn: () => api.get<ReviewBoard>(`/api/reviews/${encodeURIComponent(id)}`) },
    ]),
  });
  const back = (
    <Link href="/hr/review" className="inline-flex items-center gap-1 text-sm text-muted-foreground hover:text-foreground">
      <ArrowLeft className="h-4 w-4" aria-hidden /> All completed interviews
    </Link>
  );
  if (ids.length < 2)
    return (
      <div className="space-y-4">
        {back}
        <Alert title="Choose candidates to compare">Select 2 to 4 candidates in the review list, then choose Compare.</Alert>
      </div>
    );
  const failed = results.find((r) => r.isError);
  if (failed) return <ErrorState error={failed.error} title="Could not load these candidates" />;
  if (results.some((r) => r.isPending)) return <LoadingBlock rows={4} label="Loading the candidates" />;
  const columns: Column[] = ids.map((_, i) => ({
    invitation: results[i * 3]!.data as Invitation,
    analysis: results[i * 3 + 1]!.data as Analysis | null,
    board: results[i * 3 + 2]!.data as ReviewBoard,
  }));
  const names = columns.map((c, i) => c.board.candidateName || c.board.candidateEmail || `Candidate ${i + 1}`);
  const questions = [...(columns[0]!.invitation.questions ?? [])].sort((a, b) => a.order - b.order);
  const grid = ["", "", "md:grid-cols-2", "md:grid-cols-3", "md:grid-cols-2 xl:grid-cols-4"][columns.length];
  return (
    <div className="space-y-6">
      {back}
      <PageHeader title="Compare candidates" description={`${columns[0]!.invitation.templateTitle}: each question side by side.`} />
      <div className={`grid gap-3 ${grid}`}>
        {columns.map((c, i) => (
          <div key={c.invitation.id} className="rounded-lg border p-3 text-sm">
            <p className="font-semibold">
              <Link href={`/hr/review/${c.invitation.id}`} className="underline-offset-4 hover:underline">
                {names[i]}
              </Link>
            </p>
            <p className="text-muted-foreground">
              {c.board.aiHidden ? "AI score shown once you rate" : `Score ${c.analysis?.overallScore ?? "—"}`} · {stageLabel(c.board.stage)}
            </p>
          </div>
        ))}
      </div>
      {questions.map((q) => (
        <section key={q.id} aria-labelledby={`compare-q-${q.id}`} className="space-y-3">
          <h2 id={`compare-q-${q.id}`} className="text-lg font-semibold">
            Question {q.order}: {q.text}
          </h2>
          <div className={`grid gap-3 ${grid}`}>
            {columns.map((c, i) => (
              <div key={c.invitation.id} className="min-w-0 space-y-2">
                <p className="text-sm">
                  <span className="font-medium">{names[i]}</span> · team rating {questionRating(c.board, q.id)}
                </p>
                <QuestionReview
                  question={q}
                  response={c.invitation.responses.find((r) => r.questionId === q.id)}
                  analysis={c.analysis?.questionAnalyses.find((a) => a.questionId === q.id)}
                  candidate={names[i]!}
                />
              </div>
            ))}
          </div>
        </section>
      ))}
    </div>
  );
}

export default function Page() {
  return (
    <React.Suspense fallback={<Spinner />}>
      <ComparePage />
    </React.Suspense>
  );
}
