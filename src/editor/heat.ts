// Token scores to a few background intensities: one decoration type per level is far cheaper for the
// editor than one per token, and five steps read clearly in light and dark themes alike.
//
// The levels are relative to the strongest token of the selection: absolute scores sit mostly low
// (the top experts fire a little on every token), so an absolute scale left insults and neutral words
// in the same pale band. Relative to the maximum, the strongest tokens take the darkest levels and
// tokens under FLOOR of the maximum stay plain; the legend states the maximum's absolute value, so two
// selections can still be compared.
import { pct } from '../shared/format';
import { Commands } from '../shared/ids';

export const HEAT_LEVELS = 5;
/** Share of the strongest token's score under which a token stays plain. */
export const FLOOR = 0.3;
/** Below this absolute score nothing is coloured: no expert fires enough to point at. */
export const MIN_SCORE = 0.02;

/** Level 0 means "no highlight"; 1..HEAT_LEVELS grow with the score relative to `max`. */
export function heatLevel(score: number, max: number): number {
  if (!(max >= MIN_SCORE) || !(score >= MIN_SCORE)) return 0;
  const rel = Math.min(1, score / max);
  if (rel < FLOOR) return 0;
  return Math.min(HEAT_LEVELS, 1 + Math.floor(((rel - FLOOR) / (1 - FLOOR)) * HEAT_LEVELS));
}

export function heatLevels(scores: readonly number[]): number[] {
  const max = scores.reduce((m, s) => (s > m ? s : m), 0);
  return scores.map((s) => heatLevel(s, max));
}

/** The background of a level: a warm red with growing opacity, legible on any theme. */
export function heatColor(level: number): string {
  const alpha = [0, 0.14, 0.26, 0.4, 0.56, 0.75][level] ?? 0.75;
  return `rgba(230, 80, 50, ${alpha})`;
}


/** The scale in the legend: one glyph per level, growing. */
export const LEGEND_RAMP = '\u2581\u2582\u2584\u2586\u2588';

/**
 * The legend shown after the selection: what the colours mean and the strongest token's score. One
 * piece of text: VS Code orders several decorations at one position by their generated CSS class
 * names, which follow neither creation order nor anything an extension controls, so a legend in
 * pieces came out scrambled on some selections.
 */
export function legendText(max: number, coloured: number, total: number): string {
  return `  AurA activity: weak ${LEGEND_RAMP} strongest (${pct(max)}) · ${coloured}/${total} tokens · hover one`;
}

export function openExpertLink(site: string, neuron: number): string {
  return `command:${Commands.openExpertsPanel}?${encodeURIComponent(JSON.stringify([{ site, neuron }]))}`;
}

export function hoverMarkdown(token: string, score: number, max: number, experts: number, top: { site: string; neuron: number; auroc: number; activation: number; exceeds: number }[]): string {
  const lines = [
    `**AurA** expert activity on \`${token.replace(/`/g, "'").trim() || '␣'}\`: **${pct(score)}** (the strongest token of the selection: ${pct(max)})`,
    '',
    `The percentage says how far the top ${experts} experts fire on this token above their responses on the profile's non-toxic examples: each expert counts 0 at or below the median of those responses and 100% above all of them, and the experts are averaged with weights AUROC − 0.5.`,
    '',
  ];
  if (top.length === 0) return [...lines, 'No top expert fires above its non-toxic median on this token.'].join('\n');
  lines.push('| expert neuron (opens in the panel) | AUROC | activation | above non-toxic |', '|---|---:|---:|---:|');
  // exceeds = 2F - 1 > 0 for a contributor, F the share of non-toxic responses below the activation.
  for (const e of top) lines.push(`| [\`${e.site}:${e.neuron}\`](${openExpertLink(e.site, e.neuron)}) | ${e.auroc.toFixed(3)} | ${e.activation.toFixed(3)} | ${pct((1 + e.exceeds) / 2)} |`);
  return lines.join('\n');
}
