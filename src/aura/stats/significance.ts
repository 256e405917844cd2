/**
 * Every statistic of a finished profile, for the CLI (`profile`/`fit` JSON) and the panel (interval
 * bars, near-chance badges, the null histogram, the small-profile flag): computed from the stored
 * responses, site by site so memory holds one site's matrix.
 */
import { AuraUserError } from '../errors';
import { aurocPerNeuron } from '../auroc';
import { readLabels } from '../profile/score';
import { requireResponses } from '../profile/sketch-refusal';
import { readSplitMatrix, requireManifest, responsesPath } from '../profile/store';
import { benjaminiHochberg, mannWhitneyGreaterP } from './mann-whitney';
import { histogram, permutationPositives } from './permutation';
import { checkSampleSize } from './small-sample';
import { heldOutSplit, selectRows } from './split';
import { neuronUncertainty } from './uncertainty';
import { checkBootstrapWork } from './work-budget';
import type { Pooling } from '../profile/store';

export interface StatsOptions {
  pooling?: Pooling;
  /** Bootstrap resamples (default 200); 0 skips the intervals. */
  resamples?: number;
  confidence?: number;
  /** Label permutations of the pooled null (default 10); 0 skips it. */
  permutations?: number;
  /** Hold out this fraction of each class; the statistics then describe the ranking part. */
  heldOut?: number;
  /**
   * The panel's held-out column: split with this fraction and `seed` exactly as `heldOut` does, and
   * measure each neuron's AUROC on the held-out part (heldOutAuroc). As with `heldOut`, the AUROCs,
   * intervals, p and q-values (and so the significant experts the summary averages over) describe
   * the ranking part only: experts chosen with the held-out texts would make their held-out AUROC a
   * biased, double-dipped figure. rankAuroc repeats `auroc` for the neuron detail. A profile too
   * small to split gets no column and a warning instead, and its statistics describe all examples.
   * Ignored with `heldOut`.
   */
  heldOutColumn?: number;
  seed?: number;
  /** q bound for the count of significant experts (default 0.05). */
  maxQ?: number;
  /** Neurons whose bootstrap is done, of all; called as each finishes (the CLI throttles its lines). */
  onProgress?: (done: number, total: number) => void;
  /** Resample x neuron x text steps allowed (default BOOTSTRAP_STEP_BUDGET). */
  stepBudget?: number;
  /**
   * 'all' (default): a bootstrap interval for every neuron. 'screened': bootstrap only the neurons
   * whose near-chance verdict depends on it, normal intervals elsewhere (interval-screen.ts); for a
   * caller that reports only the summary, as `profile` does.
   */
  intervals?: 'all' | 'screened';
}

/** What the panel reads per site: one value per neuron in each array. */
export interface SiteStats {
  id: string;
  neurons: number;
  /** AUROC on the examples the ranking sees (all of them without --held-out). */
  auroc: Float64Array;
  /** Bootstrap percentile interval (absent with resamples 0); with intervals 'screened', the normal interval where `bootstrapped` is 0. */
  ciLow?: Float64Array;
  ciHigh?: Float64Array;
  bootstrapped?: Uint8Array;
  /** One-sided Mann-Whitney p-value (AUROC > 0.5) and its Benjamini-Hochberg q-value over all sites. */
  p: Float64Array;
  q: Float64Array;
  /** AUROC on the held-out examples (with heldOut or heldOutColumn). */
  heldOutAuroc?: Float64Array;
  /** AUROC on the ranking part of the split (with heldOutColumn; with heldOut it is `auroc`). */
  rankAuroc?: Float64Array;
}

export interface NullSummary {
  permutations: number;
  /** Counts in 50 equal bins over [0, 1] of every neuron's AUROC under each permutation. */
  histogram: number[];
  /** Share of null AUROCs whose normal-approximation p is at most `alpha`: about alpha when calibrated. */
  alpha: number;
  rejectRate: number;
}

export interface ProfileStats {
  pooling: Pooling;
  positives: number;
  negatives: number;
  /** The part the ranking saw, and the held-out part, per class (with --held-out). */
  heldOut?: { fraction: number; rank: { positives: number; negatives: number }; held: { positives: number; negatives: number } };
  confidence: number;
  resamples: number;
  tooSmall: boolean;
  warnings: string[];
  sites: SiteStats[];
  null?: NullSummary;
  summary: StatsSummary;
}

export interface StatsSummary {
  neurons: number;
  maxQ: number;
  /** Neurons with AUROC > 0.5 and q <= maxQ. */
  significant: number;
  /** Neurons with AUROC > 0.5 whose interval reaches down to 0.5 or below (near chance). */
  nearChance: number;
  /** Median width of the intervals (null without them). */
  medianCiWidth: number | null;
  /** How the intervals were made: 'all' bootstrapped, or 'screened' (only `bootstrapped` of them). */
  intervals?: { method: 'all' | 'screened'; bootstrapped: number };
  /** Mean held-out AUROC of the significant experts, and their mean ranking AUROC (with --held-out). */
  heldOut?: { experts: number; meanRankAuroc: number | null; meanHeldOutAuroc: number | null };
}

