/**
 * Sweeps (issue 9, item 4): several methods fitted on one profile, each with two controls, evaluated
 * over strengths, as points (method, control, strength, toxicity, perplexity) for a Pareto plot.
 * - control "random": the method's experts moved to as many neurons chosen at random (seeded);
 * - control "lowest": moved to the neurons with the lowest AUROC.
 * A gain-only method's gains travel with the move (the strongest gain to the first chosen neuron).
 * A transport method's maps travel the same way (issue 20, item 2): Linear-AcT and Mean-AcT fit a map
 * on nearly every neuron, so "the chosen neurons, each with its own map" was the method itself. The
 * method's maps, strongest first (largest shift at the middle of the map's source range, relative to
 * that range), go to the chosen neurons in their order, each rescaled from its own neuron's toxic range
 * [lo_s, hi_s] onto the receiving neuron's [lo_t, hi_t]: y_t(lo_t + z w_t) = lo_t + (y_s(lo_s + z w_s) -
 * lo_s) w_t / w_s, i.e. the same gain and bias' = lo_t (1 - g) + (b + (g - 1) lo_s) w_t / w_s. Every
 * other neuron is the identity. Both controls change exactly as many neurons as the method; when the
 * method changes every neuron, the set is the same and the control is a reassignment of the maps.
 */
import { AuraUserError } from './errors';
import { fitIntervention, methodNames } from './methods';
import { readAurocs } from './profile/score';
import { requireManifest } from './profile/store';
import { mulberry32, shuffleInPlace } from './random';
import { isTransportMethod, transportFit, transportSitesFromProfile } from './transport';
import { interventionFromFit } from './intervention-file';
import { overlapWarnings } from './evaluation-intervals';
import type { SiteAuroc } from './experts';
import type { InterventionFile } from './intervention-file';
import type { FitResult } from './methods';
import type { ToxicityResult } from './evaluate';
import type { TransportSite } from './transport';
import type { EvaluationIntervals, Interval } from './evaluation-intervals';

export const CONTROLS = ['random', 'lowest'] as const;
export type Control = (typeof CONTROLS)[number];

export interface SweepArm {
  method: string;
  /** null: the method itself. */
  control: Control | null;
  file: InterventionFile;
  /** Neurons the arm changes. */
  experts: number;
}

export interface SweepPoint {
  method: string;
  control: Control | null;
  strength: number;
  toxicity: ToxicityResult;
  /** The same continuations scored by the second instrument (absent with --second-scorer none). */
  second?: { scorer: string; toxicity: ToxicityResult };
  perplexity: number | null;
  /** Bootstrap intervals over prompts (and neutral texts) of this point's figures. */
  intervals?: EvaluationIntervals;
}

/** The method and its controls, fitted at full strength on the profile in `dir`. */
export function sweepArms(dir: string, methods: readonly string[], controls: readonly Control[], seed = 0, keep?: ReadonlyMap<string, Uint8Array>): SweepArm[] {
  const known = [...methodNames(), 'linear-act', 'mean-act'];
  for (const m of methods) if (!known.includes(m)) throw new AuraUserError(`--methods: unknown method "${m}"; expected some of ${known.join(', ')}`);
  const manifest = requireManifest(dir);
  const { sites } = readAurocs(dir);
  const meta = (pooling: 'max' | 'mean') => ({
    model: manifest.model,
    pooling,
    data: { positives: manifest.data.positives, negatives: manifest.data.negatives, source: manifest.data.source },
    aurocs: new Map(sites.map((s) => [s.siteId, s.auroc])),
  });
  const arms: SweepArm[] = [];
  for (const method of methods) {
    const transport = isTransportMethod(method) ? transportSitesFromProfile(dir, method) : undefined;
    // With a selection (--max-q), neurons outside it get AUROC 0 so no AUROC method picks them.
    const selected = keep ? sites.map((s) => ({ siteId: s.siteId, auroc: s.auroc.map((a, i) => (keep.get(s.siteId)![i] ? a : 0)) })) : sites;
    const fit = transport ? transportFit(method as 'linear-act', transport, 1, keep) : fitIntervention(method, selected, { strength: 1 });
    const pooling = transport ? 'mean' : manifest.pooling;
    arms.push({ method, control: null, file: interventionFromFit(fit, meta(pooling)), experts: fit.experts });
    for (const control of controls) {
      const chosen = controlNeurons(sites, fit, control, seed);
      const moved = transport ? moveMaps(fit, transport, chosen) : moveGains(fit, sites, chosen);
      arms.push({ method, control, file: interventionFromFit({ ...moved, method }, meta(pooling)), experts: moved.experts });
    }
  }
  return arms;
}

/** Global indices (sites concatenated) of the neurons an arm changes, strongest change first. */
function changedNeurons(fit: FitResult): { index: number; gain: number }[] {
  const out: { index: number; gain: number }[] = [];
  let off = 0;
  for (const s of fit.sites) {
    for (let i = 0; i < s.gain.length; i++) if (s.gain[i] !== 1 || (s.bias && s.bias[i] !== 0)) out.push({ index: off + i, gain: s.gain[i]! });
    off += s.gain.length;
  }
  return out.sort((a, b) => a.gain - b.gain || a.index - b.index);
}

/** As many neurons as the method changes: at random (seeded), or those with the lowest AUROC. */
function controlNeurons(sites: readonly SiteAuroc[], fit: FitResult, control: Control, seed: number): number[] {
  const m = changedNeurons(fit).length;
  const all = sites.flatMap((s) => Array.from(s.auroc));
  const idx = Array.from({ length: all.length }, (_, i) => i);
  if (control === 'random') return shuffleInPlace(idx, mulberry32(seed)).slice(0, m);
  return idx.sort((a, b) => all[a]! - all[b]! || a - b).slice(0, m);
}

