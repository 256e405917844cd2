import type { CommandContext } from './context';

/** Accept: insert the inline continuation after the selection. */
export async function acceptPreview(ctx: CommandContext): Promise<void> {
  await ctx.inline.accept();
}

/** Escape: remove the inline continuation and any activation highlights. */
export function dismissPreview(ctx: CommandContext): void {
  ctx.inline.dismiss();
  ctx.highlights.clear();
}
