import * as vscode from 'vscode';
import { needsTrustConfirmation } from '../host/trust';
import type { CommandContext } from './context';
import { int } from '../shared/format';

/** From the palette (a folder picker) or the explorer's context menu on a folder (its URI). */
export async function openModelFolder(ctx: CommandContext, uri?: vscode.Uri): Promise<void> {
  const folder = uri instanceof vscode.Uri ? uri : await pickFolder();
  if (!folder) return;
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  if (needsTrustConfirmation(folder.fsPath, folders, vscode.workspace.isTrusted)) {
    const load = 'Load Model';
    const answer = await vscode.window.showWarningMessage(
      `This workspace is not trusted. Load the model in ${vscode.workspace.asRelativePath(folder)} anyway?`,
      { modal: true, detail: 'AurA loads nothing from an untrusted workspace without your confirmation.' },
      load,
    );
    if (answer !== load) return;
  }
  const model = await ctx.run('Loading the model', (task) => ctx.wb.openModel(folder.fsPath, false, task));
  if (model) {
    ctx.session.modelOpened({ path: folder.fsPath });
    const profile = 'Profile Concept…';
    const pick = await vscode.window.showInformationMessage(`AurA: ${model.name} is ready (${int(model.sites.length)} sites, weights loaded). Profile a concept to find its experts.`, profile);
    if (pick === profile) await vscode.commands.executeCommand('aura.profileConcept');
  }
}

async function pickFolder(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Open Model Folder', title: 'AurA: a folder with an ONNX language model' });
  return picked?.[0];
}
