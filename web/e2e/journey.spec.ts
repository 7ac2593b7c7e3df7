import { createHmac } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { expect, test, type Locator, type Page } from "@playwright/test";

/**
 * The platform's core loop in a real browser against real servers (started by tests/test_web.py): everyone
 * signs in on Keycloak's own page; the candidate makes themself discoverable by recruiters. HR builds and
 * publishes a template (text, multiple choice, video), invites the candidate and finds the invitation counted on
 * their Free plan (online payment is off, so upgrading says why it is not offered), and the pricing page lists
 * the plans; the candidate opens the interview from the invitation e-mail (read from Mailpit), answers
 * everything (the video from Chromium's fake camera) and completes while HR's bell lights up live; HR reads the
 * notification, waits for the AI analysis, reads the scores and approves with a note; the candidate sees the
 * decision and changes their notification settings. HR connects a webhook receiver (a local HTTP server in this
 * process) and its test event arrives signed. An admin adds a skill to the catalogue and finds HR's account
 * among the billing accounts. HR then invites someone without an account by e-mail: the e-mail's link opens /join,
 * where they register on Keycloak's page, confirm their address from Keycloak's e-mail and take the interview from
 * its briefing; HR decides it with a saved message, which the invitee reads. Key screens are saved to
 * test-results/screens/ as the run's artefacts (list pages at phone width too).
 */

type Account = { email: string; password: string };

function account(role: "HR" | "CANDIDATE" | "ADMIN" | "INVITEE" | "TEAMMATE"): Account {
  const email = process.env[`${role}_EMAIL`];
  const password = process.env[`${role}_PASSWORD`];
  if (!email || !password) throw new Error(`${role}_EMAIL and ${role}_PASSWORD must be set (tests/test_web.py sets them)`);
  return { email, password };
}

const hr = account("HR");
const candidate = account("CANDIDATE");
const admin = account("ADMIN");
// Someone HR invites by e-mail who has no account yet: the journey creates it on Keycloak's registration page.
const invitee = account("INVITEE");
// A second HR user, whom HR adds to its company's hiring team and @-mentions in a review note.
const teammate = account("TEAMMATE");
const teammateName = process.env.TEAMMATE_NAME ?? "Tess Teammate";
const run = process.env.RUN_ID ?? Date.now().toString(36);
// The name the candidate's Keycloak account carries (the invite button is labelled with it).
const candidateName = process.env.CANDIDATE_NAME ?? "Carl Candidate";

const template = {
  title: `Backend engineer ${run}`,
  description: "Asynchronous interview for the platform team: one written answer, one choice, one short video.",
  text: "Describe a production incident you handled and what you changed afterwards.",
  choice: "Which HTTP method is idempotent?",
  video: "Introduce yourself on camera in a few sentences.",
};
const answer = "We rolled back the release, then added a canary stage and an alert on the error rate.";
const note = `Strong answers, welcome aboard (${run})`;
const replyTime = "within 5 working days";
const skill = `Playwright ${run}`;

const mailpit = process.env.MAILPIT_URL ?? "http://127.0.0.1:8025";
const baseUrl = process.env.BASE_URL ?? "http://127.0.0.1:3000";

// Shared along the serial steps.
let invitationId = "";
let inviteeInvitationId = "";
// The saved message HR decides the invitee's interview with, as the invitee reads it (placeholders filled).
const savedMessage = {
  name: `Selected — next round ${run}`,
  body: "Dear {candidateName}, thank you for your interview for {role} at {company}. We would like to meet you in person.",
};

type MailpitMessage = { ID: string; Subject: string };

/** The first e-mail to `to` whose plain text holds a link matching `link`, polled until it arrives. */
async function emailWithLink(to: string, link: RegExp): Promise<{ id: string; subject: string; url: string }> {
  let found: { id: string; subject: string; url: string } | null = null;
  await expect(async () => {
    const search = await fetch(`${mailpit}/api/v1/search?query=${encodeURIComponent(`to:"${to}"`)}&limit=50`);
    expect(search.ok).toBe(true);
    const { messages } = (await search.json()) as { messages: MailpitMessage[] };
    for (const m of messages) {
      const message = (await (await fetch(`${mailpit}/api/v1/message/${m.ID}`)).json()) as { Text: string };
      const match = link.exec(message.Text);
      if (match) {
        found = { id: m.ID, subject: m.Subject, url: match[0] };
        return;
      }
    }
    throw new Error(`no e-mail to ${to} with a link matching ${link} yet (${messages.length} to that address)`);
  }).toPass({ timeout: 120_000, intervals: [1_000, 2_000, 5_000] });
  return found!;
}

/** A webhook receiver on loopback, standing for an applicant-tracking system: it records what it is sent. */
type Received = { headers: IncomingHttpHeaders; body: string };
const received: Received[] = [];
const receiver = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on("data", (c: Buffer) => chunks.push(c));
  request.on("end", () => {
    received.push({ headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
    response.writeHead(204).end();
  });
});

/** The Standard Webhooks signature, computed here independently of the service: v1,base64(HMAC-SHA256(id.ts.body)). */
function expectedSignature(secret: string, id: string, timestamp: string, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  return `v1,${createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64")}`;
}

type Violation = { id: string; impact: string | null; help: string; targets: string[] };
// axe-core's WCAG 2.1 A/AA findings per key screen of the app, written to test-results/a11y.json.
const a11y: Record<string, Violation[]> = {};
const AXE = resolve("node_modules/axe-core/axe.min.js");

async function audit(page: Page, name: string): Promise<void> {
  // The title can lag a client-side navigation: CI once audited the candidates page right after its tab switch
  // with no <title> yet. Audit the settled page; a page that never gets a title still fails here.
  await expect(page).toHaveTitle(/\S/);
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: AXE });
  a11y[name] = await page.evaluate(async () => {
    type Axe = { run: (ctx: Document, opts: object) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }> };
    const axe = (window as unknown as { axe: Axe }).axe;
    const result = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => String(n.target)) }));
  });
}

let shot = 0;
async function screen(page: Page, name: string): Promise<void> {
  shot += 1;
  const key = `${String(shot).padStart(2, "0")}-${name}`;
  await page.screenshot({ path: `test-results/screens/${key}.png`, fullPage: true });
  // Keycloak's own pages are not ours to audit.
  if (new URL(page.url()).origin === new URL(baseUrl).origin) await audit(page, key);
}

