/**
 * Intervention methods, keyed by name in a registry so more slot in (as in apple/ml-aura's
 * HOOK_REGISTRY). Each turns per-neuron AUROCs into per-neuron gains at full strength:
 * - aura: gain = 1 - 2*(AUROC - 0.5) for AUROC > 0.5, else 1 (one minus the Gini coefficient).
 * - damp: the top-k neurons by AUROC over all sites get a fixed alpha (default 0.5).
 * - det0: the top-k neurons are set to 0.
 * Without k, damp and det0 take every neuron with AUROC > 0.5, as the reference does.
 * Unlike the reference, which keeps neurons strictly above the (k+1)-th AUROC and so may keep fewer
 * than k when values tie, exactly k are chosen, ties broken by site order then neuron index.
 */
import { AuraUserError } from './errors';
import { checkAurocs, topKMasks } from './experts';
import type { SiteAuroc } from './experts';
import { applyStrength, checkStrength } from './gains';
import { DEFAULT_DAMP_ALPHA, auraGain, topKExpertGain } from '../shared/method-gain';
import { builtinMethod } from '../shared/method-labels';
import { acceptMethod } from '../shared/protocol';

export interface MethodParams {
  /** Number of experts for top-k methods; null or undefined: every neuron with AUROC > 0.5. */
  k?: number | null;
  /** Damp's fixed factor. */
  alpha?: number | null;
}

export interface MethodGains {
  /** Per site, Float32Array of full-strength gains. */
  gains: Float32Array[];
  /** Per site, 1 where the method chose the neuron as an expert. */
  experts: Uint8Array[];
  /** The parameters as recorded in the intervention file (null where the method has none). */
  k: number | null;
  alpha: number | null;
}

export interface InterventionMethod {
  name: string;
  summary: string;
  /**
   * What the panel shows: its picker's label (default: the name) and description (default: the
   * summary), and whether it takes a top-k and an alpha (default: neither) and the alpha it starts from.
   */
  label?: string;
  description?: string;
  takesK?: boolean;
  takesAlpha?: boolean;
  defaultAlpha?: number | null;
  fit(sites: readonly SiteAuroc[], params: MethodParams): MethodGains;
}

const registry = new Map<string, InterventionMethod>();

export function registerMethod(method: InterventionMethod): void {
  if (registry.has(method.name)) throw new Error(`intervention method ${method.name} is already registered`);
  registry.set(method.name, method);
  // The panel may then ask for it by name (src/shared/protocol.ts checks page messages on arrival).
  acceptMethod(method.name);
}

export function methodNames(): string[] {
  return [...registry.keys()];
}

/** The registered methods, in registration order. */
export function registeredMethods(): InterventionMethod[] {
  return [...registry.values()];
}

/** A built-in method's panel fields, from the one shared list. */
function panelFields(id: string): Required<Pick<InterventionMethod, 'label' | 'description' | 'takesK' | 'takesAlpha' | 'defaultAlpha'>> {
  const { label, description, takesK, takesAlpha, defaultAlpha } = builtinMethod(id);
  return { label, description, takesK, takesAlpha, defaultAlpha };
}

export function getMethod(name: string): InterventionMethod {
  const m = registry.get(name);
  if (!m) throw new AuraUserError(`--method: unknown method "${name}"; expected one of ${methodNames().join(', ')}`);
  return m;
}

function aboveHalf(sites: readonly SiteAuroc[]): Uint8Array[] {
  return sites.map(({ auroc }) => Uint8Array.from(auroc, (a) => (a > 0.5 ? 1 : 0)));
}

/** Experts: every neuron with AUROC > 0.5, or exactly the top k over all sites. */
function selectExperts(sites: readonly SiteAuroc[], k: number | null | undefined): Uint8Array[] {
  if (k === null || k === undefined) return aboveHalf(sites);
  const total = sites.reduce((n, s) => n + s.auroc.length, 0);
  if (!Number.isInteger(k) || k < 1) throw new AuraUserError(`--k: ${k} is not a positive integer`);
  if (k > total) throw new AuraUserError(`--k: ${k} experts asked for, but the sites have only ${total} neurons`);
  return topKMasks(sites, k);
}

function noParam(method: string, flag: string, value: number | null | undefined, why: string): void {
  if (value !== null && value !== undefined) throw new AuraUserError(`--${flag}: ${method} takes no ${flag} (${why})`);
}

