import * as vscode from 'vscode';
import { selectedText } from './ensure-model';
import type { CommandContext } from './context';

/** "Add Selection as Toxic Example" (label 1) and "... Non-toxic Example" (label 0). */
export function addSelectionExample(ctx: CommandContext, label: 0 | 1): void {
  const sel = selectedText();
  if (!sel) return;
  // Each non-empty line of a multi-line selection is one example, as in a text dataset.
  for (const line of sel.text.split(/\r?\n/)) ctx.wb.examples.add(line, label);
  const c = ctx.wb.examples.counts();
  const profile = 'Profile Concept…';
  const message = `AurA: ${c.toxic} toxic and ${c.nonToxic} non-toxic examples gathered.`;
  const ask = ctx.wb.examples.ready ? vscode.window.showInformationMessage(message, profile) : vscode.window.showInformationMessage(message);
  void ask.then((pick) => {
    if (pick === profile) void vscode.commands.executeCommand('aura.profileConcept');
  });
}
