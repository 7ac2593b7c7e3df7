"use client";

import { Languages } from "lucide-react";
import { chooseLocale, useLoadedLanguage, useLoadedT, useLocale, type Locale } from "@/lib/i18n";

const NAMES: Record<Locale, string> = { en: "English", de: "Deutsch" };

/** English or German for the candidate's pages: the choice is kept in this browser and wins over the rest. */
export function LanguageSwitch() {
  const locale = useLocale(useLoadedLanguage());
  const t = useLoadedT();
  return (
    <label className="flex items-center gap-1.5 text-sm">
      <Languages className="h-4 w-4 text-muted-foreground" aria-hidden />
      <span className="sr-only">{t("Language")}</span>
      <select
        className="rounded-md border bg-background px-2 py-1 text-sm"
        value={locale}
        onChange={(e) => chooseLocale(e.target.value as Locale)}
      >
        {(Object.keys(NAMES) as Locale[]).map((l) => (
          <option key={l} value={l} lang={l}>
            {NAMES[l]}
          </option>
        ))}
      </select>
    </label>
  );
}
