// The intervention's numbers from its inputs: the profile's AUROCs (or an imported file's), the
// transport maps, an imported bias, the method's settings and the hand-set overrides. Pure, so it runs
// the same on the extension host's thread (small profiles) and in the fit worker (fit-worker.ts) for
// big ones, where fitting 1.4M neurons takes half a second that the host's event loop must not spend.
import { applyStrength, scaleBias } from '../aura/gains';
import { fitIntervention } from '../aura/methods';
import { isTransportMethod, transportFit } from '../aura/transport';
import type { SiteAuroc } from '../aura/experts';
import type { FitResult } from '../aura/methods';
import type { TransportMethod, TransportSite } from '../aura/transport';
import type { InterventionSettings, NeuronOverride } from '../shared/protocol';
import type { GainMap, ShiftMap } from './model-host/api';

/** A range no float32 response leaves: a hand-set gain on a transport neuron applies everywhere. */
export const FLT_MAX = 3.4028234663852886e38;

/** Per transport method, each site's full-strength map (fitted in the model process from the profile's mean-pooled responses). */
export type TransportFits = ReadonlyMap<TransportMethod, readonly { siteId: string; fit: TransportSite }[]>;

/** An imported gain file's full-strength bias per site, kept as long as its import is current. */
export type ImportedBias = ReadonlyMap<string, { bias: Float32Array; lo?: Float32Array; hi?: Float32Array }>;

/** What the fit starts from; replaced as a whole on a new profile or an import. */
export interface FitInputs {
  aurocs: readonly SiteAuroc[];
  transport?: TransportFits | undefined;
  imported?: ImportedBias | undefined;
}

export interface FitOutput {
  fit: FitResult;
  /** The factors to apply now (at the current strength), per site. */
  gains: GainMap;
  shifts?: ShiftMap;
  /** Neurons whose applied gain is not 1 or whose bias is not 0. */
  affected: number;
}

export class InterventionFitter {
  private inputs: FitInputs = { aurocs: [] };
  /** The full-strength fit for a method, parameters and overrides: a strength change reuses it. */
  private fullFit: { key: string; fit: FitResult } | undefined;

  load(inputs: FitInputs): void {
    this.inputs = inputs;
    this.fullFit = undefined;
  }

  /** What fits start from now (an import plans over the current profile's AUROCs and maps). */
  get loaded(): FitInputs {
    return this.inputs;
  }

  run(settings: InterventionSettings, overrides: readonly NeuronOverride[]): FitOutput {
    // Dragging the strength slider only rescales: fitIntervention applies the strength with the same
    // applyStrength, so the numbers are identical to a fresh fit at that strength.
    const full = this.fullStrengthFit(settings, overrides);
    const s = settings.strength;
    const sites = full.sites.map((x) => ({ siteId: x.siteId, gain: x.gain, applied: s === 1 ? x.applied : applyStrength(x.gain, s) }));
    // A transport fit carries its bias and range; an imported gain file may carry a bias.
    const extras: ImportedBias | undefined = isTransportMethod(settings.method)
      ? new Map(full.sites.map((x) => [x.siteId, { bias: x.bias!, ...(x.lo && x.hi && bounded(x.lo, x.hi) ? { lo: x.lo, hi: x.hi } : {}) }]))
      : this.inputs.imported;
    const withBias = sites.map((x) => (extras?.has(x.siteId) ? { ...x, ...extras.get(x.siteId)! } : x));
    const gains: GainMap = new Map(sites.map((x) => [x.siteId, x.applied]));
    const shifts: ShiftMap | undefined = extras ? new Map([...extras].map(([id, v]) => [id, { ...v, bias: scaleBias(v.bias, s) }])) : undefined;
    return { fit: { ...full, sites: withBias, strength: s }, gains, ...(shifts ? { shifts } : {}), affected: countAffected(gains, shifts) };
  }

  private fullStrengthFit(settings: InterventionSettings, overrides: readonly NeuronOverride[]): FitResult {
    const { method } = settings;
    const list = overrides.map((o) => ({ siteId: o.site, neuron: o.neuron, gain: o.gain }));
    const key = JSON.stringify([method, params(settings), list]);
    if (this.fullFit?.key !== key) {
      const fit = isTransportMethod(method)
        ? transportWithOverrides(transportFit(method, this.inputs.transport!.get(method)!, 1), list)
        : fitIntervention(method, this.inputs.aurocs, { ...params(settings), strength: 1, overrides: list });
      this.fullFit = { key, fit };
    }
    return this.fullFit.fit;
  }
}

function countAffected(gains: GainMap, shifts: ShiftMap | undefined): number {
  let affected = 0;
  for (const [id, g] of gains) {
    const bias = shifts?.get(id)?.bias;
    for (let i = 0; i < g.length; i++) if (g[i] !== 1 || (bias && bias[i] !== 0)) affected++;
  }
  return affected;
}

/** Some neuron's range is narrower than the whole line (a version 1 file's, or all hand-set, is not). */
function bounded(lo: Float32Array, hi: Float32Array): boolean {
  for (let i = 0; i < lo.length; i++) if (lo[i]! > -FLT_MAX || hi[i]! < FLT_MAX) return true;
  return false;
}

/**
 * A hand-set gain replaces the neuron's map: y = gain*x everywhere (no shift, an unbounded range), so
 * the slider means for a transport neuron what it means for any other.
 */
function transportWithOverrides(fit: FitResult, overrides: readonly { siteId: string; neuron: number; gain: number }[]): FitResult {
  if (overrides.length === 0) return fit;
  const sites = fit.sites.map((x) => ({ ...x, gain: x.gain.slice(), bias: x.bias!.slice(), lo: x.lo!.slice(), hi: x.hi!.slice() }));
  const byId = new Map(sites.map((x) => [x.siteId, x]));
  for (const o of overrides) {
    const x = byId.get(o.siteId);
    if (!x) continue;
    x.gain[o.neuron] = o.gain;
    x.bias[o.neuron] = 0;
    x.lo[o.neuron] = -FLT_MAX;
    x.hi[o.neuron] = FLT_MAX;
  }
  return { ...fit, sites: sites.map((x) => ({ ...x, applied: x.gain.slice() })) };
}

/** The parameters each method takes (fitIntervention rejects the others). */
export function params(s: InterventionSettings): { k?: number | null; alpha?: number | null } {
  if (s.method === 'aura' || isTransportMethod(s.method)) return {};
  if (s.method === 'det0') return { k: s.k };
  return { k: s.k, alpha: s.alpha };
}
