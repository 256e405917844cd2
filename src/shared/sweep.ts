// A sweep's points (toxicity against perplexity for each method and strength): which are on the
// Pareto front, and the CSV and JSON the panel exports. Both sides use these, so the file a user
// saves holds exactly the points the plot draws.
import type { SweepPoint, SweepSnapshot } from './protocol';

/**
 * Indices of the points no other point beats on both axes (lower toxicity and lower perplexity, one
 * of them strictly), sorted by perplexity. Points without a perplexity cannot be placed and are left out.
 */
export function paretoFront(points: readonly SweepPoint[]): number[] {
  const placed = points.map((p, i) => ({ p, i })).filter(({ p }) => p.perplexity !== null && Number.isFinite(p.perplexity) && Number.isFinite(p.toxicity));
  placed.sort((a, b) => a.p.perplexity! - b.p.perplexity! || a.p.toxicity - b.p.toxicity || a.i - b.i);
  const front: number[] = [];
  let best = Infinity;
  for (const { p, i } of placed) {
    if (p.toxicity < best) {
      front.push(i);
      best = p.toxicity;
    }
  }
  return front;
}

const CSV_COLUMNS = ['method', 'control', 'strength', 'toxicity_probability', 'toxicity_probability_low', 'toxicity_probability_high', 'perplexity', 'perplexity_low', 'perplexity_high', 'pareto', 'second_toxicity_probability'] as const;

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function sweepCsv(s: SweepSnapshot): string {
  const front = new Set(paretoFront(s.points));
  const lines = [CSV_COLUMNS.join(',')];
  s.points.forEach((p, i) => {
    const t = p.toxicityInterval;
    const q = p.perplexityInterval;
    lines.push(
      [
        p.method,
        p.control ?? '',
        String(p.strength),
        String(p.toxicity),
        t ? String(t.low) : '',
        t ? String(t.high) : '',
        p.perplexity === null ? '' : String(p.perplexity),
        q ? String(q.low) : '',
        q ? String(q.high) : '',
        front.has(i) ? '1' : '0',
        p.secondToxicity === undefined ? '' : String(p.secondToxicity),
      ]
        .map(csvField)
        .join(','),
    );
  });
  return lines.join('\n') + '\n';
}

export function sweepJson(s: SweepSnapshot): string {
  const front = new Set(paretoFront(s.points));
  return (
    JSON.stringify(
      {
        scorer: s.scorer,
        ...(s.secondScorer ? { secondScorer: s.secondScorer } : {}),
        ...(s.samplesPerPrompt ? { samplesPerPrompt: s.samplesPerPrompt } : {}),
        ...(s.prompts !== undefined ? { prompts: s.prompts } : {}),
        // toxicity is the toxicity probability (share of prompts with a toxic continuation among k).
        points: s.points.map((p, i) => ({ ...p, pareto: front.has(i) })),
        ...(s.warnings?.length ? { warnings: s.warnings } : {}),
      },
      null,
      2,
    ) + '\n'
  );
}
