/**
 * Light or dark colours: the system's preference unless the person picked one, remembered in this browser.
 * The `dark` class on <html> switches the colour tokens of globals.css; THEME_SCRIPT sets it before the first
 * paint so a dark page never flashes white.
 */

export type ThemeChoice = "system" | "light" | "dark";

export const THEME_KEY = "aivi-theme";
export const THEME_CHOICES: readonly ThemeChoice[] = ["system", "light", "dark"];

export function storedTheme(): ThemeChoice {
  try {
    const value = window.localStorage.getItem(THEME_KEY);
    return value === "light" || value === "dark" ? value : "system";
  } catch {
    // Storage can be refused (private windows, blocked cookies): the system's preference then.
    return "system";
  }
}

export function systemPrefersDark(): boolean {
  return typeof window.matchMedia === "function" && window.matchMedia("(prefers-color-scheme: dark)").matches;
}

export function isDark(choice: ThemeChoice): boolean {
  return choice === "dark" || (choice === "system" && systemPrefersDark());
}

export function applyTheme(choice: ThemeChoice): void {
  const root = document.documentElement;
  root.classList.toggle("dark", isDark(choice));
  root.style.colorScheme = isDark(choice) ? "dark" : "light";
}

export function saveTheme(choice: ThemeChoice): void {
  try {
    if (choice === "system") window.localStorage.removeItem(THEME_KEY);
    else window.localStorage.setItem(THEME_KEY, choice);
  } catch {
    // Not remembered, still applied for this page.
  }
  applyTheme(choice);
}

/** The same decision as applyTheme, inlined in <head> (it runs before any bundle loads). */
export const THEME_SCRIPT = `(function(){try{var c=localStorage.getItem(${JSON.stringify(THEME_KEY)});var d=c==="dark"||(c!=="light"&&window.matchMedia("(prefers-color-scheme: dark)").matches);document.documentElement.classList.toggle("dark",d);document.documentElement.style.colorScheme=d?"dark":"light";}catch(e){}})();`;
