// What every integration suite file needs: the extension's API with its test hooks, the workspace's
// fixture files, and notes.txt put back to its fixture text with a line selected.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { FIXTURE } from '../fixture-names';
import type { AuraApi, AuraTestHooks } from '../../../src/extension';

export const EXTENSION_ID = 'aura-lens.aura-lens';
/** A test's timeout: profiles and generations on a machine that may be two busy cores. */
export const SLOW = 10 * 60_000;

export async function api(): Promise<AuraApi & { testing: AuraTestHooks }> {
  const ext = vscode.extensions.getExtension<AuraApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is installed`);
  const a = await ext.activate();
  // The suite runs in ExtensionMode.Test, the only mode whose exports carry the hooks.
  assert.ok(a.testing, 'the test hooks are exported in ExtensionMode.Test');
  return { ...a, testing: a.testing };
}

export function workspaceUri(rel: string): vscode.Uri {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  assert.ok(root, 'the test opens a workspace folder');
  return vscode.Uri.joinPath(root, ...rel.split('/'));
}

export async function readText(uri: vscode.Uri): Promise<string> {
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
}

/** Puts notes.txt back to its fixture text and saves it (the active editor may be the panel: no revert). */
export async function resetNotes(doc: vscode.TextDocument): Promise<void> {
  if (doc.getText() === FIXTURE.notesText && !doc.isDirty) return;
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), FIXTURE.notesText);
  assert.ok(await vscode.workspace.applyEdit(edit));
  assert.ok(await doc.save());
}

/** Opens notes.txt as in the fixture and selects line `line` whole. */
export async function selectLine(line: number): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(workspaceUri(FIXTURE.notes));
  const editor = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preview: false });
  await resetNotes(doc);
  const range = doc.lineAt(line).range;
  editor.selection = new vscode.Selection(range.start, range.end);
  return editor;
}

export const oneLine = (s: string) => s.replace(/\r?\n/g, ' ⏎ ');
