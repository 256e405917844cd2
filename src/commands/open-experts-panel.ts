import type { CommandContext } from './context';

export function openExpertsPanel(ctx: CommandContext): void {
  ctx.openPanel();
}
