// "AurA: Compare With Profile…": a second profile folder of the open model (another concept) compared
// with the open profile in the panel's "Compare concepts" card, as `aura-lens compare` does on the
// command line. A profile of another model or other sites is refused with the CLI's one line, in the
// card and as an error message.
import * as vscode from 'vscode';
import { AuraUserError } from '../aura/errors';
import { isUserError } from '../engine/errors';
import { needsTrustConfirmation } from '../host/trust';
import { ExpertsPanel } from '../panel/experts-panel';
import type { CommandContext } from './context';

export async function compareProfile(ctx: CommandContext, uri?: vscode.Uri): Promise<void> {
  const current = ctx.wb.profile;
  if (!current) throw new AuraUserError('no profile to compare with yet: open one ("AurA: Open Profile Folder…") or profile a concept first');
  const folder = uri ?? (await pickFolder());
  if (!folder) return;
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  if (needsTrustConfirmation(folder.fsPath, folders, vscode.workspace.isTrusted)) {
    const read = 'Compare';
    const answer = await vscode.window.showWarningMessage(
      `This workspace is not trusted. Read the profile in ${vscode.workspace.asRelativePath(folder)} anyway?`,
      { modal: true, detail: 'AurA loads nothing from an untrusted workspace without your confirmation.' },
      read,
    );
    if (answer !== read) return;
  }
  ctx.openPanel(true);
  try {
    // Read on the fit worker's thread: two million-neuron profiles take a noticeable moment to read.
    const c = await ctx.wb.intervention.compareProfiles(current.dir, folder.fsPath);
    ExpertsPanel.showComparison(current.dir, c, folder.fsPath);
    ctx.log.info(`compared ${current.dir} with ${folder.fsPath}: ${c.neurons} neurons, experts ${c.experts.a}/${c.experts.b}/${c.experts.both}, top ${c.topK.k} shared ${c.topK.both}`);
  } catch (e) {
    if (!isUserError(e)) throw e;
    const message = e instanceof Error ? e.message : String(e);
    ExpertsPanel.showComparison(current.dir, { refused: message.slice(0, 1000), b: folder.fsPath.slice(0, 1000) });
    void vscode.window.showErrorMessage(`AurA: ${message}`);
  }
}

async function pickFolder(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    openLabel: 'Compare',
    title: 'AurA: a second profile folder of the same model (another concept)',
  });
  return picked?.[0];
}
