// In a real VS Code (the Node extension host of code-server, or a desktop VS Code from
// @vscode/test-electron): every command end to end through the `vscode` API, each result checked.
// Commands that show dialogs take their file arguments here (see src/commands/index.ts); what the editor
// and the panel show is read through AuraApi.testing (src/extension.ts). The tests run in order and
// build on each other (demo model, then a profile of the workspace's JSONL file, then previews).
/// <reference types="mocha" />
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { Commands } from '../../../src/shared/ids';
import { FIXTURE } from '../fixture-names';
import { SLOW, api, oneLine, readText, resetNotes, selectLine, workspaceUri } from './vscode-helpers';
import type { PreviewSnapshot } from '../../../src/shared/protocol';

suite('Every command through the vscode API', function () {
  // Each test waits on the model process (profiles, generations) on a machine that may be two busy cores.
  this.timeout(SLOW);

  test('the extension activates and registers every command', async () => {
    const a = await api();
    assert.equal(typeof a.model, 'function');
    const all = new Set(await vscode.commands.getCommands(true));
    for (const id of Object.values(Commands)) assert.ok(all.has(id), id);
  });

  test('Open Model Folder on folders that are not models loads nothing and says why, naming the folder', async () => {
    const a = await api();
    const cases = [
      { folder: FIXTURE.emptyFolder, reason: /onnx|model/i },
      { folder: FIXTURE.garbageFolder, reason: /onnx|protobuf|parse|model|tokenizer/i },
      { folder: FIXTURE.missingFolder, reason: /no such model folder/i },
    ];
    for (const c of cases) {
      const before = a.testing.lastProblem();
      await vscode.commands.executeCommand(Commands.openModelFolder, workspaceUri(c.folder));
      assert.equal(a.model(), undefined, `${c.folder}: no model is open`);
      const problem = a.testing.lastProblem();
      assert.notEqual(problem, before, `${c.folder}: a problem was reported`);
      assert.ok(problem!.includes(c.folder.split('/').pop()!), `${c.folder}: the message names the folder: ${problem}`);
      assert.match(problem!, c.reason, `${c.folder}: ${problem}`);
    }
  });

  test('Use Demo Model loads the embedded model and ranks its experts', async () => {
    const a = await api();
    await vscode.commands.executeCommand(Commands.useDemoModel);
    assert.equal(a.model()?.isDemo, true);
    assert.ok((a.expertCount() ?? 0) > 0, 'experts were found');
    const iv = a.testing.intervention();
    assert.equal(iv.method, 'aura');
    assert.equal(iv.strength, 1);
    assert.ok(iv.affected > 0);
  });

  test('Profile Concept on a JSONL file profiles exactly its toxic and non-toxic lines', async () => {
    const a = await api();
    const file = workspaceUri(FIXTURE.concept);
    const rows = (await readText(file)).split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { label: string });
    const positives = rows.filter((r) => r.label === 'toxic').length;
    const negatives = rows.filter((r) => r.label === 'non-toxic').length;
    assert.equal(positives + negatives, rows.length, 'the fixture has only the two labels');
    await vscode.commands.executeCommand(Commands.profileConcept, file);
    assert.deepEqual(a.testing.profile(), { positives, negatives });
    assert.ok((a.expertCount() ?? 0) > 0, 'experts were found');
    await vscode.commands.executeCommand(Commands.openExpertsPanel);
  });

  let firstRun: PreviewSnapshot | undefined;

  test('Test Prompt From Selection: the inline text is the panel\'s intervened text, labelled with method and strength', async () => {
    const a = await api();
    const editor = await selectLine(0);
    const selectionEnd = editor.selection.end;
    const r = await vscode.commands.executeCommand<PreviewSnapshot | undefined>(Commands.testSelection);
    assert.ok(r, 'the command returns the finished run');
    assert.equal(r.done, true);
    assert.equal(r.error, undefined);
    assert.equal(r.prompt, editor.document.lineAt(0).text);
    assert.ok(r.intervened.length > 0 && r.original.length > 0, 'both continuations are there');
    const panel = a.testing.panelPreview();
    const inline = a.testing.inlinePreview();
    assert.ok(panel && inline, 'the panel and the editor show a preview');
    assert.equal(inline.intervened, panel.intervened, 'inline text = the panel\'s intervened text');
    assert.equal(inline.original, panel.original, 'the hover\'s original = the panel\'s original');
    assert.equal(inline.label, 'AurA 100%');
    assert.equal(inline.done, true);
    assert.deepEqual([inline.line, inline.character], [selectionEnd.line, selectionEnd.character], 'shown right after the selection');
    const shown = inline.rendered.endsWith('…') ? inline.rendered.slice(0, -1) : inline.rendered;
    assert.ok(oneLine(inline.intervened).startsWith(shown), `the ghost text is the continuation, maybe cut: ${JSON.stringify(inline.rendered)}`);
    assert.ok(editor.document.lineAt(0).text.length + inline.rendered.length <= 80 || inline.rendered.length <= 24, 'cut at the edge (80 columns)');
    firstRun = r;
  });

  test('Accept (Tab\'s command) inserts the intervened text after the selection; Dismiss (Escape\'s) removes the preview', async () => {
    const a = await api();
    const editor = await selectLine(0);
    await vscode.commands.executeCommand(Commands.testSelection);
    const inline = a.testing.inlinePreview();
    assert.ok(inline);
    const line0 = editor.document.lineAt(0).text;
    const before = editor.document.getText();
    await vscode.commands.executeCommand(Commands.acceptPreview);
    assert.equal(a.testing.inlinePreview(), undefined, 'the preview is gone after accepting');
    const offset = editor.document.offsetAt(new vscode.Position(0, line0.length));
    assert.equal(editor.document.getText(), before.slice(0, offset) + inline.intervened + before.slice(offset));
    await resetNotes(editor.document);

    await selectLine(1);
    await vscode.commands.executeCommand(Commands.testSelection);
    assert.ok(a.testing.inlinePreview(), 'a new preview');
    await vscode.commands.executeCommand(Commands.dismissPreview);
    assert.equal(a.testing.inlinePreview(), undefined, 'dismissed');
    assert.equal(editor.document.getText(), FIXTURE.notesText, 'the document is unchanged');
  });

  test('strength 0 (the panel\'s slider) reruns the preview, and its intervened text equals the original', async () => {
    const a = await api();
    await selectLine(0);
    await vscode.commands.executeCommand(Commands.testSelection);
    const rerun = a.testing.nextPreview();
    a.testing.setIntervention({ strength: 0 });
    const p = await rerun;
    assert.equal(a.testing.intervention().affected, 0, 'no neuron is changed at strength 0');
    assert.equal(p.prompt, FIXTURE.notesText.split('\n')[0]);
    assert.equal(p.intervened, p.original, 'the panel shows the original at strength 0');
    if (firstRun) assert.equal(p.original, firstRun.original, 'the original does not depend on the intervention');
    await selectLine(0);
    const r = await vscode.commands.executeCommand<PreviewSnapshot | undefined>(Commands.testSelection);
    const inline = a.testing.inlinePreview();
    assert.ok(r && inline);
    assert.equal(inline.label, 'AurA 0%');
    assert.equal(inline.intervened, inline.original, 'the inline text at strength 0 is the original');
    a.testing.setIntervention({ strength: 1 });
    await vscode.commands.executeCommand(Commands.dismissPreview);
  });

  test('Highlight Expert Activations colours tokens of the selection, strongest at the top level, with a legend', async () => {
    const a = await api();
    const editor = await selectLine(2);
    const sel = { start: editor.document.offsetAt(editor.selection.start), end: editor.document.offsetAt(editor.selection.end) };
    await vscode.commands.executeCommand(Commands.highlightActivations);
    const h = a.testing.highlights();
    assert.ok(h, 'highlights are shown');
    assert.equal(h.uri, editor.document.uri.toString());
    assert.ok(h.tokens.length >= 5, `tokens were scored: ${h.tokens.length}`);
    for (const t of h.tokens) assert.ok(t.start >= sel.start && t.end <= sel.end && t.start <= t.end, `token ${t.start}-${t.end} inside the selection`);
    const max = Math.max(...h.tokens.map((t) => t.score));
    assert.equal(h.max, max);
    assert.ok(max > 0, 'the experts fire on an insult');
    for (const t of h.tokens) if (t.score === max) assert.equal(t.level, 5, 'the strongest token takes the top level');
    assert.ok(h.tokens.some((t) => t.level === 0), 'weak tokens stay plain');
    assert.match(h.legend, new RegExp(`${Math.round(max * 100)}%`));
    await vscode.commands.executeCommand(Commands.dismissPreview);
    assert.equal(a.testing.highlights(), undefined, 'Escape\'s command clears them');
  });

  test('A highlight hover\'s expert link, run as VS Code runs a command URI, opens that expert\'s detail in the panel', async () => {
    const a = await api();
    await selectLine(2);
    await vscode.commands.executeCommand(Commands.highlightActivations);
    const h = a.testing.highlights();
    assert.ok(h, 'highlights are shown');
    const strongest = h.tokens.reduce((best, t) => (t.score > best.score ? t : best));
    assert.ok(strongest.hover, 'the strongest token has a hover');
    // The hover's first table row: [`site:neuron`](command:aura.openExpertsPanel?<encoded JSON args>).
    const link = /\[`([^`]+):(\d+)`\]\(command:([^?)]+)\?([^)]+)\)/.exec(strongest.hover);
    assert.ok(link, `the hover links an expert: ${oneLine(strongest.hover)}`);
    const [, site, neuron, id, query] = link;
    assert.equal(id, Commands.openExpertsPanel);
    assert.ok(strongest.trustedCommands?.includes(id!), 'the hover trusts exactly the command it links');
    // VS Code's opener runs `command:ID?QUERY` as executeCommand(ID, ...JSON.parse(decodeURIComponent(QUERY))).
    const parsed: unknown = JSON.parse(decodeURIComponent(query!));
    const args = Array.isArray(parsed) ? parsed : [parsed];
    assert.deepEqual(args, [{ site, neuron: Number(neuron) }], 'the link carries the expert it names');
    await vscode.commands.executeCommand(id!, ...args);
    const until = Date.now() + 120_000;
    while (a.testing.panelNeuron()?.site !== site || a.testing.panelNeuron()?.neuron !== Number(neuron)) {
      assert.ok(Date.now() < until, `the panel shows ${site}:${neuron} (it shows ${JSON.stringify(a.testing.panelNeuron())}; last problem: ${a.testing.lastProblem()})`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await vscode.commands.executeCommand(Commands.dismissPreview);
  });

  test('Evaluate Intervention opens a read-only report naming model, method and strength; closing it asks nothing', async () => {
    const a = await api();
    const uri = await vscode.commands.executeCommand<vscode.Uri | undefined>(Commands.evaluateIntervention, {
      prompts: workspaceUri(FIXTURE.prompts).fsPath,
      samples: 1,
    });
    assert.ok(uri, 'the command returns the report');
    assert.equal(uri.scheme, 'aura-report');
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    assert.ok(doc, 'the report is open');
    assert.equal(doc.isUntitled, false);
    assert.equal(doc.isDirty, false);
    assert.equal(doc.languageId, 'markdown');
    const text = doc.getText();
    assert.match(text, new RegExp(`\\*\\*Model:\\*\\* ${a.model()!.name}`));
    assert.match(text, /AurA 100% \(method aura, strength 1\.00\)/);
    assert.match(text, /3 × 1 continuations/);
    assert.match(text, /\| original \| \d/);
    // An Untitled document would ask to be saved here and the command would not return.
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    assert.ok(!vscode.window.visibleTextEditors.some((e) => e.document.uri.toString() === uri.toString()), 'closed');
  });

  test('Export in three formats, then Import: file contents follow the paper\'s formula and the strength', async () => {
    const a = await api();
    a.testing.setIntervention({ method: 'aura', strength: 0.5 });
    const affected = a.testing.intervention().affected;
    const json = workspaceUri(`${FIXTURE.exports}/iv.json`);
    const st = workspaceUri(`${FIXTURE.exports}/gains.safetensors`);
    const onnx = workspaceUri(`${FIXTURE.exports}/model.onnx`);
    await vscode.commands.executeCommand(Commands.exportIntervention, 'json', json);
    await vscode.commands.executeCommand(Commands.exportIntervention, 'safetensors', st);
    await vscode.commands.executeCommand(Commands.exportIntervention, 'onnx', onnx);

    // JSON: the contract's fields; AurA's gain is 1 - 2 (AUROC - 0.5) above 0.5, else 1 (Suau et al. 2024).
    const file = JSON.parse(await readText(json)) as {
      format: string;
      version: number;
      method: string;
      params: { strength: number };
      model: { name: string };
      sites: Record<string, { neurons: number; auroc: number[]; gain: number[] }>;
    };
    assert.equal(file.format, 'aura-lens.intervention');
    assert.equal(file.version, 1);
    assert.equal(file.method, 'aura');
    assert.equal(file.params.strength, 0.5);
    assert.equal(file.model.name, a.model()!.name);
    let dampened = 0;
    for (const [id, site] of Object.entries(file.sites)) {
      assert.equal(site.gain.length, site.neurons, id);
      site.auroc.forEach((auc, j) => {
        const expected = auc > 0.5 ? 1 - 2 * (auc - 0.5) : 1;
        assert.ok(Math.abs(site.gain[j]! - expected) < 1e-5, `${id}[${j}]: gain ${site.gain[j]} for AUROC ${auc}`);
        if (expected < 1) dampened++;
      });
    }
    assert.equal(dampened, affected, 'the file dampens as many neurons as the panel says');

    // safetensors: 8-byte little-endian header length, a JSON header, then the F32 data; at strength s the
    // factor is 1 - s (1 - gain) (the contract).
    const bytes = await vscode.workspace.fs.readFile(st);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const headerLength = Number(view.getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }> & { __metadata__?: Record<string, string> };
    assert.equal(header.__metadata__?.strength, '0.5');
    for (const [id, site] of Object.entries(file.sites)) {
      const t = header[id];
      assert.ok(t, `tensor ${id}`);
      assert.equal(t.dtype, 'F32');
      assert.deepEqual(t.shape, [site.neurons]);
      const start = 8 + headerLength + t.data_offsets[0];
      assert.equal(t.data_offsets[1] - t.data_offsets[0], site.neurons * 4);
      // Through the DataView: readFile may hand back a Buffer that is a view into a larger pool.
      site.gain.forEach((g, j) => {
        const v = view.getFloat32(start + 4 * j, true);
        assert.ok(Math.abs(v - (1 - 0.5 * (1 - g))) < 1e-6, `${id}[${j}]: ${v} for gain ${g} at strength 0.5`);
      });
    }

    // ONNX: a ModelProto whose first field is ir_version (field 1, varint: tag 0x08), and larger than the
    // gains alone (the model's weights are in it).
    const model = await vscode.workspace.fs.readFile(onnx);
    assert.equal(model[0], 0x08, 'starts with ir_version');
    assert.ok(model.byteLength > bytes.byteLength, `${model.byteLength} bytes`);

    // Import: change the intervention, load the file back, and the file's method and strength return.
    a.testing.setIntervention({ method: 'det0', strength: 1, k: 3 });
    assert.notEqual(a.testing.intervention().affected, affected);
    await vscode.commands.executeCommand(Commands.importIntervention, json);
    const iv = a.testing.intervention();
    assert.equal(iv.method, 'aura');
    assert.equal(iv.strength, 0.5);
    assert.equal(iv.affected, affected);
    assert.equal(iv.importedFrom !== undefined, true, 'the import is recorded');
  });

  test('Import on a file that is not an intervention reports it and keeps the intervention', async () => {
    const a = await api();
    const before = a.testing.intervention();
    await vscode.commands.executeCommand(Commands.importIntervention, workspaceUri(FIXTURE.prompts));
    assert.match(a.testing.lastProblem() ?? '', /prompts-3\.jsonl/);
    assert.deepEqual(a.testing.intervention(), before);
  });
});
