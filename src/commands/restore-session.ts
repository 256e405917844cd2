// After Reload Window: the remembered model and profile (session.ts) come back when the panel is
// revived, unless a model is already open. A model folder inside an untrusted workspace is not
// reopened without the user (Open Model Folder asks first; a restore cannot ask at a good moment), nor
// is a profile folder opened there with Open Profile Folder.
import * as vscode from 'vscode';
import { needsTrustConfirmation } from '../host/trust';
import type { ConceptSource } from '../aura/datasets';
import type { CommandContext } from './context';

export async function restoreSession(ctx: CommandContext): Promise<boolean> {
  const last = ctx.session.recall();
  if (!last || ctx.wb.model) return false;
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  if (!last.isDemo && last.model && needsTrustConfirmation(last.model, folders, vscode.workspace.isTrusted)) {
    ctx.log.info(`not restoring ${last.model}: it is inside an untrusted workspace; open it with Open Model Folder…`);
    return false;
  }
  ctx.log.info(`restoring the last session: ${last.isDemo ? 'the demo model' : last.model}${last.source ? ' and its profile' : ''}`);
  const opened = last.isDemo
    ? await ctx.run('Restoring the demo model', (task) => ctx.wb.useDemo(task))
    : last.model
      ? await ctx.run('Restoring the last model', (task) => ctx.wb.openModel(last.model!, false, task))
      : undefined;
  if (!opened) return false;
  if (last.profileDir) {
    if (needsTrustConfirmation(last.profileDir, folders, vscode.workspace.isTrusted)) return true;
    return (await ctx.run('Restoring the last profile', (task) => ctx.wb.openProfile(last.profileDir!, task))) !== undefined;
  }
  if (!last.source) return true;
  const source = last.source as ConceptSource;
  return (await ctx.run('Restoring the last profile', (task) => ctx.wb.profileConcept(source, task))) !== undefined;
}