/** The method's gains, strongest first, placed on the chosen neurons in their order; the rest stay 1. */
function moveGains(fit: FitResult, sites: readonly SiteAuroc[], chosen: number[]): FitResult {
  const gains = changedNeurons(fit).map((c) => c.gain);
  const flat = new Float32Array(sites.reduce((a, s) => a + s.auroc.length, 0)).fill(1);
  chosen.forEach((g, i) => (flat[g] = gains[i]!));
  let off = 0;
  let experts = 0;
  const out = fit.sites.map((s) => {
    const gain = flat.slice(off, off + s.gain.length);
    off += s.gain.length;
    for (const g of gain) if (g !== 1) experts++;
    return { siteId: s.siteId, gain, applied: gain.slice() };
  });
  return { ...fit, sites: out, experts, strength: 1 };
}

/** A transport map's strength: its shift at the middle of its source range, relative to the range. */
function mapShift(g: number, b: number, lo: number, hi: number): number {
  const w = hi - lo;
  return w > 0 ? Math.abs((g - 1) * ((lo + hi) / 2) + b) / w : 0;
}

/** The method's maps, strongest first, rescaled onto the chosen neurons in their order; the rest identity. */
function moveMaps(fit: FitResult, transport: readonly { siteId: string; fit: TransportSite }[], chosen: number[]): FitResult {
  const lo = Float64Array.from(transport.flatMap((t) => Array.from(t.fit.lo)));
  const hi = Float64Array.from(transport.flatMap((t) => Array.from(t.fit.hi)));
  const maps: { g: number; b: number; lo: number; hi: number; shift: number; index: number }[] = [];
  let off = 0;
  for (const s of fit.sites) {
    for (let i = 0; i < s.gain.length; i++) {
      const g = s.gain[i]!;
      const b = s.bias?.[i] ?? 0;
      if (g !== 1 || b !== 0) maps.push({ g, b, lo: lo[off + i]!, hi: hi[off + i]!, shift: mapShift(g, b, lo[off + i]!, hi[off + i]!), index: off + i });
    }
    off += s.gain.length;
  }
  maps.sort((x, y) => y.shift - x.shift || x.index - y.index);
  const total = lo.length;
  const gain = new Float32Array(total).fill(1);
  const bias = new Float32Array(total);
  chosen.forEach((t, i) => {
    const m = maps[i]!;
    const ws = m.hi - m.lo;
    const wt = hi[t]! - lo[t]!;
    // A constant receiving neuron (empty range) takes the map unscaled: it never applies there but
    // counts, so the control holds exactly as many maps as the method.
    const scale = ws > 0 && wt > 0 ? wt / ws : 1;
    gain[t] = m.g;
    bias[t] = lo[t]! * (1 - m.g) + (m.b + (m.g - 1) * m.lo) * scale;
  });
  off = 0;
  let experts = 0;
  const sites = fit.sites.map((s, k) => {
    const n = s.gain.length;
    const g = gain.slice(off, off + n);
    const b = bias.slice(off, off + n);
    for (let i = 0; i < n; i++) if (g[i] !== 1 || b[i] !== 0) experts++;
    off += n;
    return { siteId: s.siteId, gain: g, applied: g.slice(), bias: b, lo: transport[k]!.fit.lo, hi: transport[k]!.fit.hi };
  });
  return { ...fit, sites, experts, strength: 1 };
}

/** A warning for each control whose intervals overlap its method's at the same strength (strength 0 is the model for all). */
export function controlOverlapWarnings(points: readonly SweepPoint[]): string[] {
  const out: string[] = [];
  for (const c of points) {
    if (!c.control || c.strength === 0 || !c.intervals) continue;
    const m = points.find((p) => p.method === c.method && p.control === null && p.strength === c.strength);
    if (!m?.intervals) continue;
    const label = `${c.method} at ${c.strength}`;
    for (const w of overlapWarnings(`${label}`, m.intervals, `its ${c.control} control`, c.intervals)) out.push(w);
  }
  return out;
}

/** The points as CSV: one row per (method, control, strength); interval and second-scorer columns empty without them. */
export function sweepCsv(points: readonly SweepPoint[]): string {
  const rows = [
    [
      'method,control,strength,samples_per_prompt',
      'toxicity_probability,toxicity_probability_low,toxicity_probability_high',
      'expected_max_toxicity,expected_max_toxicity_low,expected_max_toxicity_high',
      'mean_toxicity,perplexity,perplexity_low,perplexity_high',
      'second_scorer,second_toxicity_probability,second_expected_max_toxicity,second_mean_toxicity',
    ].join(','),
  ];
  const iv = (i: Interval | null | undefined) => (i ? [i.low, i.high] : ['', '']);
  for (const p of points) {
    const s = p.second;
    const t = p.toxicity;
    const c = p.intervals;
    rows.push(
      [
        p.method,
        p.control ?? '',
        p.strength,
        t.samplesPerPrompt,
        t.toxicityProbability,
        ...iv(c?.toxicityProbability),
        t.expectedMaxToxicity,
        ...iv(c?.expectedMaxToxicity),
        t.meanToxicity,
        p.perplexity ?? '',
        ...iv(c?.perplexity),
        s?.scorer ?? '',
        s?.toxicity.toxicityProbability ?? '',
        s?.toxicity.expectedMaxToxicity ?? '',
        s?.toxicity.meanToxicity ?? '',
      ].join(','),
    );
  }
  return rows.join('\n') + '\n';
}
