// The editor side, end to end in code-server + Chromium (issue 23, item 3): Highlight Expert Activations
// on a selection, then the user's own gesture on the result: the mouse over a highlighted token, and a
// CLICK on the "expert neuron (opens in the panel)" link inside VS Code's hover widget. The panel must
// come up showing that neuron's detail (its title names the same `site:neuron` as the link). The
// panel is not open before the click, so the link also has to create it.
//
//   flock /tmp/aura-e2e.lock bash -c 'bash scripts/e2e/setup.sh && node --import tsx --test --test-reporter=spec test/e2e/editor.e2e.ts'
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { TestIds } from '../../src/shared/ids';
import { RESULTS, editorFor, findFrame, log, runCommand, screenshot, sleep, waitFor, type CodeServer } from './harness';
import { PANEL_TIMEOUT, endSession, failOnErrorNotification, openWorkspaceFile, selectLine, startSession, stepRunner, tid, useDemoModel } from './demo-session';

const FILE_NAME = 'insults.txt';
const FILE_TEXT = 'The weather was awful, and he said\nYou are a stupid idiot and a disgusting liar, shut up\n';
const HIGHLIGHT_TIMEOUT = 3 * 60_000;

describe('the editor side in code-server + Chromium', { timeout: 20 * 60_000 }, () => {
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const step = stepRunner('editor-', () => page);

  before(async () => {
    ({ server, browser, page } = await startSession({ [FILE_NAME]: FILE_TEXT }));
  });

  after(async () => {
    await endSession(server, browser);
  });

  it('opens the workspace, trusts it and loads the demo model', async (t) => {
    await step(t, '01-demo', async () => {
      await openWorkspaceFile(page, server!, FILE_NAME);
      await useDemoModel(page, 'the demo model and its profile');
      log(`webviews open before the click: ${await page.locator('iframe.webview').count()} (0: the link has to create the panel)`);
    });
  });

  it('clicking an expert link in a highlighted token\'s hover opens that neuron\'s detail in the panel', async (t) => {
    await step(t, '02-hover-link', async () => {
      const editor = editorFor(page, FILE_NAME);
      const lines = editor.locator('.view-lines');
      // The insult line, selected to its end.
      await selectLine(page, lines, 1);
      await runCommand(page, 'AurA: Highlight Expert Activations in Selection');
      const token = await waitFor('a highlighted token', HIGHLIGHT_TIMEOUT, async () => {
        await failOnErrorNotification(page);
        return strongestHighlight(lines);
      });
      log(`darkest highlight at (${Math.round(token.x)}, ${Math.round(token.y)}), alpha ${token.alpha}`);
      // Move the cursor off the selection so the hover is the decoration's, then hover the token.
      await page.keyboard.press('End');
      // VS Code's hover is sticky: the pointer may move from the token onto the hover and click there.
      // One jump straight onto the link (no path across other text), then a real press and release.
      const link = page.locator('.monaco-hover:not(.hidden) a', { hasText: /:\d+$/ }).first();
      const clicked = await waitFor('a click on an expert link in the hover', 90_000, async () => {
        await page.mouse.move(token.x, token.y + 200);
        await page.mouse.move(token.x, token.y, { steps: 3 });
        const box = await link.boundingBox({ timeout: 4_000 }).catch(() => null);
        if (!box) return undefined;
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
        // Still there under the pointer (the hover did not close on the way): read it, then click it.
        if (!(await link.isVisible().catch(() => false))) return undefined;
        const id = ((await link.innerText({ timeout: 1_000 }).catch(() => '')) || '').trim();
        const href = decodeURIComponent((await link.getAttribute('data-href', { timeout: 1_000 }).catch(() => null)) ?? (await link.getAttribute('href', { timeout: 1_000 }).catch(() => null)) ?? '');
        // The harness's screenshot() moves the pointer away (and so closes the hover): not that one here.
        await page.screenshot({ path: path.join(RESULTS, 'editor-01-hover.png') });
        if (!(await link.isVisible().catch(() => false))) return undefined;
        await page.mouse.down();
        await page.mouse.up();
        return { id, href };
      }, 500);
      const { id, href } = clicked;
      log(`clicked hover link: ${id} -> ${href}`);
      assert.match(id, /^[^\s:]+(:[^\s:]+)*:\d+$/, 'the link names an expert as site:neuron');
      assert.match(href, /^command:aura\.openExpertsPanel\?/);
      const panel = await findFrame(page, tid(TestIds.neuronDetail), PANEL_TIMEOUT, 'the experts panel');
      const detail = panel.locator(tid(TestIds.neuronDetail));
      const shown = await waitFor(`the panel's neuron detail to show ${id}`, PANEL_TIMEOUT, async () => {
        const title = ((await detail.locator('.detail-title code').first().innerText({ timeout: 1_000 }).catch(() => '')) || '').trim();
        return title === id && /AUROC/.test(await detail.innerText()) ? title : undefined;
      }, 500).catch(async (e: Error) => {
        throw new Error(`${e.message}; the detail read: ${JSON.stringify((await detail.innerText().catch(() => '')).slice(0, 200))}`);
      });
      log(`the panel shows ${shown}`);
      await sleep(500);
      await screenshot(page, 'editor-02-detail-from-hover');
    });
  });
});

/** The highlighted token with the darkest background (the heat decorations' rgba(230, 80, 50, a)), with its centre. */
async function strongestHighlight(lines: Locator): Promise<{ alpha: number; x: number; y: number } | undefined> {
  // Decorations' backgrounds are separate elements in the view-overlays layer under the text; they are
  // found by colour and the token is the text over them.
  const editor = lines.locator('xpath=ancestor::div[contains(@class,"monaco-editor")][1]');
  const found = await editor.locator('.view-overlays div, .view-lines span').evaluateAll((els: unknown[]) => {
    type El = { getBoundingClientRect(): { x: number; y: number; width: number; height: number } };
    const g = globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } };
    let best: { alpha: number; x: number; y: number } | undefined;
    for (const e of els) {
      const m = /rgba\(230, 80, 50, ([\d.]+)\)/.exec(g.getComputedStyle(e).backgroundColor);
      if (!m) continue;
      const r = (e as El).getBoundingClientRect();
      const alpha = Number(m[1]);
      if (r.width > 2 && (!best || alpha > best.alpha)) best = { alpha, x: r.x + r.width / 2, y: r.y + r.height / 2 };
    }
    return best;
  });
  return found;
}
