import { SiteHeader } from "@/components/layout/site-header";

export const metadata = { title: "About" };

export default function About() {
  return (
    <>
      <SiteHeader />
      <main id="main" className="mx-auto max-w-3xl space-y-4 px-4 py-12">
        <h1 className="text-3xl font-bold">About</h1>
        <p>
          AI Video Interview is an open-source, self-hostable platform for asynchronous interviews. HR builds interview
          templates and invites candidates; candidates answer in their browser; answers are transcribed and scored by a
          language model whose every score cites the evidence it rests on; HR reviews and decides.
        </p>
        <p>
          It runs on your own servers: your candidates&apos; recordings and data never leave them unless you configure an
          external transcription or language-model provider. Without one, scoring falls back to an offline heuristic
          that is labelled as such everywhere it appears.
        </p>
      </main>
    </>
  );
}
