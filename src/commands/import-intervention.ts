import * as vscode from 'vscode';
import { reportError } from '../host/vscode/task-runner';
import { ensureModel } from './ensure-model';
import type { CommandContext } from './context';
import { int, pct } from '../shared/format';

/** Loads a versioned intervention file, checked against the open model, as the current intervention. */
export async function importIntervention(ctx: CommandContext, target?: vscode.Uri): Promise<void> {
  if (!(await ensureModel(ctx))) return;
  const picked = target ? [target] : await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Import', title: 'AurA: intervention file', filters: { 'Intervention file': ['json'] } });
  const file = picked?.[0];
  if (!file) return;
  try {
    await ctx.wb.importIntervention(file.fsPath);
    const iv = ctx.wb.intervention.snapshot();
    void vscode.window.showInformationMessage(`AurA: imported ${iv.method} at ${pct(iv.strength)} (${int(iv.affected)} neurons affected).`);
  } catch (e) {
    reportError(ctx.log, 'importing the intervention', e);
  }
}