/** The same screen at a phone's width, then back to the desktop size. */
async function phoneScreen(page: Page, name: string): Promise<void> {
  const size = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  await screen(page, `${name}-phone`);
  if (size) await page.setViewportSize(size);
}

const bell = (page: Page): Locator => page.getByTestId("notification-bell");

/** The bell's unread count once it is loaded (the attribute is absent until then). */
async function unreadOf(page: Page): Promise<number> {
  await expect(bell(page)).toHaveAttribute("data-unread", /^\d+$/);
  return Number(await bell(page).getAttribute("data-unread"));
}

test.beforeAll(async () => {
  await new Promise<void>((done) => receiver.listen(0, "127.0.0.1", done));
});

test.afterAll(async () => {
  await new Promise<void>((done) => receiver.close(() => done()));
  mkdirSync("test-results", { recursive: true });
  writeFileSync("test-results/a11y.json", JSON.stringify(a11y, null, 2));
});

/** /login → the gateway's authorization URL → Keycloak's page → back through /auth/callback to `home`. */
async function signIn(page: Page, who: Account, home: string): Promise<void> {
  await page.goto("/login");
  await page.locator("#username").waitFor();
  await page.locator("#username").fill(who.email);
  await page.locator("#password").fill(who.password);
  // Keycloak answers with a redirect chain through the gateway: wait for where it ends, not for each hop.
  await page.locator("#kc-login").click({ noWaitAfter: true });
  await page.waitForURL((url) => url.pathname === home, { timeout: 60_000 });
}

/** The card of question n in the template wizard. */
const questionCard = (page: Page, n: number): Locator => page.getByRole("group", { name: `Question ${n}`, exact: true });

/** The candidate's dashboard card of this run's invitation (the innermost element holding its title and actions). */
const invitationCard = (page: Page): Locator =>
  page
    .locator("div")
    .filter({ has: page.getByRole("heading", { name: template.title }) })
    .filter({ has: page.getByRole("link").or(page.getByRole("button")) })
    .last();

test.describe.configure({ mode: "serial" });

test("the candidate signs in on Keycloak's page and lands on their dashboard", async ({ page }) => {
  await page.goto("/login");
  await page.locator("#username").waitFor();
  await screen(page, "keycloak-sign-in");
  await signIn(page, candidate, "/candidate/dashboard");
  await expect(page.getByRole("heading", { name: "My interviews", level: 1 })).toBeVisible();
  await expect(page.getByText("Loading your interviews…")).toBeHidden();
  await screen(page, "candidate-dashboard");
  await phoneScreen(page, "candidate-dashboard");

  // HR's candidate search finds only candidates who opted in: this one does, from their profile.
  await page.goto("/profile");
  const discoverable = page.getByRole("switch", { name: "Discoverable by recruiters" });
  await expect(discoverable).not.toBeChecked();
  await discoverable.click();
  await expect(discoverable).toBeChecked();
  await page.reload();
  await expect(page.getByRole("switch", { name: "Discoverable by recruiters" })).toBeChecked();
  await screen(page, "candidate-profile-discoverable");
});

test("HR creates and publishes a template with a text, a multiple-choice and a video question", async ({ page }) => {
  await signIn(page, hr, "/hr/dashboard");
  await expect(page.getByRole("heading", { name: "HR dashboard", level: 1 })).toBeVisible();
  await screen(page, "hr-dashboard");

  await page.goto("/hr/templates/create");
  await page.getByLabel("Title", { exact: true }).fill(template.title);
  await page.getByLabel("Description", { exact: true }).fill(template.description);
  await page.getByRole("button", { name: "Next", exact: true }).click();

  await expect(page.getByRole("heading", { name: "Questions" })).toBeVisible();
  const addQuestion = page.getByRole("button", { name: "Add question" });

  await addQuestion.click();
  const q1 = questionCard(page, 1);
  await q1.getByLabel("Question text").fill(template.text);
  await q1.getByLabel("Question type").selectOption("text");

  await addQuestion.click();
  const q2 = questionCard(page, 2);
  await q2.getByLabel("Question text").fill(template.choice);
  await q2.getByLabel("Question type").selectOption("multiple_choice");
  await q2.getByLabel("Time limit (seconds)").fill("60");
  await q2.getByLabel("Option 1", { exact: true }).fill("POST");
  await q2.getByLabel("Option 2", { exact: true }).fill("PUT");
  await q2.getByLabel("Option 2 is correct").check();

  await addQuestion.click();
  const q3 = questionCard(page, 3);
  await q3.getByLabel("Question text").fill(template.video);
  await q3.getByLabel("Question type").selectOption("video");
  await q3.getByLabel("Time limit (seconds)").fill("60");
  // A short think time: the candidate sees it count down, then the recording starts by itself.
  await q3.getByLabel("Think time (seconds)").fill("3");
  await screen(page, "template-wizard-questions");

  await page.getByRole("button", { name: "Next", exact: true }).click();
  await page.getByLabel("When candidates can expect a reply (optional)").fill(replyTime);
  // A decision may carry a message to the candidate (the saved-message step uses it).
  await page.getByLabel("What candidates see after your decision").selectOption("decision_and_feedback");
  await expect(page.getByText("3 questions")).toBeVisible();
  await screen(page, "template-wizard-review");
  await page.getByRole("button", { name: "Create and publish" }).click();

  await page.waitForURL(/\/hr\/templates\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name: template.title, level: 1 })).toBeVisible();
  await expect(page.getByText(/^active$/i).first()).toBeVisible();
  await screen(page, "template-published");
});

