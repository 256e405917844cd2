// A profile folder made outside the extension (`aura-lens profile --out DIR`, or `aura-lens merge` of
// shards a cluster ran) opened in the panel like one made by Profile Concept. The folder is an argument
// when a test or another command drives it (`executeCommand('aura.openProfileFolder', uri)`), else picked.
import * as vscode from 'vscode';
import { needsTrustConfirmation } from '../host/trust';
import { ensureModel } from './ensure-model';
import { int } from '../shared/format';
import type { CommandContext } from './context';

export async function openProfileFolder(ctx: CommandContext, uri?: vscode.Uri): Promise<void> {
  const folder = uri ?? (await pickFolder());
  if (!folder) return;
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  // The profile only holds numbers, but it decides which neurons are dampened: in an untrusted
  // workspace the user confirms, as for a model folder there.
  if (needsTrustConfirmation(folder.fsPath, folders, vscode.workspace.isTrusted)) {
    const open = 'Open Profile';
    const answer = await vscode.window.showWarningMessage(
      `This workspace is not trusted. Open the profile in ${vscode.workspace.asRelativePath(folder)} anyway?`,
      { modal: true, detail: 'AurA loads nothing from an untrusted workspace without your confirmation.' },
      open,
    );
    if (answer !== open) return;
  }
  // The profile is checked against the model it was made on, so that model must be open first.
  const model = await ensureModel(ctx);
  if (!model) return;
  const r = await ctx.run('Opening the profile', (task) => ctx.wb.openProfile(folder.fsPath, task));
  if (!r) return;
  ctx.session.profileOpened(folder.fsPath);
  ctx.openPanel(true);
  const n = ctx.wb.experts?.auroc.filter((a) => a > 0.5).length ?? 0;
  const sketch = r.stats ? '' : ' (sketch: AUROCs only)';
  void vscode.window.showInformationMessage(`AurA: profile opened${sketch}: ${int(n)} expert neurons (${int(r.positives)} toxic, ${int(r.negatives)} non-toxic examples).`);
}

async function pickFolder(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    openLabel: 'Open Profile',
    title: 'AurA: a profile folder (aura-lens profile --out, or aura-lens merge)',
  });
  return picked?.[0];
}
