import { useMe } from "@/lib/profile";

/**
 * The UI's words in the profile's language. English text is the key, so a screen reads as English in its source
 * and a phrase without a translation stays English instead of showing a key. German is the second language;
 * any other profile language gets English until it has a dictionary here.
 */

export type Locale = "en" | "de";

const DE: Record<string, string> = {
  // App shell
  "AI Interview, home": "AI Interview, Startseite",
  Account: "Konto",
  "Sign out": "Abmelden",
  "Signed in as": "Angemeldet als",
  "Open menu": "Menü öffnen",
  "Close menu": "Menü schließen",
  Menu: "Menü",
  Main: "Hauptmenü",
  "Could not load your account": "Ihr Konto konnte nicht geladen werden",
  "My interviews": "Meine Interviews",
  "My skills": "Meine Fähigkeiten",
  Profile: "Profil",
  "Notification settings": "Benachrichtigungen",
  Security: "Sicherheit",
  "Plan and billing": "Tarif und Abrechnung",
  Candidate: "Kandidat",
  "No role yet": "Noch keine Rolle",
  // Colours button
  "Colours: as the device": "Farben: wie das Gerät",
  "Colours: light": "Farben: hell",
  "Colours: dark": "Farben: dunkel",
};

const DICTIONARIES: Record<Locale, Record<string, string>> = { en: {}, de: DE };

export function localeOf(language: string | null | undefined): Locale {
  return language?.toLowerCase().startsWith("de") ? "de" : "en";
}

export function translate(locale: Locale, text: string): string {
  return DICTIONARIES[locale][text] ?? text;
}

/** `t("Sign out")` in the signed-in person's language (English while the profile loads). */
export function useT(): (text: string) => string {
  const locale = localeOf(useMe().data?.language);
  return (text) => translate(locale, text);
}