test("HR previews the template as a candidate, at desktop and phone width: the briefing and each question with its limits, nothing timed or saved", async ({
  page,
}) => {
  await signIn(page, hr, "/hr/dashboard");
  await page.goto("/hr/templates");
  await expect(page.getByRole("link", { name: template.title, exact: true }).first()).toBeVisible();
  await screen(page, "hr-templates");
  await phoneScreen(page, "hr-templates");
  await page.getByRole("link", { name: template.title, exact: true }).first().click();
  await expect(page.getByTestId("template-version-1")).toContainText("First version: 3 questions");
  await page.getByRole("link", { name: "Preview as candidate" }).click();
  await expect(page.getByText(/Nothing is timed and nothing is saved or sent/)).toBeVisible();
  await expect(page.getByRole("heading", { name: template.title, level: 2 })).toBeVisible();
  await screen(page, "template-preview-briefing");
  await phoneScreen(page, "template-preview-briefing");

  await page.getByRole("button", { name: "Start interview (preview)" }).click();
  await expect(page.getByText("Question 1 of 3")).toBeVisible();
  await page.getByLabel("Your answer").fill("An answer that goes nowhere.");
  await page.getByRole("button", { name: /Submit answer/ }).click();
  await expect(page.getByText("Answer not saved: this is a preview.")).toBeVisible();
  await screen(page, "template-preview-question");
  await phoneScreen(page, "template-preview-question");
  await page.getByRole("button", { name: /Next question/ }).click();
  await page.getByRole("button", { name: /Next question/ }).click();
  await expect(page.getByTestId("preview-limits")).toContainText("0:03 to think, then 1:00 to answer");
  await page.getByRole("button", { name: /Finish preview/ }).click();
  await expect(page.getByRole("heading", { name: "End of the preview" })).toBeVisible();
});

test("HR finds the candidate and invites them to the template", async ({ page }) => {
  await signIn(page, hr, "/hr/dashboard");
  await page.goto("/hr/candidates");
  const invite = page.getByRole("button", { name: `Invite ${candidateName}`, exact: true });
  await expect(invite).toBeVisible();
  await screen(page, "hr-candidate-search");
  await phoneScreen(page, "hr-candidate-search");
  await invite.click();

  const dialog = page.getByRole("dialog", { name: `Invite ${candidateName}` });
  await dialog.getByLabel("Template").selectOption({ label: `${template.title} (3 questions)` });
  const company = dialog.getByLabel("Company");
  if ((await company.evaluate((el) => el.tagName)) === "SELECT") await company.selectOption({ index: 0 });
  else await company.fill("Acme Robotics");
  await screen(page, "hr-invite-dialog");
  await dialog.getByRole("button", { name: "Send invitation" }).click();

  await expect(dialog).toBeHidden();
  await page.waitForURL(/tab=invited/);
  await expect(page.getByText(template.title).first()).toBeVisible();
  await screen(page, "hr-invited");
});

test("HR's billing page counts the invitation on the Free plan and says why upgrading is not offered, and the pricing page lists the plans", async ({ page }) => {
  await signIn(page, hr, "/hr/dashboard");
  await page.goto("/profile/billing");
  await expect(page.getByRole("heading", { name: "Plan and billing", level: 1 })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Free plan", exact: true })).toBeVisible();

  // Billing confirms usage from the template's and the invitation's events: reload until it has counted both.
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId("meter-interviews")).toContainText("1 of 3 used", { timeout: 5_000 });
    await expect(page.getByTestId("meter-templates")).toContainText("1 of 5 used", { timeout: 5_000 });
  }).toPass({ timeout: 90_000, intervals: [2_000, 5_000] });

  // Online payment is off here: the upgrades are shown, disabled, and each names the reason.
  const reason = "Online payment is not enabled on this installation — ask your administrator.";
  await expect(page.getByText(reason)).toBeVisible();
  for (const plan of ["Plus", "Pro"]) {
    const upgrade = page.getByRole("button", { name: new RegExp(`^Upgrade to ${plan} — \\$\\d+ per month$`) });
    await expect(upgrade).toBeDisabled();
    await expect(upgrade).toHaveAccessibleDescription(reason);
  }
  await screen(page, "hr-billing");
  await phoneScreen(page, "hr-billing");

  // The plans as the billing service states them, read by the page's server.
  await page.goto("/pricing");
  await expect(page.getByRole("heading", { name: "Pricing", level: 1 })).toBeVisible();
  const plans = page.getByRole("list", { name: "Plans", exact: true }).locator(":scope > li");
  await expect(plans).toHaveCount(3);
  for (const [name, price, interviews] of [
    ["Free", "$0", "3 interviews per month"],
    ["Plus", "$29", "100 interviews per month"],
    ["Pro", "$99", "Unlimited interviews"],
  ]) {
    const card = plans.filter({ has: page.getByRole("heading", { name, exact: true }) });
    await expect(card.getByText(price, { exact: true })).toBeVisible();
    await expect(card.getByText(interviews, { exact: true })).toBeVisible();
  }
  await expect(page.getByText("Online payment is not enabled on this installation", { exact: true })).toBeVisible();
  await expect(page.getByRole("link", { name: "See your plan and usage" })).toHaveCount(3);
  await screen(page, "pricing");
  await phoneScreen(page, "pricing");
});

