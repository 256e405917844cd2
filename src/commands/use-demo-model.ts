import * as vscode from 'vscode';
import { ExpertsPanel } from '../panel/experts-panel';
import { demoReadyMessage, OPEN_PANEL_ACTION } from './demo-ready';
import type { CommandContext } from './context';

/** Loads the embedded model and profiles its concept data (cached after the first time). */
export async function useDemoModel(ctx: CommandContext): Promise<void> {
  const profile = await ctx.run('Preparing the demo model', (task) => ctx.wb.useDemo(task));
  if (!profile) return;
  ctx.session.modelOpened({ demo: true });
  const experts = ctx.wb.intervention.snapshot().affected;
  const { text, actions } = demoReadyMessage(experts, !!profile.reused, ExpertsPanel.isOpen);
  // Logged as well: the integration suite (and a user scrolling back) reads what was offered.
  ctx.log.info(`${text}${actions.length ? ` [${actions.join(', ')}]` : ''}`);
  void vscode.window.showInformationMessage(text, ...actions).then((pick) => {
    if (pick === OPEN_PANEL_ACTION) ctx.openPanel();
  });
}
