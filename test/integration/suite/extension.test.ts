// In a real VS Code: the extension activates, registers every command, and Use Demo Model loads the
// embedded model and ranks its experts.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { Commands } from '../../../src/shared/ids';
import { test } from './runner';
import type { AuraApi } from '../../../src/extension';

const EXTENSION_ID = 'aura-lens.aura-lens';

async function api(): Promise<AuraApi> {
  const ext = vscode.extensions.getExtension<AuraApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is installed`);
  return ext.activate();
}

test('the extension activates', async () => {
  const a = await api();
  assert.equal(typeof a.model, 'function');
});

test('every command is registered', async () => {
  await api();
  const all = new Set(await vscode.commands.getCommands(true));
  for (const id of Object.values(Commands)) assert.ok(all.has(id), id);
});

test('Use Demo Model loads the embedded model and ranks its experts', async () => {
  const a = await api();
  await vscode.commands.executeCommand(Commands.useDemoModel);
  assert.equal(a.model()?.isDemo, true);
  assert.ok((a.expertCount() ?? 0) > 0, 'experts were found');
  await vscode.commands.executeCommand(Commands.openExpertsPanel);
}, 300_000);