export const NULL_BINS = 50;

/** Every setting the statistics depend on, defaults filled in: what a cache of them is keyed by. */
export interface StatsSettings {
  pooling: Pooling;
  resamples: number;
  confidence: number;
  permutations: number;
  seed: number;
  maxQ: number;
  heldOut: number | null;
  heldOutColumn: number | null;
  /** Present only when 'screened', so that the keys of caches of full statistics stay as they were. */
  intervals?: 'screened';
}

export function statsSettings(o: StatsOptions, manifestPooling: Pooling): StatsSettings {
  return {
    pooling: o.pooling ?? manifestPooling,
    resamples: o.resamples ?? 200,
    confidence: o.confidence ?? 0.95,
    permutations: o.permutations ?? 10,
    seed: o.seed ?? 0,
    maxQ: o.maxQ ?? 0.05,
    heldOut: o.heldOut ?? null,
    // Ignored with heldOut, so it does not change what is computed then.
    heldOutColumn: o.heldOut === undefined ? (o.heldOutColumn ?? null) : null,
    ...(o.intervals === 'screened' ? { intervals: 'screened' as const } : {}),
  };
}

export function profileStatistics(dir: string, o: StatsOptions = {}): ProfileStats {
  const m = requireManifest(dir);
  requireResponses(dir, m, 'the statistics (--max-q, --held-out, bootstrap intervals, permutations)');
  const { pooling, resamples, permutations, confidence, seed, maxQ, intervals } = statsSettings(o, m.pooling);
  const labels = readLabels(dir);
  if (!(maxQ >= 0 && maxQ <= 1)) throw new AuraUserError(`--max-q: ${maxQ} is not a number in [0, 1]`);
  const P = labels.reduce((a, l) => a + l, 0);
  const Q = labels.length - P;
  const columnWarnings: string[] = [];
  const column = o.heldOut !== undefined ? { split: undefined, fraction: undefined } : heldOutColumnSplit(P, Q, o.heldOutColumn, seed, columnWarnings);
  // Either split: ranking, intervals, p and q see only its ranking part.
  const split = o.heldOut !== undefined ? heldOutSplit(P, Q, o.heldOut, seed) : column.split;
  const rankP = split ? split.pos.rank.length : P;
  const rankQ = split ? split.neg.rank.length : Q;
  const sample = checkSampleSize(rankP, rankQ);
  sample.warnings.push(...columnWarnings);
  const neurons = m.sites.reduce((a, s) => a + s.neurons, 0);
  checkBootstrapWork(resamples, neurons, rankP + rankQ, o.stepBudget);
  let neuronsDone = 0;
  const sites: SiteStats[] = [];
  const nullValues: Float64Array[] = [];
  let nullReject = 0;
  let nullCount = 0;
  // The same shuffles for every site: each neuron's null AUROCs are rank sums over its sorted column.
  const perms = permutations > 0 ? permutationPositives(rankP, rankQ, permutations, seed + 1000) : [];
  for (const s of m.sites) {
    // One copy of the site's matrix, read by chunks (readMatrix then splitByLabel held two).
    const all = readSplitMatrix(responsesPath(dir, s.id, pooling), labels, s.neurons);
    const pos = split ? selectRows(all.pos, s.neurons, split.pos.rank) : all.pos;
    const neg = split ? selectRows(all.neg, s.neurons, split.neg.rank) : all.neg;
    const u = neuronUncertainty(pos, neg, s.neurons, {
      resamples,
      confidence,
      seed,
      permutations: perms,
      ...(intervals ? { intervals } : {}),
      ...(o.onProgress ? { onNeuron: (k: number) => o.onProgress!(neuronsDone + k, neurons) } : {}),
    });
    neuronsDone += s.neurons;
    const site: SiteStats = { id: s.id, neurons: s.neurons, auroc: u.auroc, p: u.p, q: new Float64Array(0) };
    if (resamples > 0) {
      site.ciLow = u.ciLow;
      site.ciHigh = u.ciHigh;
      if (intervals) site.bootstrapped = u.bootstrapped;
    }
    if (split) site.heldOutAuroc = aurocPerNeuron(selectRows(all.pos, s.neurons, split.pos.held), selectRows(all.neg, s.neurons, split.neg.held), s.neurons);
    if (column.split) site.rankAuroc = u.auroc;
    if (permutations > 0) {
      const nul = u.null;
      nullValues.push(nul);
      // The tie structure does not change under a permutation, so each neuron's correction applies.
      const ties = u.ties;
      for (let i = 0; i < nul.length; i++) {
        const pv = mannWhitneyGreaterP(nul[i]! * rankP * rankQ, rankP, rankQ, ties[i % s.neurons]!);
        if (pv <= 0.05) nullReject++;
      }
      nullCount += nul.length;
    }
    sites.push(site);
  }
  // Benjamini-Hochberg over every neuron of every site at once.
  const allP = concat(sites.map((s) => s.p));
  const allQ = benjaminiHochberg(allP);
  let off = 0;
  for (const s of sites) {
    s.q = allQ.slice(off, off + s.neurons);
    off += s.neurons;
  }
  const out: ProfileStats = {
    pooling,
    positives: P,
    negatives: Q,
    confidence,
    resamples,
    tooSmall: sample.tooSmall,
    warnings: sample.warnings,
    sites,
    summary: summarize(sites, maxQ, resamples > 0 ? (intervals ?? 'all') : undefined),
  };
  const parts = split;
  const fraction = o.heldOut ?? column.fraction;
  if (parts && fraction !== undefined) {
    out.heldOut = {
      fraction,
      rank: { positives: parts.pos.rank.length, negatives: parts.neg.rank.length },
      held: { positives: parts.pos.held.length, negatives: parts.neg.held.length },
    };
  }
  if (permutations > 0) {
    out.null = { permutations, histogram: histogram(concat(nullValues), NULL_BINS), alpha: 0.05, rejectRate: nullCount ? nullReject / nullCount : 0 };
  }
  return out;
}

