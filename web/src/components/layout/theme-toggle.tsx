"use client";

import { Monitor, Moon, Sun } from "lucide-react";
import * as React from "react";
import { Button } from "@/components/ui/button";
import { applyTheme, saveTheme, storedTheme, THEME_CHOICES, type ThemeChoice } from "@/lib/theme";

const LABELS: Record<ThemeChoice, string> = { system: "Colours: as the device", light: "Colours: light", dark: "Colours: dark" };
const ICONS = { system: Monitor, light: Sun, dark: Moon } as const;

/** One button that steps through device / light / dark; its name says the current choice (in `t`'s language). */
export function ThemeToggle({ t = (text: string) => text }: { t?: (text: string) => string }) {
  const [choice, setChoice] = React.useState<ThemeChoice>("system");

  React.useEffect(() => {
    setChoice(storedTheme());
  }, []);

  // While following the device, follow it live (the device may switch at sunset).
  React.useEffect(() => {
    if (choice !== "system" || typeof window.matchMedia !== "function") return;
    const query = window.matchMedia("(prefers-color-scheme: dark)");
    const follow = () => applyTheme("system");
    query.addEventListener("change", follow);
    return () => query.removeEventListener("change", follow);
  }, [choice]);

  const next = () => {
    const following = THEME_CHOICES[(THEME_CHOICES.indexOf(choice) + 1) % THEME_CHOICES.length];
    saveTheme(following);
    setChoice(following);
  };
  const Icon = ICONS[choice];
  return (
    <Button variant="ghost" size="icon" onClick={next} aria-label={t(LABELS[choice])} title={t(LABELS[choice])} data-testid="theme-toggle">
      <Icon aria-hidden />
    </Button>
  );
}
