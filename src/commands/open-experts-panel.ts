import type { CommandContext } from './context';

/** With `{ site, neuron }` (a highlight's hover link) the panel opens on that expert's detail. */
export function openExpertsPanel(ctx: CommandContext, neuron?: { site: string; neuron: number }): void {
  ctx.openPanel(false, neuron);
}