function summarize(sites: SiteStats[], maxQ: number, intervals: 'all' | 'screened' | undefined): StatsSummary {
  let neurons = 0;
  let significant = 0;
  let nearChance = 0;
  const widths: number[] = [];
  let heldSum = 0;
  let rankSum = 0;
  for (const s of sites) {
    for (let i = 0; i < s.neurons; i++) {
      neurons++;
      const expert = s.auroc[i]! > 0.5;
      if (expert && s.q[i]! <= maxQ) {
        significant++;
        if (s.heldOutAuroc) {
          heldSum += s.heldOutAuroc[i]!;
          rankSum += (s.rankAuroc ?? s.auroc)[i]!;
        }
      }
      if (s.ciLow && s.ciHigh) {
        widths.push(s.ciHigh[i]! - s.ciLow[i]!);
        if (expert && s.ciLow[i]! <= 0.5) nearChance++;
      }
    }
  }
  widths.sort((a, b) => a - b);
  const summary: StatsSummary = {
    neurons,
    maxQ,
    significant,
    nearChance,
    medianCiWidth: widths.length ? widths[Math.floor((widths.length - 1) / 2)]! : null,
  };
  // Said only when screened: full statistics keep the summary (and the panel's messages) as they were.
  if (intervals === 'screened') summary.intervals = { method: intervals, bootstrapped: sites.reduce((a, s) => a + count(s.bootstrapped), 0) };
  if (sites.some((s) => s.heldOutAuroc)) {
    summary.heldOut = { experts: significant, meanRankAuroc: significant ? rankSum / significant : null, meanHeldOutAuroc: significant ? heldSum / significant : null };
  }
  return summary;
}

/**
 * The split of the panel's held-out column, or none (with a warning saying why) when a part would
 * lack a class: the panel then shows the rest of the statistics without the column.
 */
function heldOutColumnSplit(P: number, Q: number, fraction: number | undefined, seed: number, warnings: string[]) {
  if (fraction === undefined) return { split: undefined, fraction: undefined };
  try {
    return { split: heldOutSplit(P, Q, fraction, seed), fraction };
  } catch (e) {
    if (!(e instanceof AuraUserError)) throw e;
    warnings.push(`no held-out AUROC: holding out ${fraction} of each class leaves a part without one (${P} toxic, ${Q} non-toxic examples)`);
    return { split: undefined, fraction: undefined };
  }
}

function count(flags: Uint8Array | undefined): number {
  let c = 0;
  if (flags) for (let i = 0; i < flags.length; i++) c += flags[i]!;
  return c;
}

function concat(parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((a, p) => a + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** A site's statistics as plain JSON arrays (for the panel's messages or a file). */
export function siteStatsJson(s: SiteStats): Record<string, unknown> {
  const arr = (a: Float64Array | undefined) => (a ? Array.from(a) : undefined);
  return { id: s.id, neurons: s.neurons, auroc: arr(s.auroc), ciLow: arr(s.ciLow), ciHigh: arr(s.ciHigh), p: arr(s.p), q: arr(s.q), heldOutAuroc: arr(s.heldOutAuroc), rankAuroc: arr(s.rankAuroc) };
}
