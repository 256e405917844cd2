import * as vscode from 'vscode';
import type { CommandContext } from './context';
import { int } from '../shared/format';

/** Loads the embedded model and profiles its concept data (cached after the first time). */
export async function useDemoModel(ctx: CommandContext): Promise<void> {
  const profile = await ctx.run('Preparing the demo model', (task) => ctx.wb.useDemo(task));
  if (!profile) return;
  ctx.session.modelOpened({ demo: true });
  const experts = ctx.wb.intervention.snapshot().affected;
  const open = 'Open Experts Panel';
  void vscode.window.showInformationMessage(`AurA: demo model ready, ${int(experts)} expert neurons found${profile.reused ? ' (cached profile)' : ''}.`, open).then((pick) => {
    if (pick === open) ctx.openPanel();
  });
}