test("the candidate opens the interview from the invitation e-mail, answers the three questions, recording the video from the camera, and completes while HR's bell lights up", async ({
  page,
  browser,
}) => {
  await signIn(page, candidate, "/candidate/dashboard");
  await expect(page.getByRole("heading", { name: template.title })).toBeVisible();
  await screen(page, "candidate-dashboard-invited");

  // The invitation e-mail, as Mailpit received it: its link leads to this run's web app.
  const origin = baseUrl.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const email = await emailWithLink(candidate.email, new RegExp(`${origin}/interview/[0-9a-f-]{36}`));
  await page.goto(`${mailpit}/view/${email.id}.html`);
  await screen(page, "invitation-email");
  await page.goto(email.url);
  invitationId = new URL(email.url).pathname.split("/").pop()!;
  // The briefing comes first: nothing is timed until its own "Start interview".
  await expect(page.getByRole("heading", { name: template.title, level: 1 })).toBeVisible();
  await expect(page.getByRole("heading", { name: "What is recorded and who decides" })).toBeVisible();
  await expect(page.getByText(/^The AI does not decide\. A person at .+ makes the decision\.$/)).toBeVisible();
  await expect(page.getByRole("button", { name: "Start interview" })).toBeDisabled();
  await screen(page, "interview-briefing");
  await phoneScreen(page, "interview-briefing");

  // The device check (the template has a video question), from Chromium's fake camera and microphone.
  await page.getByRole("button", { name: "Check camera and microphone" }).click();
  await expect(page.getByLabel("Live camera preview").first()).toBeVisible();
  await screen(page, "interview-device-check");
  await page.getByRole("button", { name: "Continue" }).click();

  // An unscored practice recording, played back in the browser and never uploaded.
  await page.getByRole("button", { name: "Record a practice answer" }).click();
  await expect(page.getByText(/^Time left: /)).toBeVisible();
  await page.waitForTimeout(2_000);
  await page.getByRole("button", { name: "Stop practice" }).click();
  await expect(page.getByLabel("Your practice recording")).toBeVisible();
  await screen(page, "interview-practice");
  // The AI-use notice: Start needs it accepted.
  await expect(page.getByRole("heading", { name: "How your answers are used" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Start interview" })).toBeDisabled();
  await page.getByRole("checkbox", { name: /I have read this notice/ }).check();
  await screen(page, "interview-notice");
  await phoneScreen(page, "interview-notice");
  await page.getByRole("button", { name: "Start interview" }).click();

  // 1. Text.
  await expect(page.getByRole("heading", { name: template.text })).toBeVisible();
  // Each question's time counts down from the server's clock.
  await expect(page.getByRole("timer", { name: /^Time left: \d+:\d{2}$/ })).toBeVisible();
  await page.getByLabel("Your answer").fill(answer);
  await screen(page, "interview-text-question");
  await page.getByRole("button", { name: "Submit answer" }).click();

  // 2. Multiple choice.
  await expect(page.getByRole("heading", { name: template.choice })).toBeVisible();
  await page.getByLabel("PUT", { exact: true }).check();
  await screen(page, "interview-choice-question");
  await page.getByRole("button", { name: "Submit answer" }).click();

  // 3. Video, with the camera checked in the briefing: think time counts down, then recording starts by itself.
  await expect(page.getByRole("heading", { name: template.video })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Time to think" })).toBeVisible();
  await screen(page, "interview-think-time");
  await expect(page.getByText("REC", { exact: true })).toBeVisible({ timeout: 15_000 });
  await page.waitForTimeout(4_000);
  await screen(page, "interview-recording");
  await page.getByRole("button", { name: "Stop recording" }).click();
  await expect(page.getByLabel("Your recorded answer")).toBeVisible();
  await screen(page, "interview-recorded");

  // HR has the app open meanwhile, with its bell connected to the live stream.
  const hrContext = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 900 } });
  const hrPage = await hrContext.newPage();
  await signIn(hrPage, hr, "/hr/dashboard");
  await expect(bell(hrPage)).toHaveAttribute("data-stream", "open");
  const before = await unreadOf(hrPage);

  await page.getByRole("button", { name: "Submit answer" }).click();

  // The upload is processed (probed, transcoded) before the answer is accepted; the last answer completes it.
  await expect(page.getByRole("heading", { name: "Interview complete" })).toBeVisible({ timeout: 240_000 });
  await expect(page.getByRole("heading", { name: "What happens next" })).toBeVisible();
  await expect(page.getByText(`expects to reply ${replyTime}.`)).toBeVisible();
  await expect(page.getByText(/score/i)).toHaveCount(0);
  await screen(page, "interview-complete");
  await phoneScreen(page, "interview-complete");

  // Asked only after the interview, voluntary: the candidate shares their sex and keeps their race to themselves.
  const selfId = page.getByRole("group", { name: "Sex" });
  await selfId.getByRole("radio", { name: "Female" }).check();
  await page.getByRole("group", { name: "Race/ethnicity" }).getByRole("radio", { name: "Prefer not to say" }).check();
  await page.getByRole("button", { name: "Share my answers" }).click();
  await expect(page.getByText(/Your answers are saved/)).toBeVisible();

  // Nothing reloads HR's page: the count rises because the stream delivered the notification.
  await expect.poll(() => unreadOf(hrPage), { timeout: 120_000 }).toBeGreaterThan(before);
  await expect(hrPage.getByTestId("unread-badge")).toBeVisible();
  await screen(hrPage, "hr-bell-lit");
  await bell(hrPage).click();
  const dropdown = hrPage.getByRole("dialog", { name: "Notifications" });
  const item = dropdown.locator(`a[href="/hr/review/${invitationId}"]`).first();
  await expect(item).toBeVisible();
  await screen(hrPage, "hr-bell-dropdown");
  await phoneScreen(hrPage, "hr-bell-dropdown");
  await item.click();
  await hrPage.waitForURL(`**/hr/review/${invitationId}`);
  await hrContext.close();
});

test("HR waits for the analysis, reads the scores and approves the candidate with a note", async ({ page }) => {
  test.skip(!invitationId, "the interview was not completed");
  await signIn(page, hr, "/hr/dashboard");

  // The inbox: the completion is there (read, since it was opened from the bell); everything can be marked read.
  await page.goto("/notifications");
  await expect(page.locator(`a[href="/hr/review/${invitationId}"]`).first()).toBeVisible();
  await screen(page, "hr-notifications");
  await phoneScreen(page, "hr-notifications");
  // The analysis' notification may arrive meanwhile: mark all read until nothing unread is left.
  await expect(async () => {
    if ((await unreadOf(page)) > 0) await page.getByRole("button", { name: "Mark all as read" }).click();
    await expect(bell(page)).toHaveAttribute("data-unread", "0", { timeout: 5_000 });
  }).toPass({ timeout: 60_000 });

  await page.goto(`/hr/review/${invitationId}`);
  await expect(page.getByRole("heading", { name: "Answers" })).toBeVisible();

  // The analysis waits for the video's transcript, then scores every answer: reload until it is there.
  const overall = page.getByRole("group", { name: /^Overall score \d+$/ });
  await expect(async () => {
    await page.reload();
    await expect(overall).toBeVisible({ timeout: 10_000 });
  }).toPass({ timeout: 300_000, intervals: [5_000] });
  await expect(page.getByRole("heading", { name: "Assessment" })).toBeVisible();
  await expect(page.getByLabel(/^Question 1 score \d+ of 100$/)).toBeVisible();
  await screen(page, "hr-review-analysis");

  await page.getByRole("button", { name: "Approve", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Approve the candidate" });
  await dialog.getByLabel("Decision note").fill(note);
  await screen(page, "hr-approve-dialog");
  await dialog.getByRole("button", { name: "Confirm approval" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText(note)).toBeVisible();
  await screen(page, "hr-review-decided");
});

test("HR rates the answers, shares a read-only link that opens in a browser without a session, and exports the interview's candidates as CSV", async ({
  page,
  browser,
}) => {
  test.skip(!invitationId, "the interview was not completed");
  await signIn(page, hr, "/hr/dashboard");
  await page.goto(`/hr/review/${invitationId}`);

  await page.getByRole("group", { name: /^Question 1:/ }).getByRole("radio", { name: "4 of 5" }).check();
  await page.getByRole("button", { name: "Submit review" }).click();
  await expect(page.getByRole("button", { name: "Update review" })).toBeVisible();

  const share = page.getByRole("region", { name: "Share with a hiring manager" });
  await share.getByRole("button", { name: "Create link" }).click();
  const url = await share.getByTestId("share-url").inputValue();
  expect(url).toMatch(/\/shared\?token=/);
  await screen(page, "hr-review-share");

  // A hiring manager without an account: a fresh context, no cookies.
  const manager = await browser.newContext();
  const shared = await manager.newPage();
  await shared.goto(url);
  await expect(shared.getByText(answer)).toBeVisible();
  await expect(shared.getByText(template.title)).toBeVisible();
  await expect(shared.getByRole("button", { name: /Approve|Reject|Submit review/ })).toHaveCount(0);
  await screen(shared, "shared-interview");
  await phoneScreen(shared, "shared-interview");
  await manager.close();

  // HR sees the view logged.
  await page.reload();
  await expect(share.getByText(/1 view, last/)).toBeVisible();

  // The one review list, filtered to this interview, and its CSV.
  await page.goto("/hr/review");
  await page.getByLabel("Interview", { exact: true }).selectOption({ label: template.title });
  await expect(page.getByRole("table", { name: "Completed interviews" }).getByRole("row")).toHaveCount(2);
  await screen(page, "hr-review-list");
  await phoneScreen(page, "hr-review-list");
  // The review page reads the analysis from the analysis service; the CSV reads interviews' copy, which arrives
  // through Kafka (late on a loaded machine): export again until the analysis' criteria are in it.
  let header = "";
  let rows: string[] = [];
  await expect(async () => {
    const [file] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
    [header = "", ...rows] = readFileSync(await file.path(), "utf8").trim().split(/\r?\n/);
    expect(header.split(",")).toContain("ai_relevance");
  }).toPass({ timeout: 120_000, intervals: [5_000] });
  const columns = header.split(",");
  expect(columns).toEqual([
    "candidate_name",
    "candidate_email",
    "stage",
    "ai_score",
    "ai_recommendation",
    // One column per scoring criterion the analysis used: the offline engine's four here (no LLM key).
    "ai_clarity",
    "ai_completeness",
    "ai_depth",
    "ai_relevance",
    // The template version the candidate was sent, then a rating column per question any version asked.
    "template_version",
    "rating_q1",
    "rating_q2",
    "rating_q3",
    "team_rating",
    "reviews",
    "invited_at",
    "completed_at",
    "decided_at",
  ]);
  expect(rows).toHaveLength(1);
  const row = Object.fromEntries(columns.map((c, i) => [c, rows[0]!.split(",")[i]]));
  expect(row.stage).toBe("selected");
  expect(row.template_version).toBe("1");
  expect(row.ai_score).toMatch(/^\d+$/);
  expect([row.rating_q1, row.team_rating, row.reviews]).toEqual(["4", "4", "1"]);
  expect(row.decided_at).not.toBe("");
});

test("HR opens the hiring analytics, where the funnel and the dashboard count the interview just completed and decided", async ({ page }) => {
  test.skip(!invitationId, "the interview was not completed");
  await signIn(page, hr, "/hr/dashboard");
  await page.goto("/hr/analytics");

  // Events reach the analytics through Kafka in batches: reload until the decision is counted.
  const funnel = page.getByRole("region", { name: "Funnel" });
  await expect(async () => {
    await page.reload();
    await expect(funnel.getByRole("img", { name: /Completed 1, Analysed 1, Decided 1\.$/ })).toBeVisible({ timeout: 10_000 });
  }).toPass({ timeout: 120_000, intervals: [3_000] });
  await funnel.getByRole("button", { name: "Show table" }).click();
  await expect(funnel.getByRole("row", { name: /^Completed 1 / })).toBeVisible();
  await screen(page, "hr-analytics");
  await phoneScreen(page, "hr-analytics");

  // The chart's data as CSV, fetched with the session through the gateway.
  const [file] = await Promise.all([page.waitForEvent("download"), funnel.getByRole("link", { name: "Download CSV of Funnel" }).click()]);
  expect(file.suggestedFilename()).toMatch(/^funnel-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv$/);
  expect(readFileSync(await file.path(), "utf8")).toMatch(/^templateId,templateTitle,step,count,/);

  // The dashboard's counters come from the same analytics.
  await page.goto("/hr/dashboard");
  await expect(page.getByRole("link", { name: /^Completed\s*1\s*last 30 days$/ })).toBeVisible();
});

test("HR opens the adverse-impact report, which counts the decided interview by the candidate's answer and names nobody", async ({ page }) => {
  test.skip(!invitationId, "the interview was not completed");
  await signIn(page, hr, "/hr/dashboard");
  await page.goto("/hr/fairness");

  const sex = page.getByRole("table", { name: /^Sex:/ });
  await expect(sex.getByRole("row", { name: /^Female / })).toBeVisible();
  await expect(page.getByText("Too few decisions to conclude anything")).toBeVisible();
  await expect(page.getByText(candidate.email)).toHaveCount(0);
  await screen(page, "hr-fairness");
  await phoneScreen(page, "hr-fairness");

  const [file] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download CSV" }).click()]);
  expect(readFileSync(await file.path(), "utf8")).toMatch(/^# Adverse-impact report/);
  await page.getByRole("link", { name: "Printable page" }).click();
  await expect(page.getByRole("heading", { name: "Auditor sign-off" })).toBeVisible();
  await screen(page, "hr-fairness-print");
});

test("HR opens the audit trail, which names who viewed the review, the approval with its written reason and the opened share link", async ({ page }) => {
  test.skip(!invitationId, "the interview was not completed");
  await signIn(page, hr, "/hr/dashboard");
  await page.getByRole("link", { name: "Audit trail" }).first().click();
  await expect(page.getByRole("heading", { name: "Audit trail", level: 1 })).toBeVisible();
  await page.getByLabel("Interview (id)").fill(invitationId);
  await page.getByRole("button", { name: "Apply" }).click();

  const trail = page.getByRole("table", { name: "Audit trail" });
  await expect(trail.getByText("Viewed answers").first()).toBeVisible();
  await expect(trail.getByText("Viewed AI scores").first()).toBeVisible();
  await expect(trail.getByRole("cell", { name: "Approved", exact: true })).toBeVisible();
  await expect(trail.getByText(note)).toBeVisible();
  await expect(trail.getByText("Share link opened")).toBeVisible();
  await screen(page, "hr-audit");
  await phoneScreen(page, "hr-audit");
});

test("the candidate sees the decision on their dashboard and their outcome, never HR's note, a score or a verdict", async ({ page }) => {
  test.skip(!invitationId, "the interview was not completed");
  await signIn(page, candidate, "/candidate/dashboard");
  const card = invitationCard(page);
  await expect(card.getByText("Approved", { exact: true })).toBeVisible();
  await expect(card.getByText(note)).toHaveCount(0);
  await screen(page, "candidate-dashboard-decision");
  await phoneScreen(page, "candidate-dashboard-decision");

  // The page's own read of the invitation, as the gateway answers a candidate: no analysis in it.
  const read = page.waitForResponse((r) => r.request().method() === "GET" && new URL(r.url()).pathname === `/api/invitations/${invitationId}`);
  await card.getByRole("link", { name: "View outcome" }).click();
  await page.waitForURL(`**/candidate/results/${invitationId}`);
  const body = (await (await read).json()) as Record<string, unknown>;
  expect(body.status).toBe("completed");
  expect(body).not.toHaveProperty("analysis");
  expect(body).not.toHaveProperty("decisionNote");
  await expect(page.getByRole("heading", { name: template.title, level: 1 })).toBeVisible();
  await expect(page.getByText("Approved", { exact: true })).toBeVisible();
  await expect(page.getByText(note)).toHaveCount(0);
  await expect(page.getByText(/score|Recommended|Worth considering|Areas to improve/i)).toHaveCount(0);
  await screen(page, "candidate-results");
  await phoneScreen(page, "candidate-results");
});

test("the candidate turns the reminder e-mails off and the setting is kept", async ({ page }) => {
  await signIn(page, candidate, "/candidate/dashboard");
  await page.goto("/profile/notifications");
  const reminders = page.getByRole("switch", { name: "Reminders before an invitation expires" });
  await expect(reminders).toHaveAttribute("aria-checked", "true");
  await reminders.click();
  await expect(reminders).toHaveAttribute("aria-checked", "false");
  await screen(page, "candidate-notification-settings");
  await phoneScreen(page, "candidate-notification-settings");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText("Notification settings saved")).toBeVisible();

  await page.reload();
  await expect(page.getByRole("switch", { name: "Reminders before an invitation expires" })).toHaveAttribute("aria-checked", "false");
  await expect(page.getByRole("switch", { name: "Interview invitations" })).toHaveAttribute("aria-checked", "true");
});

test("HR connects a webhook receiver, keeps the secret shown once, and a test event arrives signed", async ({ page }) => {
  const company = `Acme Robotics ${run}`;
  await signIn(page, hr, "/hr/dashboard");
  await page.goto("/hr/companies");
  await expect(page.getByRole("heading", { name: "Companies", level: 1 })).toBeVisible();
  await expect(page.getByText("Loading companies")).toBeHidden();
  await screen(page, "hr-companies");
  await phoneScreen(page, "hr-companies");
  // The webhooks belong to HR's own company: create one when this HR has none yet.
  if ((await page.getByRole("link", { name: /^Webhooks of / }).count()) === 0) {
    await page.goto("/hr/companies/create");
    await page.getByLabel("Name", { exact: true }).fill(company);
    await page.getByRole("button", { name: "Create company" }).click();
    await page.waitForURL((url) => url.pathname === "/hr/companies");
  }
  await page.getByRole("link", { name: /^Webhooks of / }).first().click();
  await page.waitForURL(/\/hr\/companies\/[0-9a-f-]{36}\/webhooks$/);
  await expect(page.getByRole("heading", { name: /^Webhooks/, level: 1 })).toBeVisible();

  const port = (receiver.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/hooks/${run}`;
  await page.getByRole("button", { name: "Add webhook" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Add a webhook" });
  await dialog.getByLabel("Endpoint URL").fill(url);
  await screen(page, "hr-webhook-create");
  await dialog.getByRole("button", { name: "Add webhook" }).click();

  const secretDialog = page.getByRole("dialog", { name: /signing secret/ });
  await expect(secretDialog.getByText("Copy it now: you won't see it again")).toBeVisible();
  const secret = await secretDialog.getByTestId("webhook-secret").inputValue();
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]+$/);
  await screen(page, "hr-webhook-secret");
  await secretDialog.getByRole("button", { name: "I have saved the secret" }).click();
  await expect(secretDialog).toBeHidden();

  const card = page.getByTestId("webhook-endpoint").filter({ hasText: url });
  await expect(card).toBeVisible();
  await card.getByRole("button", { name: "Send test event" }).click();
  // The log refreshes itself while the delivery is on its way.
  await expect(card.getByRole("table").getByText("Delivered")).toBeVisible({ timeout: 90_000 });
  await screen(page, "hr-webhooks");
  await phoneScreen(page, "hr-webhooks");

  const test = received.find((r) => r.body.includes("webhook.test"));
  expect(test, "the receiver got the test event").toBeTruthy();
  const { "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": signature } = test!.headers;
  expect(String(signature).split(" ")).toContain(expectedSignature(secret, String(id), String(timestamp), test!.body));
});

test("an admin creates a skill and sees it in the catalogue", async ({ page }) => {
  await signIn(page, admin, "/admin/dashboard");
  await screen(page, "admin-dashboard");
  await page.goto("/admin/skills/create");
  await page.getByLabel("Name").fill(skill);
  await page.getByLabel("Description").fill("End-to-end browser testing.");
  await screen(page, "admin-skill-create");
  await page.getByRole("button", { name: "Create skill" }).click();

  await page.waitForURL((url) => url.pathname === "/admin/skills");
  await page.getByLabel("Search skills").fill(skill);
  await expect(page.getByRole("link", { name: `Edit ${skill}` })).toBeVisible();
  await screen(page, "admin-skills");
  await phoneScreen(page, "admin-skills");

  await page.goto("/admin/users");
  await expect(page.getByRole("heading", { name: "Users", level: 1 })).toBeVisible();
  await expect(page.getByText("Loading users…")).toBeHidden();
  await screen(page, "admin-users");
  await phoneScreen(page, "admin-users");
});

test("an admin finds HR's account among the billing accounts, on the Free plan with its interview, AI tokens and recording counted", async ({ page }) => {
  await signIn(page, admin, "/admin/dashboard");
  await page.goto("/admin/billing");
  await expect(page.getByRole("heading", { name: "Billing accounts", level: 1 })).toBeVisible();
  // Oldest accounts first, and the test database keeps earlier runs': page on until HR's row shows. HR is billed
  // on their own until they create a company (the webhook step), whose row names the company.
  const row = page.getByRole("row").filter({ hasText: hr.email }).filter({ hasNotText: "Acme Robotics" });
  const next = page.getByRole("navigation", { name: "Pagination" }).getByRole("button", { name: "Next" });
  for (let n = 1; ; n++) {
    await expect(page.getByRole("region", { name: `Billing accounts, page ${n}`, exact: true })).toBeVisible();
    if ((await row.count()) > 0 || (await next.count()) === 0 || (await next.isDisabled())) break;
    await next.click();
  }
  await expect(row).toHaveCount(1);
  await expect(row.getByRole("cell").nth(1)).toHaveText("Free");
  await expect(row.getByRole("cell").nth(3)).toHaveText("1 of 3");
  // Metered from the analysis' and the recording's events: the interview's AI tokens and its video are counted.
  await expect(row.getByRole("cell").nth(6)).not.toHaveText("0");
  await expect(row.getByRole("cell").nth(7)).not.toHaveText("0 MB");
  await screen(page, "admin-billing");
  await phoneScreen(page, "admin-billing");
});

test("HR invites a new person by e-mail; the e-mail's link opens /join, where they create their account, confirm the address and take the interview from its briefing, seeing no score", async ({
  page,
  browser,
}) => {
  await signIn(page, hr, "/hr/dashboard");
  await page.goto("/hr/invitations");
  await expect(page.getByRole("heading", { name: "Invitations", level: 1 })).toBeVisible();
  await screen(page, "hr-invitations");
  await phoneScreen(page, "hr-invitations");
  await page.getByRole("button", { name: "Invite by e-mail" }).click();
  const dialog = page.getByRole("dialog", { name: "Invite by e-mail" });
  await dialog.getByLabel("Interview", { exact: true }).selectOption({ label: template.title });
  // HR has a company by now (the webhook step): the invitation comes in its name, so no company is asked for.
  const company = dialog.getByLabel("Company");
  if (await company.count()) await company.fill("Acme Robotics");
  await dialog.getByLabel("Name and e-mail, one person a line").fill(`Ivy Invitee <${invitee.email}>`);
  await dialog.getByRole("button", { name: "Check the list" }).click();
  await expect(dialog.getByRole("cell", { name: "Ready to send" })).toBeVisible();
  await dialog.getByRole("button", { name: "Send 1 invitation" }).click();
  await expect(dialog.getByText("1 invitation sent")).toBeVisible();
  await screen(page, "hr-invite-by-email");
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();

  // The invitation e-mail carries the signed link to /join on this run's web app.
  const origin = baseUrl.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const invitation = await emailWithLink(invitee.email, new RegExp(`${origin}/join\\?token=\\S+`));
  // A browser of their own, camera and microphone allowed as in the journey's other contexts.
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 900 }, permissions: ["camera", "microphone"] });
  const guest = await context.newPage();
  await guest.goto(invitation.url);
  await expect(guest.getByRole("heading", { name: /invited you to an interview$/, level: 1 })).toBeVisible();
  await expect(guest.getByText(invitee.email)).toBeVisible();
  await expect(guest).toHaveTitle(/^Your interview invitation/);
  await screen(guest, "join-invitation");
  await phoneScreen(guest, "join-invitation");

  // Keycloak's registration page, the invited address filled in.
  await guest.getByRole("button", { name: "Create my account" }).click();
  await guest.locator("#password").waitFor();
  await expect(guest.locator("#email")).toHaveValue(invitee.email);
  await guest.locator("#firstName").fill("Ivy");
  await guest.locator("#lastName").fill("Invitee");
  await guest.locator("#password").fill(invitee.password);
  await guest.locator("#password-confirm").fill(invitee.password);
  await screen(guest, "keycloak-register");
  await guest.locator("[type=submit]").click({ noWaitAfter: true });
  // Back on the link, not on the role choice: the new account has no role yet.
  await guest.waitForURL((url) => url.pathname === "/join", { timeout: 60_000 });

  // The address is not confirmed yet: Keycloak e-mails its link, which confirms it.
  await expect(guest.getByRole("heading", { name: "Confirm your e-mail address" })).toBeVisible({ timeout: 30_000 });
  await guest.getByRole("button", { name: "Send the confirmation e-mail" }).click();
  await expect(guest.getByText("We sent you an e-mail: open its link to confirm your address")).toBeVisible();
  await screen(guest, "join-confirm-address");
  const confirmation = await emailWithLink(invitee.email, /https?:\/\/\S+\/login-actions\/action-token\S+/);
  const confirm = await context.newPage();
  await confirm.goto(confirmation.url);
  await confirm.waitForLoadState();
  // Opened outside the flow that asked for it, Keycloak first asks to confirm the address; it then says so, or
  // goes on to its account pages. That the address is confirmed shows below: the invitation can be claimed.
  const proceed = confirm.getByRole("link", { name: /click here to proceed/i });
  if ((await proceed.count()) > 0) await proceed.click();
  const verified = confirm.getByText(/email address has been verified/i);
  await expect
    .poll(async () => !new URL(confirm.url()).pathname.endsWith("/action-token") || (await verified.count()) > 0, { timeout: 30_000 })
    .toBe(true);
  await confirm.close();
  await guest.getByRole("button", { name: "I have confirmed it, continue" }).click();

  // The invitation is the new account's, which is now a candidate's: its briefing comes first, nothing timed yet.
  await guest.waitForURL(/\/interview\/[0-9a-f-]{36}$/, { timeout: 60_000 });
  inviteeInvitationId = new URL(guest.url()).pathname.split("/").pop()!;
  await expect(guest.getByRole("heading", { name: template.title, level: 1 })).toBeVisible();
  await expect(guest.getByRole("button", { name: "Start interview" })).toBeDisabled();
  await screen(guest, "join-briefing");

  // The template has a video question: the device check, then the notice, then the clock.
  await guest.getByRole("button", { name: "Check camera and microphone" }).click();
  await expect(guest.getByLabel("Live camera preview").first()).toBeVisible();
  await guest.getByRole("button", { name: "Continue" }).click();
  await guest.getByRole("checkbox", { name: /I have read this notice/ }).check();
  await guest.getByRole("button", { name: "Start interview" }).click();

  await expect(guest.getByRole("heading", { name: template.text })).toBeVisible();
  await guest.getByLabel("Your answer").fill("I restored the queue from its snapshot, then added a replay test to the release checks.");
  await guest.getByRole("button", { name: "Submit answer" }).click();
  await expect(guest.getByRole("heading", { name: template.choice })).toBeVisible();
  await guest.getByLabel("PUT", { exact: true }).check();
  await guest.getByRole("button", { name: "Submit answer" }).click();
  await expect(guest.getByRole("heading", { name: template.video })).toBeVisible();
  await expect(guest.getByText("REC", { exact: true })).toBeVisible({ timeout: 15_000 });
  await guest.waitForTimeout(3_000);
  await guest.getByRole("button", { name: "Stop recording" }).click();
  await expect(guest.getByLabel("Your recorded answer")).toBeVisible();
  await guest.getByRole("button", { name: "Submit answer" }).click();
  await expect(guest.getByRole("heading", { name: "Interview complete" })).toBeVisible({ timeout: 240_000 });
  await expect(guest.getByText(/score/i)).toHaveCount(0);
  await screen(guest, "join-interview-complete");

  // The new account's dashboard lists it, as any candidate's does.
  await guest.goto("/candidate/dashboard");
  await expect(guest.getByRole("heading", { name: template.title })).toBeVisible();
  await context.close();
});

test("HR adds a teammate to the hiring team and @-mentions them in a note on the invitee's interview; the teammate's inbox shows it", async ({
  page,
  browser,
}) => {
  test.skip(!inviteeInvitationId, "the invitee's interview was not completed");
  // Signed in once, the teammate's HR account exists and can be added by its e-mail.
  const mate = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 900 } });
  const matePage = await mate.newPage();
  await signIn(matePage, teammate, "/hr/dashboard");

  await signIn(page, hr, "/hr/dashboard");
  await page.goto("/hr/companies");
  await page.getByRole("link", { name: /^Edit / }).first().click();
  await page.getByLabel("HR user's e-mail").fill(teammate.email);
  await page.getByRole("button", { name: "Add to team" }).click();
  await expect(page.getByRole("list", { name: "Team members" }).getByText(teammateName)).toBeVisible();
  await screen(page, "hr-team-members");

  await page.goto(`/hr/review/${inviteeInvitationId}`);
  const note = page.getByLabel("Private note");
  await note.fill("Ask ");
  await note.pressSequentially(`@${teammateName.slice(0, 4)}`);
  await page.getByRole("listbox", { name: "Teammates to mention" }).getByRole("option", { name: new RegExp(`^${teammateName}`) }).click();
  await note.pressSequentially("about the on-call rota.");
  await expect(note).toHaveValue(`Ask @${teammateName} about the on-call rota.`);
  await screen(page, "hr-review-mention");

  // Through Kafka: interviews learns of the new member from the users service, and the mention reaches the
  // notifications service. A note saved before the membership arrived named nobody yet: saving again tells them.
  await expect(async () => {
    await page.getByRole("button", { name: "Save draft" }).click();
    await matePage.goto("/notifications");
    await expect(matePage.locator(`a[href="/hr/review/${inviteeInvitationId}"]`).first()).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 120_000, intervals: [3_000] });
  await expect(matePage.getByText(/mentioned you/).first()).toBeVisible();
  await screen(matePage, "teammate-mentioned");
  await mate.close();
});

test("HR saves a message for candidates and decides the invitee's interview with it; the invitee reads it filled in with their name", async ({
  page,
  browser,
}) => {
  test.skip(!inviteeInvitationId, "the invitee's interview was not completed");
  await signIn(page, hr, "/hr/dashboard");
  await page.goto("/hr/messages");
  await page.getByRole("button", { name: "New message" }).first().click();
  const form = page.getByRole("dialog", { name: "New saved message" });
  await form.getByLabel("Name", { exact: true }).fill(savedMessage.name);
  await form.getByLabel("Message to the candidate").fill(savedMessage.body);
  await screen(page, "hr-message-form");
  await form.getByRole("button", { name: "Save message" }).click();
  await expect(form).toBeHidden();
  await expect(page.getByText(savedMessage.name)).toBeVisible();
  await screen(page, "hr-messages");
  await phoneScreen(page, "hr-messages");

  await page.goto(`/hr/review/${inviteeInvitationId}`);
  await expect(page.getByRole("heading", { name: "Answers" })).toBeVisible();
  await page.getByRole("button", { name: "Approve", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Approve the candidate" });
  await dialog.getByLabel("Decision note").fill(`Clear answers; invite to the next round (${run})`);
  await dialog.getByRole("button", { name: "Add a message to the candidate" }).click();
  await dialog.getByLabel("Fill from a saved message").selectOption({ label: savedMessage.name });
  const message = dialog.getByLabel("Message to the candidate (optional)");
  await expect(message).toHaveValue(/^Dear Ivy Invitee, thank you for your interview for .+ at .+\. We would like to meet you in person\.$/);
  const sent = await message.inputValue();
  expect(sent).toContain(template.title);
  await screen(page, "hr-decision-saved-message");
  await dialog.getByRole("button", { name: "Confirm approval" }).click();
  await expect(dialog).toBeHidden();

  // The invitee signs in with the account made from the link and reads the message on their outcome page.
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 900 } });
  const guest = await context.newPage();
  await signIn(guest, invitee, "/candidate/dashboard");
  await guest.goto(`/candidate/results/${inviteeInvitationId}`);
  await expect(guest.getByText("Approved", { exact: true })).toBeVisible();
  await expect(guest.getByText(sent)).toBeVisible();
  await expect(guest.getByText(/score|Recommended|Worth considering|Areas to improve/i)).toHaveCount(0);
  await screen(guest, "invitee-results");
  await context.close();
});

test("every key screen passes axe-core's WCAG 2.1 A/AA rules without serious or critical violations", () => {
  expect(Object.keys(a11y).length).toBeGreaterThan(15);
  const findings = Object.entries(a11y).flatMap(([key, violations]) =>
    violations.map((v) => `${key}: [${v.impact}] ${v.id} — ${v.help} (${v.targets.slice(0, 3).join(", ")})`),
  );
  for (const finding of findings) console.log(`a11y ${finding}`);
  expect(findings.filter((f) => /\[(serious|critical)\]/.test(f))).toEqual([]);
});
