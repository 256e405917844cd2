// Nothing stale shown as current (issue 23, items 1-2), in a real VS Code: Import Intervention reruns
// the panel's preview, whose heading and text are then the imported intervention's (the text checked
// against a run started afresh under it, same seed); after a second profile the open neuron detail
// shows that profile's AUROC (the one its ranking row has), and the sweep made before is marked out of
// date. Builds on the suite files before it only for speed: it opens the demo model itself.
/// <reference types="mocha" />
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { Commands } from '../../../src/shared/ids';
import { FIXTURE } from '../fixture-names';
import { EXTENSION_ID, SLOW, api, selectLine, workspaceUri } from './vscode-helpers';
import type { PreviewSnapshot } from '../../../src/shared/protocol';

async function until(ok: () => boolean, what: () => string, ms = 180_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    assert.ok(Date.now() < end, what());
    await new Promise((r) => setTimeout(r, 100));
  }
}

suite('Nothing stale shown as current', function () {
  this.timeout(SLOW);

  suiteSetup(async function () {
    this.timeout(SLOW);
    await api();
    await vscode.commands.executeCommand(Commands.useDemoModel);
    await vscode.commands.executeCommand(Commands.openExpertsPanel);
  });

  test('Import Intervention reruns the preview: the new heading comes with the new text', async () => {
    const a = await api();
    a.testing.setIntervention({ method: 'det0', strength: 1, k: 3 });
    const file = workspaceUri(`${FIXTURE.exports}/stale-det0.json`);
    await vscode.commands.executeCommand(Commands.exportIntervention, 'json', file);
    a.testing.setIntervention({ method: 'aura', strength: 1, k: null, alpha: null });
    await selectLine(0);
    const before = await vscode.commands.executeCommand<PreviewSnapshot | undefined>(Commands.testSelection);
    await vscode.commands.executeCommand(Commands.dismissPreview);
    assert.ok(before && !before.error, `a first preview: ${before?.error}`);
    assert.match(before.madeWith?.interventionLabel ?? '', /^AurA 100%/);

    const rerun = a.testing.nextPreview();
    await vscode.commands.executeCommand(Commands.importIntervention, file);
    const after = await rerun;
    assert.ok(after.runId > before.runId, 'the preview ran again without Run being pressed');
    assert.equal(after.prompt, before.prompt);
    assert.match(after.madeWith?.interventionLabel ?? '', /^Det0 100%.*imported/, 'the heading names the imported intervention');
    assert.equal(after.madeWith?.intervention, a.testing.intervention().revision, 'made with the intervention in force now');

    // The text is the imported intervention's: a run started now (same seed) gives exactly it.
    await selectLine(0);
    const fresh = await vscode.commands.executeCommand<PreviewSnapshot | undefined>(Commands.testSelection);
    await vscode.commands.executeCommand(Commands.dismissPreview);
    assert.ok(fresh && !fresh.error);
    assert.equal(fresh.madeWith?.intervention, after.madeWith?.intervention);
    assert.equal(after.intervened, fresh.intervened);
    assert.equal(after.original, before.original);
    a.testing.setIntervention({ method: 'aura', strength: 1, k: null, alpha: null });
  });

  test('a second profile: the open neuron detail shows its AUROC, and the sweep made before is marked out of date', async () => {
    const a = await api();
    // The first profile: the workspace's concept slice.
    await vscode.commands.executeCommand(Commands.profileConcept, workspaceUri(FIXTURE.concept));
    await vscode.commands.executeCommand(Commands.sweepStrengths, { prompts: workspaceUri(FIXTURE.prompts).fsPath, samples: 1, maxPrompts: 2, strengths: [0, 1] });
    assert.ok(a.testing.panelSweep(), 'the panel shows the sweep');
    assert.equal(a.testing.panelOutOfDate()?.sweep, undefined, 'made with the open profile: current');

    const top = a.testing.expertAt(0);
    assert.ok(top, 'the profile ranks experts');
    await vscode.commands.executeCommand(Commands.openExpertsPanel, { site: top.site, neuron: top.neuron });
    await until(
      () => a.testing.panelDetail()?.site === top.site && a.testing.panelDetail()?.neuron === top.neuron,
      () => `the panel shows ${top.site}:${top.neuron} (last problem: ${a.testing.lastProblem()})`,
    );
    const first = a.testing.panelDetail()!;
    assert.equal(first.auroc, top.auroc, 'the detail has its row\'s AUROC');

    // The second profile: the demo's concept data, another set of texts.
    const demo = vscode.Uri.joinPath(vscode.extensions.getExtension(EXTENSION_ID)!.extensionUri, 'media', 'demo', 'concept.jsonl');
    await vscode.commands.executeCommand(Commands.profileConcept, demo);
    await until(
      () => a.testing.panelDetail()?.madeWith?.profile !== first.madeWith?.profile,
      () => `the open detail is computed again from the second profile (it is still ${JSON.stringify(a.testing.panelDetail()?.madeWith)}; last problem: ${a.testing.lastProblem()})`,
    );
    const second = a.testing.panelDetail()!;
    assert.deepEqual([second.site, second.neuron], [top.site, top.neuron], 'the same neuron');
    const row = a.testing.expertAuroc(top.site, top.neuron);
    assert.equal(second.auroc, row, `the detail's AUROC is its row's in the second profile (${second.auroc} vs ${row}; the first profile had ${first.auroc})`);
    assert.match(a.testing.panelOutOfDate()?.sweep ?? '', /out of date \(the profile has changed since\)/);
  });
});
