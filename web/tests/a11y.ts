import axe from "axe-core";

/** Axe's WCAG 2.1 A/AA findings under `root`, one line each (rule, help, where), so a failing test names them.
 *  Colour contrast is left out because jsdom lays nothing out or paints it (the browser journey checks it). The
 *  label-in-name rule stays on: a control named other than by its visible words fails speech input, as the
 *  journey found once. Every screen test's axe check goes through here. */
export async function a11yFindings(root: Element = document.body): Promise<string[]> {
  const result = await axe.run(root, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    rules: { "color-contrast": { enabled: false } },
  });
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}
