// The experts panel beside the editor (issue 23, item 5), measured in a real workbench: code-server at
// 1600x1000 in Chromium, a text file in the first editor group and the panel opened beside it (about
// 780 px). With the panel scrolled to the top, the first table row and the strength slider lie inside
// the panel's first viewport (boundingBox against the webview's own box), the intervened preview starts
// there, and the model name (header,
// Overview line, Overview's model figure) and the "Held-out" header with its sort arrow are not cut
// (scrollWidth <= clientWidth), in the dark and in the light theme. Screenshots:
// test-results/e2e/panel-beside-editor.png (dark, the README's picture) and panel-beside-editor-light.png.
//
//   flock /tmp/aura-e2e.lock bash -c 'bash scripts/e2e/setup.sh && node --import tsx --test --test-reporter=spec test/e2e/layout.e2e.ts'
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Frame, Page } from 'playwright-core';
import { TestIds } from '../../src/shared/ids';
import { RESULTS, log, runCommand, screenshot, sleep, waitFor, type CodeServer } from './harness';
import { PANEL_TIMEOUT, endSession, openExpertsPanel, openWorkspaceFile, startSession, tid, useDemoModel } from './demo-session';

/** The page's globals, typed here (this file compiles without the DOM library). */
interface PageEl {
  scrollWidth: number;
  clientWidth: number;
  textContent: string | null;
}
type PageGlobals = { scrollTo(x: number, y: number): void; document: { querySelector(s: string): PageEl | null } };
const scrollTop = (f: Frame) => f.evaluate(() => (globalThis as unknown as PageGlobals).scrollTo(0, 0));
const FILE_NAME = 'notes.txt';
const VIEWPORT = { width: 1600, height: 1000 };

describe('the experts panel beside the editor at 1600x1000', { timeout: 20 * 60_000 }, () => {
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let panel: Frame;

  before(async () => {
    ({ server, browser, page } = await startSession({ [FILE_NAME]: 'You are a stupid idiot and a disgusting liar, shut up\n' }, { viewport: VIEWPORT }));
  });

  after(async () => {
    if (page) await screenshot(page, 'layout-last').catch(() => {});
    await endSession(server, browser);
  });

  it('opens the demo model and the panel beside the editor', async () => {
    await openWorkspaceFile(page, server!, FILE_NAME);
    await useDemoModel(page);
    ({ panel } = await openExpertsPanel(page));
    await panel.locator(tid(TestIds.strength)).waitFor({ timeout: 30_000 });
    // A preview with text, so the picture shows what the panel is for.
    await panel.locator(tid(TestIds.previewRun)).click();
    await waitFor('the intervened preview', PANEL_TIMEOUT, async () => ((await panel.locator(tid(TestIds.previewIntervened)).innerText()).trim() || undefined)).catch((e: Error) => log(`(no preview text: ${e.message})`));
  });

  for (const theme of ['dark', 'light'] as const) {
    it(`${theme}: the first table row and the strength slider are on the first screen; names and headers are not cut`, async () => {
      if (theme === 'light') {
        await runCommand(page, 'Preferences: Color Theme');
        await page.keyboard.type('Light Modern');
        await sleep(500);
        await page.keyboard.press('Enter');
        await sleep(1500);
      }
      await scrollTop(panel);
      const frameBox = await (await panel.frameElement()).boundingBox();
      assert.ok(frameBox, 'the panel has a box');
      log(`${theme}: panel ${Math.round(frameBox.width)}x${Math.round(frameBox.height)} at x=${Math.round(frameBox.x)}`);
      assert.ok(frameBox.width >= 700 && frameBox.width <= 860, `the panel beside the editor is ${frameBox.width} px wide (about 780 expected)`);
      const bottom = frameBox.y + frameBox.height;
      for (const [what, sel] of [
        ['the first table row', `${tid(TestIds.expertsTable)} ${tid(TestIds.expertRow)}`],
        ['the strength slider', tid(TestIds.strength)],
      ] as const) {
        const box = await panel.locator(sel).first().boundingBox();
        assert.ok(box, `${what} has a box`);
        log(`${theme}: ${what} at y=${Math.round(box.y - frameBox.y)}..${Math.round(box.y + box.height - frameBox.y)} of ${Math.round(frameBox.height)}`);
        assert.ok(box.y >= frameBox.y && box.y + box.height <= bottom, `${what} (y ${Math.round(box.y)}..${Math.round(box.y + box.height)}) is not inside the panel's first screen (${Math.round(frameBox.y)}..${Math.round(bottom)})`);
      }
      // The preview beside the controls: its intervened text starts on the first screen too.
      const intervened = await panel.locator(tid(TestIds.previewIntervened)).boundingBox();
      assert.ok(intervened, 'the intervened preview has a box');
      log(`${theme}: the intervened preview starts at y=${Math.round(intervened.y - frameBox.y)}`);
      assert.ok(intervened.y + 20 <= bottom, `the intervened preview starts at ${Math.round(intervened.y - frameBox.y)} px, below the panel's first screen (${Math.round(frameBox.height)} px)`);
      // Sorted by Held-out, so its header carries the arrow; the Overview opened, so its model figure is laid out.
      const held = panel.locator('.row.head [data-column="heldOut"]');
      if ((await held.getAttribute('aria-sort')) === 'none') await held.click();
      assert.match(await held.innerText(), /Held-out [▲▼]/);
      const details = panel.locator(`${tid(TestIds.summary)} details`);
      if (!(await details.evaluate((d) => (d as unknown as { open: boolean }).open))) await panel.locator(tid('overview-toggle')).click();
      const cut = await panel.evaluate(() =>
        ['.model-name', '[data-testid="overview-line"]', '[data-testid="summary-model"]', '.row.head [data-column="heldOut"]'].flatMap((sel) => {
          const el = (globalThis as unknown as PageGlobals).document.querySelector(sel);
          if (!el) return [`${sel}: missing`];
          return el.scrollWidth > el.clientWidth || el.clientWidth === 0 ? [`${sel}: scrollWidth ${el.scrollWidth} > clientWidth ${el.clientWidth} (${JSON.stringify(el.textContent)})`] : [];
        }),
      );
      assert.deepEqual(cut, [], 'no name or header is cut');
      // Back to the panel as a user first sees it: Overview collapsed, ranked by AUROC.
      await panel.locator(tid('overview-toggle')).click();
      await panel.locator('.row.head [data-column="rank"]').click();
      await scrollTop(panel);
      await screenshot(page, theme === 'dark' ? 'panel-beside-editor' : 'panel-beside-editor-light');
      log(`screenshots in ${RESULTS}`);
    });
  }
});
