import { CheckCircle2, Clock, ShieldCheck, Video } from "lucide-react";
import Link from "next/link";
import { SiteHeader } from "@/components/layout/site-header";
import { Button } from "@/components/ui/button";

const FEATURES = [
  { icon: Video, title: "Answer when it suits you", text: "Candidates record video, audio or text answers in the browser, on any device, at any hour." },
  { icon: CheckCircle2, title: "Scores you can check", text: "Every AI score cites the words in the answer it rests on; quotes that are not in the transcript are flagged." },
  { icon: ShieldCheck, title: "People decide", text: "The analysis informs; HR approves or rejects with a note the candidate sees." },
  { icon: Clock, title: "Hours, not weeks", text: "Invite, review and decide in one place, with transcripts and playback side by side." },
];

export default function Home() {
  return (
    <>
      <SiteHeader />
      <main id="main">
        <section className="mx-auto max-w-5xl px-4 py-16 text-center sm:py-24">
          <h1 className="text-4xl font-bold tracking-tight sm:text-5xl">Asynchronous video interviews, scored transparently</h1>
          <p className="mx-auto mt-4 max-w-2xl text-lg text-muted-foreground">
            Build an interview once, invite candidates, and review their answers with transcripts and evidence-backed AI
            analysis, then make the call yourself.
          </p>
          <div className="mt-8 flex flex-wrap justify-center gap-3">
            <Button asChild size="lg">
              <Link href="/login">Sign in</Link>
            </Button>
            <Button asChild size="lg" variant="outline">
              <Link href="/register">Create an account</Link>
            </Button>
          </div>
        </section>
        <section aria-label="Features" className="mx-auto grid max-w-5xl gap-6 px-4 pb-20 sm:grid-cols-2">
          {FEATURES.map(({ icon: Icon, title, text }) => (
            <div key={title} className="rounded-lg border p-6">
              <Icon className="h-6 w-6 text-primary" aria-hidden />
              <h2 className="mt-3 font-semibold">{title}</h2>
              <p className="mt-1 text-sm text-muted-foreground">{text}</p>
            </div>
          ))}
        </section>
      </main>
    </>
  );
}
