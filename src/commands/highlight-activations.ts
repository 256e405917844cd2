import { ensureProfile, selectedText } from './ensure-model';
import type { CommandContext } from './context';
import { int, pct } from '../shared/format';

/** How many of the best experts are scored per token (the hover says so). */
const EXPERTS = 32;

/** Colours each token of the selection by how strongly the top experts fire on it. */
export async function highlightActivations(ctx: CommandContext): Promise<void> {
  const sel = selectedText();
  if (!sel || !(await ensureProfile(ctx))) return;
  const { editor, text, selection } = sel;
  const scores = await ctx.run('Reading expert activations', (task) => ctx.wb.tokenScores(text, EXPERTS, task.signal));
  if (!scores) return;
  // Offsets come from the decoded text; never let one reach past the selection.
  const clamped = scores.map((s) => ({ ...s, start: Math.min(s.start, text.length), end: Math.min(s.end, text.length) }));
  ctx.highlights.show(editor, editor.document.offsetAt(selection.start), clamped, EXPERTS);
  const hottest = [...scores].sort((a, b) => b.score - a.score)[0];
  ctx.log.info(`highlighted ${int(scores.length)} tokens; strongest "${hottest?.text.trim() ?? ''}" at ${pct(hottest?.score ?? 0)}`);
}
