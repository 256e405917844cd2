// State that survives Reload Window (issue 23 item 4), in code-server + Chromium with the packaged
// .vsix: the demo model, the experts panel set to Damp 30% with an expert selected, a filter typed and
// a prompt typed; then "Developer: Reload Window". The panel comes back by itself (its serializer), the
// model and profile are restored, and the page must show Damp 30% (method picker, slider, the preview's
// heading and the status bar), the same expert selected with its detail, the search and the prompt.
//
//   flock /tmp/aura-e2e.lock bash -c 'bash scripts/e2e/setup.sh && node --import tsx --test --test-reporter=spec test/e2e/state.e2e.ts'
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { Browser, Frame, Page } from 'playwright-core';
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

const tid = (id: string) => `[data-testid="${id}"]`;
const FILE_NAME = 'notes.txt';
const FILE_TEXT = 'The weather was awful, and he said\n';
const DEMO_MODEL_TIMEOUT = 5 * 60_000;
const PANEL_TIMEOUT = 3 * 60_000;
const RESTORE_TIMEOUT = 5 * 60_000;
const PROMPT = 'Kept across a reload:';

describe('State that survives Reload Window (code-server + Chromium, packaged .vsix)', { timeout: 30 * 60_000 }, () => {
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let panel: Frame;
  let failed = false;
  /** What the page showed before the reload: the selected row's id and the detail's first line. */
  let selectedId = '';
  /** The search typed: the selected expert's site, so its row stays in the table. */
  let search = '';

  async function step(t: TestContext, name: string, body: () => Promise<void>): Promise<void> {
    if (failed) return void t.skip('an earlier step failed');
    try {
      await body();
    } catch (e) {
      failed = true;
      if (page) await screenshot(page, `FAILED-state-${name}`).catch(() => {});
      const toasts = page ? await notifications(page).catch(() => []) : [];
      throw new Error(`${name}: ${(e as Error).message}\n  notifications: ${JSON.stringify(toasts)}\n  screenshot: ${path.relative(ROOT, path.join(RESULTS, `FAILED-state-${name}.png`))}`, { cause: e });
    }
  }

  /** The AurA status bar item's text once it names a model and an intervention and nothing spins. */
  async function statusIntervention(): Promise<string | undefined> {
    const error = (await notifications(page)).find((n) => n.severity === 'error');
    if (error) throw new Fatal(`error notification: ${error.text}`);
    const ours = (await statusBarItems(page)).filter((s) => /aura/i.test(`${s.id} ${s.text} ${s.label}`));
    const spinning = await page.locator('.part.statusbar .statusbar-item .codicon-modifier-spin').count();
    const ready = ours.find((s) => /\b(AurA|Damp|Det0)\s+\d+%/.test(s.text) && !/working|not profiled/i.test(s.text));
    return ready && !spinning ? ready.text : undefined;
  }

  /** What the panel shows of the state under test. */
  async function shown(p: Frame) {
    const text = async (sel: string) => (await p.locator(sel).first().innerText({ timeout: 5_000 }).catch(() => '')).replace(/\s+/g, ' ').trim();
    return {
      method: await p.locator(tid(TestIds.method)).inputValue({ timeout: 5_000 }).catch(() => ''),
      strength: await p.locator(tid(TestIds.strength)).inputValue({ timeout: 5_000 }).catch(() => ''),
      heading: await text('section[aria-label="Preview"] h3:has-text("Intervened")'),
      selected: ((await p.locator(`${tid(TestIds.expertRow)}[aria-selected="true"] .id`).first().textContent({ timeout: 5_000 }).catch(() => '')) ?? '').trim(),
      detail: await text(tid(TestIds.neuronDetail)),
      search: await p.locator(tid(TestIds.search)).inputValue({ timeout: 5_000 }).catch(() => ''),
      prompt: await p.locator(tid(TestIds.previewPrompt)).inputValue({ timeout: 5_000 }).catch(() => ''),
    };
  }

  before(async () => {
    checkSetup();
    resetResults();
    log('building and packaging the .vsix');
    server = await startCodeServer(packageVsix(), { [FILE_NAME]: FILE_TEXT });
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 })).newPage();
  });

  after(async () => {
    collectLogs(server);
    await browser?.close().catch(() => {});
    await server?.stop();
  });

  it('sets Damp 30%, selects an expert, types a search and a prompt', async (t) => {
    await step(t, '01-set-up', async () => {
      await openWorkbench(page, server!);
      log(`workspace trust: ${await trustWorkspace(page)}`);
      await runCommand(page, 'View: Close Primary Side Bar');
      await openFile(page, FILE_NAME);
      await runCommand(page, 'AurA: Use Demo Model');
      log(`demo model ready: ${await waitFor('the demo model', DEMO_MODEL_TIMEOUT, statusIntervention, 500)}`);
      await tryCommand(page, 'Notifications: Clear All Notifications');
      await runCommand(page, 'AurA: Open Experts Panel');
      panel = await findFrame(page, tid(TestIds.expertsTable), PANEL_TIMEOUT, 'the experts table');
      await panel.locator(tid(TestIds.expertRow)).first().waitFor({ timeout: PANEL_TIMEOUT });

      await panel.locator(tid(TestIds.method)).selectOption('damp');
      // The slider as a user's drag ends: a value, then input and change.
      await panel.locator(tid(TestIds.strength)).evaluate((el: unknown) => {
        const input = el as { value: string; dispatchEvent(e: unknown): boolean };
        const E = (globalThis as unknown as { Event: new (t: string, o: object) => unknown }).Event;
        input.value = '0.3';
        input.dispatchEvent(new E('input', { bubbles: true }));
        input.dispatchEvent(new E('change', { bubbles: true }));
      });
      // What the status bar said last, for the failure message: a wrong method and a spinner differ.
      let seen = '';
      const status = await waitFor('the status bar to say Damp 30%', 90_000, async () => {
        seen = (await statusBarItems(page)).filter((s) => /aura/i.test(`${s.id} ${s.text} ${s.label}`)).map((s) => s.text).join(' | ');
        const s = await statusIntervention();
        return s && /Damp 30%/.test(s) ? s : undefined;
      }).catch(async (e: unknown) => {
        const now = await shown(panel).catch(() => null);
        throw new Error(`${(e as Error).message}; the status bar said: ${seen}; the panel shows ${JSON.stringify(now)}`);
      });
      log(`status bar: ${status}`);

      selectedId = ((await panel.locator(`${tid(TestIds.expertRow)} .id`).nth(2).textContent()) ?? '').trim();
      search = selectedId.slice(0, selectedId.lastIndexOf(':'));
      assert.ok(search, `a row id site:neuron (${selectedId})`);
      await panel.locator(tid(TestIds.search)).fill(search);
      const exact = new RegExp(`^\\s*${selectedId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
      const row = panel.locator(tid(TestIds.expertRow)).filter({ has: panel.locator('.id', { hasText: exact }) }).first();
      await row.click();
      await waitFor('the neuron detail', 60_000, async () => /AUROC/.test(await panel.locator(tid(TestIds.neuronDetail)).innerText().catch(() => '')));
      await panel.locator(tid(TestIds.previewPrompt)).fill(PROMPT);
      const before = await shown(panel);
      log(`before the reload: ${JSON.stringify({ ...before, detail: before.detail.slice(0, 80) })}`);
      assert.equal(before.method, 'damp');
      assert.equal(Number(before.strength), 0.3);
      assert.match(before.heading, /Intervened \(Damp 30%\)/);
      assert.equal(before.selected, selectedId);
      assert.ok(before.detail.includes(selectedId), `the detail names ${selectedId}: ${before.detail.slice(0, 160)}`);
      await screenshot(page, 'state-01-before-reload');
    });
  });

  it('after Reload Window the panel shows Damp 30%, the same expert, the search and the prompt', async (t) => {
    await step(t, '02-reload', async () => {
      await runCommand(page, 'Developer: Reload Window');
      await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
      const status = await waitFor('the restored session (status bar)', RESTORE_TIMEOUT, async () => {
        const s = await statusIntervention();
        return s && /Damp 30%/.test(s) ? s : undefined;
      }, 500);
      log(`status bar after the reload: ${status}`);
      panel = await findFrame(page, tid(TestIds.expertsTable), PANEL_TIMEOUT, 'the revived experts panel');
      const after = await waitFor('the revived panel to show the kept state', RESTORE_TIMEOUT, async () => {
        const s = await shown(panel);
        return s.selected === selectedId && /AUROC/.test(s.detail) && s.method === 'damp' ? s : undefined;
      }, 500);
      log(`after the reload: ${JSON.stringify({ ...after, detail: after.detail.slice(0, 80) })}`);
      assert.equal(Number(after.strength), 0.3);
      assert.match(after.heading, /Intervened \(Damp 30%\)/);
      assert.equal(after.search, search);
      assert.equal(after.prompt, PROMPT);
      assert.ok(after.detail.includes(selectedId), `the detail is that expert's (${selectedId}): ${after.detail.slice(0, 160)}`);
      await screenshot(page, 'state-02-after-reload');
    });
  });
});
