// Issue 23 items 9 and 10, host side, in a real extension host: Import Intervention is read and fitted
// by the fit worker (the host thread only takes the result), the evaluation report opens in the
// Markdown preview, and the "demo model ready" notification offers Open Experts Panel only while the
// panel is closed. Runs after the other files, with their demo model and profile open.
/// <reference types="mocha" />
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { Commands, PANEL_VIEW_TYPE } from '../../../src/shared/ids';
import { FIXTURE } from '../fixture-names';
import { SLOW, api, workspaceUri } from './vscode-helpers';

const allTabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs);
const webviewTabs = (viewType: string) => allTabs().filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.includes(viewType));

async function until(what: string, ok: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    assert.ok(Date.now() < end, `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

suite('Words, the report preview and Import off the host thread', function () {
  this.timeout(SLOW);

  // Alone (AURA_IT_GREP=Words) nothing is open yet: the demo model and its cached profile are enough.
  suiteSetup(async () => {
    const a = await api();
    if (!a.model()) await vscode.commands.executeCommand(Commands.useDemoModel);
    assert.ok(a.model(), `a model is open (last problem: ${a.testing.lastProblem()})`);
  });

  test('Import Intervention is read and fitted by the fit worker, and the file\'s settings return', async () => {
    const a = await api();
    a.testing.setIntervention({ method: 'damp', strength: 0.4, k: 5, alpha: 0.25 });
    const exported = a.testing.intervention();
    const file = workspaceUri(`${FIXTURE.exports}/words-damp.json`);
    await vscode.commands.executeCommand(Commands.exportIntervention, 'json', file);
    a.testing.setIntervention({ method: 'aura', strength: 1 });
    const before = a.testing.fitWorker().imports;
    await vscode.commands.executeCommand(Commands.importIntervention, file);
    assert.equal(a.testing.fitWorker().imports, before + 1, `the fit worker answered the import (last problem: ${a.testing.lastProblem()})`);
    const iv = a.testing.intervention();
    assert.deepEqual([iv.method, iv.strength, iv.k, iv.alpha, iv.affected], ['damp', 0.4, 5, 0.25, exported.affected]);
    assert.equal(iv.importedFrom, file.fsPath);
    assert.ok(a.testing.logLines().some((l) => l.includes(`imported damp intervention from ${file.fsPath}`)));
  });

  test('Evaluate Intervention opens the report in the Markdown preview, not as source', async () => {
    const uri = await vscode.commands.executeCommand<vscode.Uri | undefined>(Commands.evaluateIntervention, { prompts: workspaceUri(FIXTURE.prompts).fsPath, samples: 1 });
    assert.ok(uri, 'the command returns the report');
    const a = await api();
    assert.ok(a.testing.logLines().some((l) => l.includes('the evaluation report is open in the Markdown preview')), `opened as preview (log: ${a.testing.logLines().slice(-3).join(' | ')})`);
    await until('a Markdown preview tab', () => webviewTabs('markdown.preview').length > 0);
    const preview = webviewTabs('markdown.preview')[0]!;
    assert.match(preview.label, /AurA evaluation/, `the preview is the report's (${preview.label})`);
    assert.ok(!vscode.window.visibleTextEditors.some((e) => e.document.uri.toString() === uri.toString()), 'no editor shows the Markdown source');
    await vscode.window.tabGroups.close(preview);
  });

  test('"demo model ready" offers Open Experts Panel only while the panel is closed', async () => {
    const a = await api();
    // The notification is logged with the actions it offers, in brackets.
    const readyLines = () => a.testing.logLines().filter((l) => l.includes('demo model ready'));
    await vscode.commands.executeCommand(Commands.openExpertsPanel);
    await until('the experts panel', () => webviewTabs(PANEL_VIEW_TYPE).length > 0);
    const n = readyLines().length;
    await vscode.commands.executeCommand(Commands.useDemoModel);
    assert.equal(readyLines().length, n + 1, `the notification is logged (last problem: ${a.testing.lastProblem()})`);
    const open = readyLines().at(-1)!;
    assert.doesNotMatch(open, /\[Open Experts Panel\]/, open);
    assert.match(open, /the experts panel shows them/);
    await vscode.window.tabGroups.close(webviewTabs(PANEL_VIEW_TYPE));
    await until('the panel to close', () => webviewTabs(PANEL_VIEW_TYPE).length === 0);
    await vscode.commands.executeCommand(Commands.useDemoModel);
    assert.equal(readyLines().length, n + 2);
    assert.match(readyLines().at(-1)!, /\[Open Experts Panel\]$/);
  });
});
