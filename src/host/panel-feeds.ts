// Adaptors from the statistics and sweep code (src/aura/stats, src/aura/sweep) to the panel's protocol:
// per-site statistics become per-row columns in the ranking's order, the permutation null's histogram
// becomes a sample the page bins with its own range, and sweep points carry the toxicity score. The
// integrator calls these where the profile's statistics and a sweep are computed (in the model process).
import type { NeuronWrites } from '../aura/neuron-writes';
import type { ProfileStats } from '../aura/stats/significance';
import type { SweepPoint as AuraSweepPoint } from '../aura/sweep';
import type { ExpertStats, ExpertsSnapshot, NeuronDetail, SweepSnapshot } from '../shared/protocol';

/** At most this many values stand for the null (its shape, not its size, is drawn). */
const NULL_SAMPLE = 100_000;

export function expertStatsFrom(ps: ProfileStats, e: ExpertsSnapshot): ExpertStats {
  const bySite = new Map(ps.sites.map((s) => [s.id, s]));
  const perRow = e.sites.map((s) => bySite.get(s.id));
  const n = e.auroc.length;
  const column = (pick: (s: NonNullable<(typeof perRow)[number]>) => Float64Array | undefined): Float64Array | undefined => {
    if (!perRow.every((s) => s && pick(s))) return undefined;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = pick(perRow[e.site[i]!]!)![e.neuron[i]!]!;
    return out;
  };
  const ciLow = column((s) => s.ciLow);
  const ciHigh = column((s) => s.ciHigh);
  const qValue = column((s) => s.q);
  const heldOut = column((s) => s.heldOutAuroc);
  const nullAuroc = ps.null ? nullSample(ps.null.histogram) : undefined;
  return {
    level: ps.confidence,
    qBound: ps.summary.maxQ,
    significant: ps.summary.significant,
    ...(ciLow && ciHigh ? { ciLow, ciHigh } : {}),
    ...(qValue ? { qValue } : {}),
    ...(heldOut ? { heldOut } : {}),
    ...(heldOut && ps.heldOut ? { heldOutFraction: ps.heldOut.fraction } : {}),
    ...(nullAuroc ? { nullAuroc } : {}),
  };
}

/**
 * One neuron's statistics for its detail: interval, q-value, and the held-out AUROC beside the AUROC
 * of the split's other part (the fair comparison: neither saw the other's texts). Empty without stats.
 */
export function detailStatsFrom(ps: Pick<ProfileStats, 'confidence' | 'sites' | 'heldOut'> | undefined, site: string, neuron: number): Pick<NeuronDetail, 'ci' | 'level' | 'qValue' | 'heldOutAuroc' | 'rankAuroc' | 'heldOutFraction'> {
  const s = ps?.sites.find((x) => x.id === site);
  if (!ps || !s || !(neuron >= 0 && neuron < s.neurons)) return {};
  const lo = s.ciLow?.[neuron];
  const hi = s.ciHigh?.[neuron];
  const held = s.heldOutAuroc?.[neuron];
  const rank = (s.rankAuroc ?? (held !== undefined ? s.auroc : undefined))?.[neuron];
  return {
    ...(lo !== undefined && hi !== undefined ? { ci: [lo, hi] as [number, number], level: ps.confidence } : {}),
    ...(s.q[neuron] !== undefined ? { qValue: s.q[neuron]! } : {}),
    ...(held !== undefined ? { heldOutAuroc: held } : {}),
    ...(held !== undefined && rank !== undefined ? { rankAuroc: rank } : {}),
    ...(held !== undefined && ps.heldOut ? { heldOutFraction: ps.heldOut.fraction } : {}),
  };
}

/** Bin centres over [0, 1], each repeated in proportion to its count (at most NULL_SAMPLE values). */
export function nullSample(histogram: readonly number[]): Float64Array {
  const total = histogram.reduce((a, c) => a + c, 0);
  const scale = total > NULL_SAMPLE ? NULL_SAMPLE / total : 1;
  const counts = histogram.map((c) => Math.round(c * scale));
  const out = new Float64Array(counts.reduce((a, c) => a + c, 0));
  let k = 0;
  counts.forEach((c, b) => out.fill((b + 0.5) / histogram.length, k, (k += c)));
  return out;
}

/**
 * The sweep's points for the Pareto plot: toxicity is the toxicity probability (share of prompts with
 * at least one toxic continuation among k), with its bootstrap interval and perplexity's as error bars.
 */
export function sweepSnapshotFrom(points: readonly AuraSweepPoint[], scorer: string, secondScorer?: string, extra: { prompts?: number; warnings?: readonly string[] } = {}): SweepSnapshot {
  const k = points[0]?.toxicity.samplesPerPrompt;
  return {
    scorer,
    ...(secondScorer ? { secondScorer } : {}),
    ...(k ? { samplesPerPrompt: k } : {}),
    ...(extra.prompts !== undefined ? { prompts: extra.prompts } : {}),
    ...(extra.warnings?.length ? { warnings: [...extra.warnings] } : {}),
    points: points.map((p) => ({
      method: p.method,
      control: p.control,
      strength: p.strength,
      toxicity: p.toxicity.toxicityProbability,
      ...(p.second ? { secondToxicity: p.second.toxicity.toxicityProbability } : {}),
      perplexity: p.perplexity,
      ...(p.intervals ? { toxicityInterval: p.intervals.toxicityProbability, perplexityInterval: p.intervals.perplexity } : {}),
    })),
  };
}

/** Tokens listed each way in the neuron detail (the page shows a short list; the CLI has the full one). */
const DETAIL_WRITES = 10;

/**
 * The neuron detail's "writes" and tag from src/aura/neuron-writes.ts (computed in the model process),
 * or, when the layout forbids reading them (quantised or fused weights), the reason in one line.
 */
export function detailWritesFrom(w: NeuronWrites | Error): Pick<NeuronDetail, 'writes' | 'role'> {
  if (w instanceof Error) return { writes: { unavailable: w.message } };
  const list = (xs: NeuronWrites['promoted']) => xs.slice(0, DETAIL_WRITES).map((t) => ({ token: t.token, logit: t.logit }));
  return { writes: { promoted: list(w.promoted), suppressed: list(w.suppressed) }, role: w.role };
}
