/**
 * Intervals on evaluation figures (issue 20, item 5): a percentile bootstrap over prompts, each
 * resampled prompt keeping its k continuations (they share the prompt, so they are not independent
 * draws), and over the neutral texts for perplexity. Differences between two evaluations on the same
 * prompts and seeds are paired: one resample of prompt (and text) indices serves both sides, so the
 * interval is of the difference itself, not of two separate figures. Seeded: the same inputs and seed
 * give the same interval on every machine.
 */
import { isToxic } from './scoring/scorer';
import { mulberry32 } from './random';
import type { EvaluationResult } from './evaluate';

export interface Interval {
  low: number;
  high: number;
}

export interface BootstrapOptions {
  /** Resamples (default 1000). */
  resamples?: number;
  /** Two-sided level (default 0.95). */
  confidence?: number;
  seed?: number;
}

export interface BootstrapSettings {
  resamples: number;
  confidence: number;
  seed: number;
}

/** The figures' intervals for one evaluation; perplexity's is null without neutral texts. */
export interface EvaluationIntervals {
  toxicityProbability: Interval;
  expectedMaxToxicity: Interval;
  meanToxicity: Interval;
  perplexity: Interval | null;
}

/** Intervals of (other - base) on the same prompts; perplexityChange is other/base - 1. */
export interface DifferenceIntervals extends EvaluationIntervals {
  perplexityChange: Interval | null;
}

export function bootstrapSettings(o: BootstrapOptions = {}): BootstrapSettings {
  return { resamples: o.resamples ?? 1000, confidence: o.confidence ?? 0.95, seed: o.seed ?? 0 };
}

/** The q-quantile of ascending values, interpolating linearly between order statistics (NumPy's default). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

function percentileInterval(values: Float64Array, confidence: number): Interval {
  values.sort();
  const tail = (1 - confidence) / 2;
  return { low: quantile(values, tail), high: quantile(values, 1 - tail) };
}

/** `resamples` index draws of size n with replacement; each row a resample. */
export function resampleIndices(n: number, resamples: number, seed: number): Uint32Array[] {
  const rng = mulberry32(seed);
  const out: Uint32Array[] = [];
  for (let b = 0; b < resamples; b++) {
    const idx = new Uint32Array(n);
    for (let i = 0; i < n; i++) idx[i] = Math.floor(rng() * n);
    out.push(idx);
  }
  return out;
}

/** Per prompt: any toxic continuation (0/1), the largest score, the sum and count of scores. */
interface PromptFigures {
  any: Float64Array;
  max: Float64Array;
  sum: Float64Array;
  count: Float64Array;
}

function promptFigures(samples: EvaluationResult['samples']): PromptFigures {
  const n = samples.length;
  const f = { any: new Float64Array(n), max: new Float64Array(n), sum: new Float64Array(n), count: new Float64Array(n) };
  samples.forEach((s, i) => {
    f.any[i] = s.scores.some(isToxic) ? 1 : 0;
    f.max[i] = Math.max(0, ...s.scores);
    f.sum[i] = s.scores.reduce((a, v) => a + v, 0);
    f.count[i] = s.scores.length;
  });
  return f;
}

function toxicityOn(f: PromptFigures, idx: Uint32Array): [number, number, number] {
  let any = 0;
  let max = 0;
  let sum = 0;
  let count = 0;
  for (const i of idx) {
    any += f.any[i]!;
    max += f.max[i]!;
    sum += f.sum[i]!;
    count += f.count[i]!;
  }
  const n = idx.length || 1;
  return [any / n, max / n, count ? sum / count : 0];
}

function perplexityOn(t: NonNullable<EvaluationResult['perplexityTexts']>, idx: Uint32Array): number {
  let nll = 0;
  let tokens = 0;
  for (const i of idx) {
    nll += t.nll[i]!;
    tokens += t.tokens[i]!;
  }
  return Math.exp(nll / Math.max(1, tokens));
}

type Side = Pick<EvaluationResult, 'samples' | 'perplexityTexts'>;

/** Percentile intervals of one evaluation's figures. */
export function evaluationIntervals(r: Side, o: BootstrapOptions = {}): EvaluationIntervals {
  const { resamples, confidence, seed } = bootstrapSettings(o);
  const f = promptFigures(r.samples);
  const vals = [new Float64Array(resamples), new Float64Array(resamples), new Float64Array(resamples)];
  resampleIndices(r.samples.length, resamples, seed).forEach((idx, b) => toxicityOn(f, idx).forEach((v, m) => (vals[m]![b] = v)));
  const t = r.perplexityTexts;
  let perplexity: Interval | null = null;
  if (t && t.nll.length) {
    const p = new Float64Array(resamples);
    resampleIndices(t.nll.length, resamples, seed + 1).forEach((idx, b) => (p[b] = perplexityOn(t, idx)));
    perplexity = percentileInterval(p, confidence);
  }
  return {
    toxicityProbability: percentileInterval(vals[0]!, confidence),
    expectedMaxToxicity: percentileInterval(vals[1]!, confidence),
    meanToxicity: percentileInterval(vals[2]!, confidence),
    perplexity,
  };
}

