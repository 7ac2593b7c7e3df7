"use client";

import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/feedback";
import { formatAgreement, type Agreement, type Calibration } from "@/lib/rubrics";

type Row = { key: string; who: string; agreement: Agreement };

/** Reviewers by the order they first appear, the caller named "You": ids mean nothing to people. */
export function reviewerLabels(calibration: Calibration, myIds: string[]): Map<string, string> {
  const labels = new Map<string, string>();
  const ids = [...calibration.pairs.flatMap((p) => [p.reviewerA, p.reviewerB]), ...calibration.ai.map((a) => a.reviewer)];
  let n = 0;
  for (const id of ids) {
    if (labels.has(id)) continue;
    labels.set(id, myIds.includes(id) ? "You" : `Reviewer ${++n}`);
  }
  return labels;
}

/**
 * The calibration of one template: the team's ICC, each reviewer pair's and each reviewer's agreement with the AI,
 * as a table on wide screens and as cards on a phone, each with the interviews it rests on and its reading.
 */
export function CalibrationView({ calibration, myIds }: { calibration: Calibration; myIds: string[] }) {
  if (calibration.interviewsRated === 0)
    return <EmptyState title="No ratings yet" description="Once reviewers submit ratings for this template's interviews, their agreement shows here." />;
  const labels = reviewerLabels(calibration, myIds);
  const name = (id: string) => labels.get(id) ?? "A reviewer";
  const pairs: Row[] = calibration.pairs.map((p) => ({ key: `${p.reviewerA}-${p.reviewerB}`, who: `${name(p.reviewerA)} and ${name(p.reviewerB)}`, agreement: p }));
  const ai: Row[] = calibration.ai.map((a) => ({ key: a.reviewer, who: `${name(a.reviewer)} and the AI`, agreement: a }));
  return (
    <div className="space-y-6">
      <Card>
        <CardHeader>
          <CardTitle>The whole team</CardTitle>
        </CardHeader>
        <CardContent className="space-y-2 text-sm">
          <p>
            <span className="text-2xl font-bold tabular-nums">{formatAgreement(calibration.team.icc)}</span>{" "}
            <span className="text-muted-foreground">ICC over {calibration.team.interviews} interviews rated by two or more reviewers</span>
          </p>
          <p className="font-medium">{sentence(calibration.team.reading)}</p>
          <p className="text-muted-foreground">
            {calibration.interviewsRated} interviews rated in all. Below {calibration.minInterviews} interviews no figure is read as agreement or
            disagreement.
          </p>
        </CardContent>
      </Card>
      <AgreementTable title="Between reviewers" rows={pairs} empty="No two reviewers have rated the same interview yet." />
      <AgreementTable title="Between each reviewer and the AI" rows={ai} empty="No reviewer has rated an interview the AI scored yet." />
      <section aria-labelledby="calibration-how" className="space-y-1 text-sm text-muted-foreground">
        <h2 id="calibration-how" className="font-semibold text-foreground">
          How to read this
        </h2>
        <p>
          Kappa (quadratic-weighted) compares two raters&apos; 1–5 ratings of the same interviews: 1 is perfect agreement, 0 is what chance gives, and a
          near miss (4 against 5) costs less than a far one. ICC says how much of the spread in ratings comes from the candidates rather than the raters.
          Each reviewer&apos;s rating of an interview is the mean of their question ratings. {calibration.aiMapping}.
        </p>
      </section>
    </div>
  );
}

function sentence(reading: string): string {
  return reading.charAt(0).toUpperCase() + reading.slice(1) + ".";
}

function AgreementTable({ title, rows, empty }: { title: string; rows: Row[]; empty: string }) {
  const id = `calibration-${title.toLowerCase().replace(/[^a-z]+/g, "-")}`;
  return (
    <section aria-labelledby={id} className="space-y-3">
      <h2 id={id} className="text-lg font-semibold">
        {title}
      </h2>
      {rows.length === 0 ? (
        <p className="text-sm text-muted-foreground">{empty}</p>
      ) : (
        <>
          <table className="hidden w-full text-sm md:table">
            <caption className="sr-only">{title}</caption>
            <thead>
              <tr className="border-b text-left text-muted-foreground">
                <th scope="col" className="py-2 pr-4 font-medium">Who</th>
                <th scope="col" className="py-2 pr-4 font-medium">Kappa</th>
                <th scope="col" className="py-2 pr-4 font-medium">ICC</th>
                <th scope="col" className="py-2 pr-4 font-medium">Interviews</th>
                <th scope="col" className="py-2 font-medium">Reading</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.key} className="border-b">
                  <th scope="row" className="py-2 pr-4 text-left font-medium">{r.who}</th>
                  <td className="py-2 pr-4 tabular-nums">{formatAgreement(r.agreement.kappa)}</td>
                  <td className="py-2 pr-4 tabular-nums">{formatAgreement(r.agreement.icc)}</td>
                  <td className="py-2 pr-4 tabular-nums">{r.agreement.interviews}</td>
                  <td className="py-2">{sentence(r.agreement.reading)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <ul className="space-y-2 md:hidden">
            {rows.map((r) => (
              <li key={r.key} className="rounded-md border p-3 text-sm">
                <p className="font-medium">{r.who}</p>
                <p>{sentence(r.agreement.reading)}</p>
                <p className="text-muted-foreground">
                  Kappa {formatAgreement(r.agreement.kappa)} · ICC {formatAgreement(r.agreement.icc)} · {r.agreement.interviews} interviews
                </p>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