registerMethod({
  name: 'aura',
  ...panelFields('aura'),
  summary: 'dampen each neuron with AUROC > 0.5 by 1 - 2*(AUROC - 0.5); no hyperparameter',
  fit(sites, params) {
    noParam('aura', 'k', params.k, 'it dampens every neuron with AUROC > 0.5; use damp or det0 for top-k');
    noParam('aura', 'alpha', params.alpha, 'its factors come from the AUROC');
    const experts = aboveHalf(sites);
    const gains = sites.map(({ auroc }) => Float32Array.from(auroc, auraGain));
    return { gains, experts, k: null, alpha: null };
  },
});

registerMethod({
  name: 'damp',
  ...panelFields('damp'),
  summary: 'multiply the top-k neurons by AUROC (over all sites) by a fixed alpha (default 0.5)',
  fit(sites, params) {
    const alpha = params.alpha ?? DEFAULT_DAMP_ALPHA;
    if (!Number.isFinite(alpha)) throw new AuraUserError(`--alpha: ${alpha} is not a finite number`);
    const experts = selectExperts(sites, params.k);
    const g = topKExpertGain('damp', alpha);
    const gains = experts.map((mask) => Float32Array.from(mask, (e) => (e ? g : 1)));
    return { gains, experts, k: params.k ?? null, alpha };
  },
});

registerMethod({
  name: 'det0',
  ...panelFields('det0'),
  summary: 'set the top-k neurons by AUROC (over all sites) to zero',
  fit(sites, params) {
    noParam('det0', 'alpha', params.alpha, 'its experts are set to 0');
    const experts = selectExperts(sites, params.k);
    const g = topKExpertGain('det0', null);
    const gains = experts.map((mask) => Float32Array.from(mask, (e) => (e ? g : 1)));
    return { gains, experts, k: params.k ?? null, alpha: null };
  },
});

/** A gain set by hand (in the panel) for one neuron; it replaces the method's full-strength gain. */
export interface GainOverride {
  siteId: string;
  neuron: number;
  gain: number;
}

export interface FitOptions extends MethodParams {
  /** Default 1. */
  strength?: number;
  overrides?: readonly GainOverride[];
}

export interface SiteGains {
  siteId: string;
  /** Full-strength gains: what the intervention file stores. Float32Array(neurons). */
  gain: Float32Array;
  /** The factors applied at `strength`: 1 - s*(1 - gain). */
  applied: Float32Array;
  /** Transport maps: the full-strength shift, and the source range the map applies strictly inside. */
  bias?: Float32Array;
  lo?: Float32Array;
  hi?: Float32Array;
}

export interface FitResult {
  method: string;
  sites: SiteGains[];
  /** Neurons the method chose, plus overridden neurons with gain != 1, minus those overridden to 1. */
  experts: number;
  neurons: number;
  strength: number;
  k: number | null;
  alpha: number | null;
}

/** Runs a method, applies per-neuron overrides, then the strength. */
export function fitIntervention(method: string, sites: readonly SiteAuroc[], options: FitOptions = {}): FitResult {
  const m = getMethod(method);
  const strength = options.strength ?? 1;
  checkStrength(strength);
  checkAurocs(sites);
  const fitted = m.fit(sites, options);
  applyOverrides(sites, fitted, options.overrides ?? []);
  let experts = 0;
  for (const mask of fitted.experts) for (const e of mask) experts += e;
  return {
    method,
    sites: sites.map((s, i) => ({ siteId: s.siteId, gain: fitted.gains[i], applied: applyStrength(fitted.gains[i], strength) })),
    experts,
    neurons: sites.reduce((n, s) => n + s.auroc.length, 0),
    strength,
    k: fitted.k,
    alpha: fitted.alpha,
  };
}

function applyOverrides(sites: readonly SiteAuroc[], fitted: MethodGains, overrides: readonly GainOverride[]): void {
  const index = new Map(sites.map((s, i) => [s.siteId, i]));
  for (const o of overrides) {
    const i = index.get(o.siteId);
    if (i === undefined) throw new AuraUserError(`override: unknown site ${o.siteId}`);
    const n = fitted.gains[i].length;
    if (!Number.isInteger(o.neuron) || o.neuron < 0 || o.neuron >= n) {
      throw new AuraUserError(`override: neuron ${o.neuron} is out of range for site ${o.siteId} (0..${n - 1})`);
    }
    if (!Number.isFinite(o.gain)) throw new AuraUserError(`override: gain ${o.gain} of ${o.siteId}[${o.neuron}] is not a finite number`);
    fitted.gains[i][o.neuron] = o.gain;
    fitted.experts[i][o.neuron] = o.gain === 1 ? 0 : 1;
  }
}
