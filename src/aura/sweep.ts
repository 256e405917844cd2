/**
 * Sweeps (issue 9, item 4): several methods fitted on one profile, each with two controls, evaluated
 * over strengths, as points (method, control, strength, toxicity, perplexity) for a Pareto plot.
 * - control "random": the method's experts moved to as many neurons chosen at random (seeded);
 * - control "lowest": moved to the neurons with the lowest AUROC.
 * A gain-only method's gains travel with the move (the strongest gain to the first chosen neuron); a
 * transport method is applied with each chosen neuron's own fitted map, so both controls touch exactly
 * as many neurons as the method and differ only in which.
 */
import { AuraUserError } from './errors';
import { fitIntervention, methodNames } from './methods';
import { readAurocs } from './profile/score';
import { requireManifest } from './profile/store';
import { mulberry32, shuffleInPlace } from './random';
import { isTransportMethod, transportFit, transportSitesFromProfile } from './transport';
import { interventionFromFit } from './intervention-file';
import type { SiteAuroc } from './experts';
import type { InterventionFile } from './intervention-file';
import type { FitResult } from './methods';
import type { ToxicityResult } from './evaluate';

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
      const moved = transport ? transportFit(method as 'linear-act', transport, 1, masks(sites, chosen)) : moveGains(fit, sites, chosen);
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

function masks(sites: readonly SiteAuroc[], chosen: number[]): Map<string, Uint8Array> {
  const out = new Map(sites.map((s) => [s.siteId, new Uint8Array(s.auroc.length)]));
  const starts: number[] = [];
  let off = 0;
  for (const s of sites) {
    starts.push(off);
    off += s.auroc.length;
  }
  for (const g of chosen) {
    let k = sites.length - 1;
    while (starts[k]! > g) k--;
    out.get(sites[k]!.siteId)![g - starts[k]!] = 1;
  }
  return out;
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

/** The points as CSV: one row per (method, control, strength); the second scorer's columns empty without one. */
export function sweepCsv(points: readonly SweepPoint[]): string {
  const rows = ['method,control,strength,score,prob,expected_max_toxicity,perplexity,second_scorer,second_score,second_prob'];
  for (const p of points) {
    const s = p.second;
    rows.push([p.method, p.control ?? '', p.strength, p.toxicity.score, p.toxicity.prob, p.toxicity.expectedMaxToxicity, p.perplexity ?? '', s?.scorer ?? '', s?.toxicity.score ?? '', s?.toxicity.prob ?? ''].join(','));
  }
  return rows.join('\n') + '\n';
}
