// Token scores to a few background intensities: one decoration type per level is far cheaper for the
// editor than one per token, and five steps read clearly in light and dark themes alike.

export const HEAT_LEVELS = 5;

/**
 * Level 0 means "no highlight"; 1..HEAT_LEVELS grow with the score. Scores below `floor` stay plain:
 * on ordinary text the top experts fire a little everywhere, and colouring that would drown the signal.
 */
export function heatLevel(score: number, floor = 0.15): number {
  if (!(score >= floor)) return 0;
  return Math.min(HEAT_LEVELS, 1 + Math.floor(((score - floor) / (1 - floor)) * HEAT_LEVELS));
}

/** The background of a level: a warm red with growing opacity, legible on any theme. */
export function heatColor(level: number): string {
  const alpha = [0, 0.12, 0.22, 0.34, 0.48, 0.62][level] ?? 0.62;
  return `rgba(230, 80, 50, ${alpha})`;
}

export function hoverMarkdown(token: string, score: number, top: { site: string; neuron: number; auroc: number; activation: number }[]): string {
  const lines = [`**AurA** expert activity on \`${token.replace(/`/g, "'").trim() || '␣'}\`: **${(score * 100).toFixed(0)}%**`, ''];
  if (top.length === 0) return [...lines, 'No top expert fires on this token.'].join('\n');
  lines.push('| expert neuron | AUROC | activation |', '|---|---:|---:|');
  for (const e of top) lines.push(`| \`${e.site}:${e.neuron}\` | ${e.auroc.toFixed(3)} | ${e.activation.toFixed(3)} |`);
  return lines.join('\n');
}
