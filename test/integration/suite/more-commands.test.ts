// The commands extension.test.ts does not reach: Add Selection as Toxic / Non-toxic Example (then a
// profile of exactly those examples), Open Profile Folder on a folder the CLI made (and on one that is
// not a profile), and Sweep Strengths (every arm at every strength, drawn in the panel). Runs after
// extension.test.ts, whose demo model is open.
/// <reference types="mocha" />
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import { Commands } from '../../../src/shared/ids';
import { heldOutSplit } from '../../../src/aura/stats/split';
import { PANEL_HELD_OUT } from '../../../src/host/model-host/panel-stats';
import { FIXTURE } from '../fixture-names';
import { EXTENSION_ID, SLOW, api, resetNotes, workspaceUri } from './vscode-helpers';

const run = promisify(execFile);

/** Selects lines [from, to] of notes.txt whole (one line when to is omitted). */
async function selectLines(from: number, to = from): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(workspaceUri(FIXTURE.notes));
  const editor = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preview: false });
  await resetNotes(doc);
  editor.selection = new vscode.Selection(doc.lineAt(from).range.start, doc.lineAt(to).range.end);
  return editor;
}

/**
 * Experts (AUROC > 0.5) as the panel ranks them, recomputed from the folder's raw max-pooled responses:
 * the panel ranks on the ranking part of its held-out split (the held-out column is measured on the
 * rest), so the AUROC of each neuron is a Mann-Whitney count over that part's toxic x non-toxic pairs,
 * ties counting one half.
 */
function expertsOnDisk(dir: string): number {
  const { labels } = JSON.parse(readFileSync(path.join(dir, 'order.json'), 'utf8')) as { labels: number[] };
  const posRows = labels.flatMap((l, i) => (l === 1 ? [i] : []));
  const negRows = labels.flatMap((l, i) => (l === 0 ? [i] : []));
  const split = heldOutSplit(posRows.length, negRows.length, PANEL_HELD_OUT, 0);
  const pos = [...split.pos.rank].map((r) => posRows[r]!);
  const neg = [...split.neg.rank].map((r) => negRows[r]!);
  let experts = 0;
  for (const f of readdirSync(path.join(dir, 'responses')).filter((f) => f.endsWith('.max.f32'))) {
    const b = readFileSync(path.join(dir, 'responses', f));
    const m = new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
    const n = m.length / labels.length;
    for (let j = 0; j < n; j++) {
      let wins = 0;
      for (const p of pos) for (const q of neg) wins += m[p * n + j]! > m[q * n + j]! ? 1 : m[p * n + j] === m[q * n + j] ? 0.5 : 0;
      if (wins / (pos.length * neg.length) > 0.5) experts++;
    }
  }
  return experts;
}

suite('The commands the first suite does not reach', function () {
  this.timeout(SLOW);

  test('Add Selection as Toxic / Non-toxic Example gathers one example a line, once each; Profile Concept profiles exactly those', async () => {
    const a = await api();
    assert.ok(a.model(), 'the first suite left a model open');
    const lines = FIXTURE.notesText.split('\n');
    await selectLines(2);
    await vscode.commands.executeCommand(Commands.addSelectionAsToxic);
    // A selection over two lines is two examples, as in a text dataset.
    await selectLines(0, 1);
    await vscode.commands.executeCommand(Commands.addSelectionAsNonToxic);
    // The same sentence with the same label again is not a second example.
    await selectLines(2);
    await vscode.commands.executeCommand(Commands.addSelectionAsToxic);
    assert.deepEqual(a.testing.examples(), [
      { text: lines[2], label: 1 },
      { text: lines[0], label: 0 },
      { text: lines[1], label: 0 },
    ]);
    const before = a.testing.lastProblem();
    await vscode.commands.executeCommand(Commands.profileConcept, 'gathered-examples');
    const problem = a.testing.lastProblem();
    assert.deepEqual(a.testing.profile(), { positives: 1, negatives: 2 }, `the gathered examples were profiled${problem !== before ? `; the extension said: ${problem}` : ''}`);
  });

  test('Open Profile Folder opens a profile the CLI made: its examples and its experts; a folder that is not a profile is refused by name', async () => {
    const a = await api();
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const out = workspaceUri('profiles/from-cli').fsPath;
    // The CLI as a user runs it, on the model the extension has open (the demo model).
    const { stdout } = await run(
      process.execPath,
      [path.join(ext.extensionPath, 'bin', 'aura-lens.js'), 'profile', path.join(ext.extensionPath, 'media', 'demo', 'model'), '--data', workspaceUri(FIXTURE.concept).fsPath, '--max-per-class', '40', '--out', out, '--json'],
      { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, maxBuffer: 64 << 20 },
    );
    const cli = JSON.parse(stdout) as { positives: number; negatives: number };
    assert.deepEqual([cli.positives, cli.negatives], [40, 40], 'the CLI took 40 of each class');
    await vscode.commands.executeCommand(Commands.openProfileFolder, vscode.Uri.file(out));
    assert.deepEqual(a.testing.profile(), { positives: cli.positives, negatives: cli.negatives });
    assert.equal(a.expertCount(), expertsOnDisk(out), 'the panel ranks the folder\'s own responses (max pooling, the default; ranking part)');

    const before = a.testing.lastProblem();
    await vscode.commands.executeCommand(Commands.openProfileFolder, workspaceUri(FIXTURE.emptyFolder));
    const problem = a.testing.lastProblem();
    assert.notEqual(problem, before, 'a problem was reported');
    assert.match(problem ?? '', /empty/, `the message names the folder: ${problem}`);
    assert.deepEqual(a.testing.profile(), { positives: cli.positives, negatives: cli.negatives }, 'the open profile stays');
  });

  test('Sweep Strengths evaluates every arm at every strength and the panel draws exactly those points', async () => {
    const a = await api();
    const r = await vscode.commands.executeCommand<{ points: { method: string; control: string | null; strength: number; toxicity: { meanToxicity: number } }[]; arms: unknown[] } | undefined>(
      Commands.sweepStrengths,
      { prompts: workspaceUri(FIXTURE.prompts).fsPath, samples: 1, maxPrompts: 2, strengths: [0, 1] },
    );
    assert.ok(r, 'the command returns the sweep');
    const arms = new Set(r.points.filter((p) => p.strength === 1).map((p) => `${p.method}/${p.control ?? '-'}`));
    assert.equal(arms.size, r.arms.length, 'each arm has its point at strength 1');
    assert.ok([...arms].some((k) => k.endsWith('/random')) && [...arms].some((k) => k.startsWith('aura/-')), `AurA and its random control: ${[...arms].join(', ')}`);
    // At strength 0 every arm is the model itself: the same continuations, hence one score.
    const zero = new Set(r.points.filter((p) => p.strength === 0).map((p) => p.toxicity.meanToxicity));
    assert.ok(zero.size === 1, `strength 0 scores: ${[...zero].join(', ')}`);
    for (const p of r.points) assert.ok(p.toxicity.meanToxicity >= 0 && p.toxicity.meanToxicity <= 1, `${p.method} ${p.strength}: ${p.toxicity.meanToxicity}`);
    const shown = a.testing.panelSweep();
    assert.ok(shown, 'the panel shows the sweep');
    assert.equal(shown.points.length, r.points.length, 'every point is drawn');
  });
});
