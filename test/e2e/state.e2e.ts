// State that survives Reload Window (issue 23 item 4), in code-server + Chromium with the packaged
// .vsix: the demo model, the experts panel set to Damp 30% with an expert selected, a filter typed and
// a prompt typed; then "Developer: Reload Window". The panel comes back by itself (its serializer), the
// model and profile are restored, and the page must show Damp 30% (method picker, slider, the preview's
// heading and the status bar), the same expert selected with its detail, the search and the prompt.
//
//   flock /tmp/aura-e2e.lock bash -c 'bash scripts/e2e/setup.sh && node --import tsx --test --test-reporter=spec test/e2e/state.e2e.ts'
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Frame, Page } from 'playwright-core';
import { TestIds } from '../../src/shared/ids';
import { findFrame, log, runCommand, screenshot, waitFor, type CodeServer } from './harness';
import {
  PANEL_TIMEOUT,
  auraStatusOrError,
  auraStatusTexts,
  endSession,
  openExpertsPanel,
  openWorkspaceFile,
  startSession,
  stepRunner,
  tid,
  useDemoModel,
} from './demo-session';

const FILE_NAME = 'notes.txt';
const FILE_TEXT = 'The weather was awful, and he said\n';
const RESTORE_TIMEOUT = 5 * 60_000;
const PROMPT = 'Kept across a reload:';

describe('State that survives Reload Window (code-server + Chromium, packaged .vsix)', { timeout: 30 * 60_000 }, () => {
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let panel: Frame;
  /** What the page showed before the reload: the selected row's id and the detail's first line. */
  let selectedId = '';
  /** The search typed: the selected expert's site, so its row stays in the table. */
  let search = '';

  const step = stepRunner('state-', () => page);
  const statusIntervention = () => auraStatusOrError(page);

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
    ({ server, browser, page } = await startSession({ [FILE_NAME]: FILE_TEXT }, { resetResults: true }));
  });

  after(async () => {
    await endSession(server, browser);
  });

  it('sets Damp 30%, selects an expert, types a search and a prompt', async (t) => {
    await step(t, '01-set-up', async () => {
      await openWorkspaceFile(page, server!, FILE_NAME);
      log(`demo model ready: ${await useDemoModel(page, 'the demo model')}`);
      ({ panel } = await openExpertsPanel(page));
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
        seen = await auraStatusTexts(page);
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
