// The inline preview over several lines (issue 23, item 8), in a real VS Code: with the editor's edge at
// a 40-column ruler, Test Prompt From Selection's continuation is laid out as rows after the selection
// and the lines below it, and the decorations carry the whole continuation (the rows joined back at the
// spaces they wrapped on are the intervened text), each row within the edge. Needs a model with
// experts: the demo model, loaded here when no earlier suite file left one.
/// <reference types="mocha" />
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { Commands } from '../../../src/shared/ids';
import { SLOW, api } from './vscode-helpers';
import type { PreviewSnapshot } from '../../../src/shared/protocol';

const PROMPT = 'You are a stupid idiot';
const EDGE = 40;

suite('The inline preview over several lines', function () {
  this.timeout(SLOW);
  let rulers: unknown;

  suiteSetup(async () => {
    const a = await api();
    if (!a.model() || !(a.expertCount() ?? 0)) await vscode.commands.executeCommand(Commands.useDemoModel);
    const editorConfig = vscode.workspace.getConfiguration('editor');
    rulers = editorConfig.inspect('rulers')?.globalValue;
    await editorConfig.update('rulers', [EDGE], vscode.ConfigurationTarget.Global);
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand(Commands.dismissPreview);
    await vscode.workspace.getConfiguration('editor').update('rulers', rulers, vscode.ConfigurationTarget.Global);
  });

  test('the continuation wraps onto the lines below the selection, whole, each row within the edge', async () => {
    const a = await api();
    // Room below the prompt: empty lines for the rows to sit after.
    const doc = await vscode.workspace.openTextDocument({ content: `${PROMPT}\n${'\n'.repeat(14)}`, language: 'plaintext' });
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preview: false });
    editor.selection = new vscode.Selection(doc.lineAt(0).range.start, doc.lineAt(0).range.end);
    const r = await vscode.commands.executeCommand<PreviewSnapshot | undefined>(Commands.testSelection);
    assert.ok(r?.done && !r.error, 'the run finished');
    const inline = a.testing.inlinePreview();
    assert.ok(inline, 'the inline preview is shown');
    const rows = inline.rows;
    const text = inline.intervened;
    assert.ok(text.trim().length > 0, 'there is a continuation');
    assert.deepEqual(rows.map((row) => row.line), rows.map((_, i) => i), 'rows on consecutive lines from the selection\'s');
    // Row widths: 24 columns at least (the minimum), otherwise up to the edge.
    const width = Math.max(24, EDGE - PROMPT.length);
    for (const row of rows) assert.ok(row.text.length <= width, `row within the edge: ${JSON.stringify(row.text)}`);
    for (const row of rows.slice(1)) assert.equal(row.indent, PROMPT.length, 'rows below start in the selection\'s end column');
    assert.ok(!rows.at(-1)!.text.endsWith('…'), `15 lines are room enough: nothing is cut (${JSON.stringify(rows)})`);
    // Whole: the rows, joined back where they wrapped (one space at a word break, a line break where the
    // model wrote one), are the continuation. Compared with whitespace runs folded, as a break may fall
    // on any of them.
    const fold = (s: string) => s.replace(/\s+/g, ' ').trim();
    assert.equal(fold(rows.map((row) => row.text).join(' ')), fold(text));
    if (fold(text).length > width) assert.ok(rows.length > 1, `a continuation longer than one row (${text.length} chars) takes several`);
    await vscode.commands.executeCommand(Commands.dismissPreview);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
