// The set-up every end-to-end file shares: code-server with the packaged .vsix and a browser page, the
// workspace opened and trusted with one file in the editor, the demo model loaded, the experts panel
// open with rows, and the failing-step wrapper. The steps are the harness's; this file only names the
// sequences the suites walk alike, so that a change to one (a new trust dialog, say) is made once.
import path from 'node:path';
import type { TestContext } from 'node:test';
import type { Browser, Frame, Locator, Page } from 'playwright-core';
import { TestIds } from '../../src/shared/ids';
import {
  Fatal,
  RESULTS,
  ROOT,
  checkSetup,
  collectLogs,
  findFrame,
  launchBrowser,
  log,
  notifications,
  openFile,
  openWorkbench,
  packageVsix,
  resetResults,
  runCommand,
  screenshot,
  startCodeServer,
  statusBarItems,
  trustWorkspace,
  tryCommand,
  waitFor,
  type CodeServer,
} from './harness';

// Generous: the machine running the suites may be two busy cores; the demo model is small.
export const DEMO_MODEL_TIMEOUT = 5 * 60_000;
export const PANEL_TIMEOUT = 3 * 60_000;

export const tid = (id: string) => `[data-testid="${id}"]`;

export interface DemoSession {
  server: CodeServer;
  browser: Browser;
  page: Page;
}

/**
 * Packages the .vsix, serves `files` as the workspace in code-server and opens a page at `viewport`.
 * `resetResults` empties test-results/e2e/ first (the first suite of a run does it).
 */
export async function startSession(
  files: Record<string, string>,
  opts: { viewport?: { width: number; height: number }; resetResults?: boolean } = {},
): Promise<DemoSession> {
  checkSetup();
  if (opts.resetResults) resetResults();
  log('building and packaging the .vsix');
  const server = await startCodeServer(packageVsix(), files);
  const browser = await launchBrowser();
  const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  return { server, browser, page };
}

/** Keeps the server's logs next to the screenshots, then closes the browser and stops code-server. */
export async function endSession(server: CodeServer | undefined, browser: Browser | undefined): Promise<void> {
  collectLogs(server);
  await browser?.close().catch(() => {});
  await server?.stop();
}

/**
 * The suites' steps: each runs only while none before it failed (later steps would fail for the same
 * reason); a failure leaves a screenshot `FAILED-<prefix><name>.png` and names the notifications and
 * the status bar in its message. `page` is read at the failure (it is made in `before`).
 */
export function stepRunner(prefix: string, page: () => Page | undefined) {
  let failed = false;
  return async function step(t: TestContext, name: string, body: () => Promise<void>): Promise<void> {
    if (failed) {
      t.skip('an earlier step failed');
      return;
    }
    try {
      await body();
    } catch (e) {
      failed = true;
      const p = page();
      const shot = `FAILED-${prefix}${name}`;
      if (p) await screenshot(p, shot).catch(() => {});
      const toasts = p ? await notifications(p).catch(() => []) : [];
      const status = p ? await statusBarItems(p).catch(() => []) : [];
      const err = e as Error;
      throw new Error(
        `${name}: ${err.message}\n` +
          `  notifications: ${JSON.stringify(toasts)}\n` +
          `  status bar: ${JSON.stringify(status.filter((s) => s.text || s.label).map((s) => `${s.id}: ${s.text || s.label}`))}\n` +
          `  screenshot: ${path.relative(ROOT, path.join(RESULTS, `${shot}.png`))}, logs: ${path.relative(ROOT, path.join(RESULTS, 'logs'))}`,
        { cause: err },
      );
    }
  };
}

/** Opens the workspace, grants trust, closes the side bar (room for the panel) and opens `fileName`. */
export async function openWorkspaceFile(page: Page, server: CodeServer, fileName: string): Promise<void> {
  await openWorkbench(page, server);
  log(`workspace trust: ${await trustWorkspace(page)}`);
  await runCommand(page, 'View: Close Primary Side Bar');
  await openFile(page, fileName);
}

/** Fails a wait at once when VS Code shows an error notification. */
export async function failOnErrorNotification(page: Page): Promise<void> {
  const error = (await notifications(page)).find((n) => n.severity === 'error');
  if (error) throw new Fatal(`error notification: ${error.text}`);
}

/** The AurA status bar items' texts, for failure messages. */
export async function auraStatusTexts(page: Page): Promise<string> {
  return (await statusBarItems(page)).filter((s) => /aura/i.test(`${s.id} ${s.text} ${s.label}`)).map((s) => s.text).join(' | ');
}

/**
 * The AurA status bar item's text once it names a model and an intervention ("AurA: demo · AurA 100%",
 * so the profile is there too) and nothing spins; undefined before.
 */
export async function auraStatusReady(page: Page): Promise<string | undefined> {
  const ours = (await statusBarItems(page)).filter((s) => /aura/i.test(`${s.id} ${s.text} ${s.label}`));
  const spinning = await page.locator('.part.statusbar .statusbar-item .codicon-modifier-spin').count();
  const ready = ours.find((s) => /\b(AurA|Damp|Det0)\s+\d+%/.test(s.text) && !/working|not profiled/i.test(s.text));
  return ready && !spinning ? ready.text : undefined;
}

/** auraStatusReady, failing at once on an error notification: the probe for a model (re)load. */
export async function auraStatusOrError(page: Page): Promise<string | undefined> {
  await failOnErrorNotification(page);
  return auraStatusReady(page);
}

/**
 * "AurA: Use Demo Model", then waits (as `what`) for the status bar to say it is ready and clears the
 * notifications; returns the status bar's text.
 */
export async function useDemoModel(page: Page, what = 'the demo model to load'): Promise<string> {
  await runCommand(page, 'AurA: Use Demo Model');
  const status = await waitFor(what, DEMO_MODEL_TIMEOUT, () => auraStatusOrError(page), 500);
  await tryCommand(page, 'Notifications: Clear All Notifications');
  return status;
}

/** "AurA: Open Experts Panel", then waits for the panel's webview and rows in its table. */
export async function openExpertsPanel(page: Page): Promise<{ panel: Frame; rows: number }> {
  await runCommand(page, 'AurA: Open Experts Panel');
  const panel = await findFrame(page, tid(TestIds.expertsTable), PANEL_TIMEOUT, 'the experts table');
  const rows = await waitFor('rows in the experts table', PANEL_TIMEOUT, async () => {
    const n = await panel.locator(`${tid(TestIds.expertsTable)} ${tid(TestIds.expertRow)}`).count();
    return n > 0 ? n : undefined;
  });
  return { panel, rows };
}

/** Selects line `index` (0-based) of the editor whose lines are `lines`, from its start to its end. */
export async function selectLine(page: Page, lines: Locator, index: number): Promise<void> {
  await lines.click();
  await page.keyboard.press('Control+Home');
  for (let i = 0; i < index; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Home');
  await page.keyboard.press('Shift+End');
}