/**
 * Paired intervals of other - base: both evaluated on the same prompts (in the same order, the same
 * seeds) and the same neutral texts. Throws when they were not, since pairing would then be wrong.
 */
export function differenceIntervals(base: Side, other: Side, o: BootstrapOptions = {}): DifferenceIntervals {
  const { resamples, confidence, seed } = bootstrapSettings(o);
  if (base.samples.length !== other.samples.length || base.samples.some((s, i) => s.prompt !== other.samples[i]!.prompt)) {
    throw new Error('differenceIntervals: the two evaluations did not continue the same prompts');
  }
  const fb = promptFigures(base.samples);
  const fo = promptFigures(other.samples);
  const vals = [new Float64Array(resamples), new Float64Array(resamples), new Float64Array(resamples)];
  resampleIndices(base.samples.length, resamples, seed).forEach((idx, b) => {
    const x = toxicityOn(fb, idx);
    const y = toxicityOn(fo, idx);
    for (let m = 0; m < 3; m++) vals[m]![b] = y[m]! - x[m]!;
  });
  const tb = base.perplexityTexts;
  const to = other.perplexityTexts;
  let perplexity: Interval | null = null;
  let perplexityChange: Interval | null = null;
  if (tb && to && tb.nll.length && tb.nll.length === to.nll.length) {
    const d = new Float64Array(resamples);
    const r = new Float64Array(resamples);
    resampleIndices(tb.nll.length, resamples, seed + 1).forEach((idx, b) => {
      const pb = perplexityOn(tb, idx);
      const po = perplexityOn(to, idx);
      d[b] = po - pb;
      r[b] = po / pb - 1;
    });
    perplexity = percentileInterval(d, confidence);
    perplexityChange = percentileInterval(r, confidence);
  }
  return {
    toxicityProbability: percentileInterval(vals[0]!, confidence),
    expectedMaxToxicity: percentileInterval(vals[1]!, confidence),
    meanToxicity: percentileInterval(vals[2]!, confidence),
    perplexity,
    perplexityChange,
  };
}

export function overlaps(a: Interval, b: Interval): boolean {
  return a.low <= b.high && b.low <= a.high;
}

/** "[0.120, 0.240]" with d decimals. */
export function formatInterval(i: Interval | null | undefined, d: number): string {
  return i ? `[${i.low.toFixed(d)}, ${i.high.toFixed(d)}]` : '';
}

/**
 * One line per figure (toxicity probability, perplexity) whose intervals for two compared points
 * overlap: the sample does not resolve their difference, whatever the point estimates say. With the
 * paired difference of the two (same prompts, seeds and texts), the line says whether pairing resolves
 * it: separate intervals overlap more often than a paired difference includes 0.
 */
export function overlapWarnings(aLabel: string, a: EvaluationIntervals, bLabel: string, b: EvaluationIntervals, paired?: DifferenceIntervals, level = 0.95): string[] {
  const out: string[] = [];
  const pct = `${Math.round(level * 100)}%`;
  const pairing = (d: Interval | null | undefined, digits: number, unit = '') => {
    if (!d) return '';
    const zero = d.low <= 0 && 0 <= d.high;
    return zero ? `; the paired difference ${formatInterval(d, digits)}${unit} includes 0 as well` : `; the paired difference ${formatInterval(d, digits)}${unit} excludes 0, so pairing (same prompts and seeds) resolves it`;
  };
  if (overlaps(a.toxicityProbability, b.toxicityProbability)) {
    const d = paired?.toxicityProbability;
    const unresolved = !d || (d.low <= 0 && 0 <= d.high);
    out.push(`${aLabel} and ${bLabel}: the ${pct} intervals of toxicity probability overlap (${formatInterval(a.toxicityProbability, 3)} and ${formatInterval(b.toxicityProbability, 3)})${pairing(d, 3)}${unresolved ? '; these prompts do not resolve the difference' : ''}`);
  }
  if (a.perplexity && b.perplexity && overlaps(a.perplexity, b.perplexity)) {
    const c = paired?.perplexityChange;
    out.push(`${aLabel} and ${bLabel}: the ${pct} intervals of perplexity overlap (${formatInterval(a.perplexity, 2)} and ${formatInterval(b.perplexity, 2)})${c ? pairing({ low: c.low * 100, high: c.high * 100 }, 1, ' %') : ''}`);
  }
  return out;
}
