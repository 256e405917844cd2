// The single intervention state: method, strength, top-k, alpha and per-neuron overrides over the
// AUROCs of the current profile (or of an imported file). Every change refits through the same
// fitIntervention the CLI uses, so the panel, the previews and the exports agree on every gain.
import { AuraUserError } from '../aura/errors';
import { applyStrength, scaleBias } from '../aura/gains';
import { fitIntervention } from '../aura/methods';
import { isTransportMethod, transportFit } from '../aura/transport';
import { Emitter } from './events';
import type { SiteAuroc } from '../aura/experts';
import type { InterventionFile } from '../aura/intervention-file';
import type { FitResult } from '../aura/methods';
import type { TransportMethod, TransportSite } from '../aura/transport';
import type { InterventionSettings, InterventionSnapshot, NeuronOverride } from '../shared/protocol';
import type { GainMap, ShiftMap } from './model-host/api';

export const DEFAULT_SETTINGS: InterventionSettings = { method: 'aura', strength: 1, k: null, alpha: null };
const DEFAULT_DAMP_ALPHA = 0.5;
const GAIN_METHODS = ['aura', 'damp', 'det0'] as const;
/** A range no float32 response leaves: a hand-set gain on a transport neuron applies everywhere. */
const FLT_MAX = 3.4028234663852886e38;

/** Per transport method, each site's full-strength map (fitted in the model process from the profile's mean-pooled responses). */
export type TransportFits = ReadonlyMap<TransportMethod, readonly { siteId: string; fit: TransportSite }[]>;

export class InterventionState {
  private aurocs: SiteAuroc[] = [];
  private settings: InterventionSettings = DEFAULT_SETTINGS;
  private overrides = new Map<string, NeuronOverride>();
  private importedFrom: string | undefined;
  private fit: FitResult | undefined;
  /** The full-strength fit for the current method, parameters and overrides: a strength change reuses it. */
  private fullFit: { key: string; fit: FitResult } | undefined;
  private gains: GainMap | undefined;
  /** An imported file's full-strength bias (and range), kept as long as its import is current. */
  private imported: Map<string, { bias: Float32Array; lo?: Float32Array; hi?: Float32Array }> | undefined;
  private shifts: ShiftMap | undefined;
  /** Linear-AcT and Mean-AcT for the current profile (or an imported transport file); absent: gain methods only. */
  private transport: TransportFits | undefined;
  private readonly changed = new Emitter<InterventionSnapshot>();
  readonly onDidChange = this.changed.event;

  /** A new profile: same method and strength (AurA when its transport maps are missing), fresh AUROCs, no overrides. */
  setAurocs(sites: SiteAuroc[], transport?: TransportFits): void {
    this.aurocs = sites;
    this.transport = transport;
    if (isTransportMethod(this.settings.method) && !transport?.has(this.settings.method)) this.settings = { ...this.settings, method: 'aura' };
    this.fullFit = undefined;
    this.overrides.clear();
    this.importedFrom = undefined;
    this.imported = undefined;
    this.settings = normalize(this.settings, this.total());
    this.refit();
  }

  clear(): void {
    this.aurocs = [];
    this.transport = undefined;
    this.fullFit = undefined;
    this.overrides.clear();
    this.importedFrom = undefined;
    this.imported = undefined;
    this.refit();
  }

  get hasAurocs(): boolean {
    return this.aurocs.length > 0;
  }

  update(settings: InterventionSettings): void {
    if (isTransportMethod(settings.method) && !this.transport?.has(settings.method)) {
      throw new AuraUserError(`${settings.method} is fitted from a profile's mean-pooled responses: profile a concept first (a sketch profile keeps none)`);
    }
    this.settings = normalize(settings, this.total());
    this.refit();
  }

  /** A hand-set full-strength gain for one neuron; null removes the override. */
  setOverride(site: string, neuron: number, gain: number | null): void {
    const s = this.aurocs.find((x) => x.siteId === site);
    if (!s) throw new AuraUserError(`override: unknown site ${site}`);
    if (!(neuron >= 0 && neuron < s.auroc.length)) throw new AuraUserError(`override: neuron ${neuron} is out of range for ${site}`);
    const key = `${site}:${neuron}`;
    if (gain === null) this.overrides.delete(key);
    else this.overrides.set(key, { site, neuron, gain });
    this.refit();
  }

  /**
   * Takes an intervention file: its method and parameters, the AUROCs it carries (or the profile's,
   * or none), and overrides wherever its gains differ from what the method gives, so the state
   * reproduces the file's gains exactly.
   */
  importFile(file: InterventionFile, path: string): void {
    // Checked before anything changes: a refused file leaves the current intervention as it was.
    const method = panelMethod(file.method, path);
    const known = new Map(this.aurocs.map((s) => [s.siteId, s.auroc]));
    this.fullFit = undefined;
    this.aurocs = Object.entries(file.sites).map(([siteId, site]) => ({
      siteId,
      auroc: site.auroc ?? known.get(siteId) ?? new Float64Array(site.neurons).fill(0.5),
    }));
    this.settings = normalize({ method, strength: file.params.strength, k: file.params.k, alpha: file.params.alpha }, this.total());
    this.overrides.clear();
    if (isTransportMethod(method)) {
      // The file's maps as they are (gain, bias, range): the transport fit then gives back its numbers.
      const fits = Object.entries(file.sites).map(([siteId, site]) => ({ siteId, fit: transportSiteOf(site) }));
      this.transport = new Map([...(this.transport ?? []), [method, fits]]);
      this.importedFrom = path;
      this.imported = undefined;
      this.refit();
      return;
    }
    const fitted = fitIntervention(method, this.aurocs, params(this.settings));
    fitted.sites.forEach((s) => {
      const wanted = file.sites[s.siteId]!.gain;
      for (let j = 0; j < wanted.length; j++) {
        if (wanted[j] !== s.gain[j]) this.overrides.set(`${s.siteId}:${j}`, { site: s.siteId, neuron: j, gain: wanted[j]! });
      }
    });
    this.importedFrom = path;
    // The file's bias is applied as it is, scaled by the strength like the gains (issue 10, item 6).
    const extras = Object.entries(file.sites).filter(([, site]) => site.bias);
    this.imported = extras.length ? new Map(extras.map(([id, site]) => [id, { bias: site.bias! }])) : undefined;
    this.refit();
  }

  snapshot(): InterventionSnapshot {
    let affected = 0;
    for (const [id, g] of this.gains ?? []) {
      const bias = this.shifts?.get(id)?.bias;
      for (let i = 0; i < g.length; i++) if (g[i] !== 1 || (bias && bias[i] !== 0)) affected++;
    }
    // Absent means the three gain methods (the protocol's default).
    const methods = this.transport?.size ? { methods: [...GAIN_METHODS, ...this.transport.keys()] } : {};
    return { ...this.settings, overrides: [...this.overrides.values()], ...methods, affected, ...(this.importedFrom ? { importedFrom: this.importedFrom } : {}) };
  }

  /** The factors to apply now (at the current strength); undefined before any profile. A new Map per change. */
  appliedGains(): GainMap | undefined {
    return this.gains;
  }

  /** An imported file's bias at the current strength, per site; undefined when there is none. */
  appliedShifts(): ShiftMap | undefined {
    return this.shifts;
  }

  result(): FitResult | undefined {
    return this.fit;
  }

  current(): InterventionSettings {
    return this.settings;
  }

  /** Full-strength and applied gain of one neuron. */
  gainOf(site: string, neuron: number): { gain: number; applied: number } {
    const s = this.fit?.sites.find((x) => x.siteId === site);
    return { gain: s?.gain[neuron] ?? 1, applied: s?.applied[neuron] ?? 1 };
  }

  aurocSites(): readonly SiteAuroc[] {
    return this.aurocs;
  }

  dispose(): void {
    this.changed.dispose();
  }

  private refit(): void {
    if (this.aurocs.length === 0) {
      this.fit = undefined;
      this.fullFit = undefined;
      this.gains = undefined;
      this.shifts = undefined;
    } else {
      // Dragging the strength slider only rescales: fitting 50,000 neurons again each step would
      // cost the extension host tens of milliseconds per event. fitIntervention applies the strength
      // with the same applyStrength, so the numbers are identical.
      const full = this.fullStrengthFit();
      const s = this.settings.strength;
      const sites = full.sites.map((x) => ({ siteId: x.siteId, gain: x.gain, applied: s === 1 ? x.applied : applyStrength(x.gain, s) }));
      // A transport fit carries its bias and range; an imported gain file may carry a bias.
      const extras = isTransportMethod(this.settings.method)
        ? new Map(full.sites.map((x) => [x.siteId, { bias: x.bias!, ...(x.lo && x.hi && bounded(x.lo, x.hi) ? { lo: x.lo, hi: x.hi } : {}) }]))
        : this.imported;
      const withBias = sites.map((x) => (extras?.has(x.siteId) ? { ...x, ...extras.get(x.siteId)! } : x));
      this.fit = { ...full, sites: withBias, strength: s };
      this.gains = new Map(sites.map((x) => [x.siteId, x.applied]));
      this.shifts = extras ? new Map([...extras].map(([id, v]) => [id, { ...v, bias: scaleBias(v.bias, s) }])) : undefined;
    }
    this.changed.fire(this.snapshot());
  }

  private fullStrengthFit(): FitResult {
    const { method } = this.settings;
    const overrides = [...this.overrides.values()].map((o) => ({ siteId: o.site, neuron: o.neuron, gain: o.gain }));
    const key = JSON.stringify([method, params(this.settings), overrides]);
    if (this.fullFit?.key !== key) {
      const fit = isTransportMethod(method) ? transportWithOverrides(transportFit(method, this.transport!.get(method)!, 1), overrides) : fitIntervention(method, this.aurocs, { ...params(this.settings), strength: 1, overrides });
      this.fullFit = { key, fit };
    }
    return this.fullFit.fit;
  }

  private total(): number {
    return this.aurocs.reduce((n, s) => n + s.auroc.length, 0);
  }
}

/**
 * The panel's method for an imported file's method name. Unknown names are an error, never AurA; the
 * transport methods (linear-act, mean-act) need the profile's responses the panel does not refit from.
 */
function panelMethod(method: string, path: string): InterventionSettings['method'] {
  if (method === 'aura' || method === 'damp' || method === 'det0' || method === 'linear-act' || method === 'mean-act') return method;
  throw new AuraUserError(`${path}: method ${JSON.stringify(method).slice(0, 60)} is unknown; expected aura, damp, det0, linear-act or mean-act`);
}

/** Some neuron's range is narrower than the whole line (a version 1 file's, or all hand-set, is not). */
function bounded(lo: Float32Array, hi: Float32Array): boolean {
  for (let i = 0; i < lo.length; i++) if (lo[i]! > -FLT_MAX || hi[i]! < FLT_MAX) return true;
  return false;
}

/** An imported file's site as a transport map: no range (a version 1 file) is the whole line. */
function transportSiteOf(site: InterventionFile['sites'][string]): TransportSite {
  const n = site.gain.length;
  const bias = site.bias ?? new Float32Array(n);
  const lo = site.lo ?? new Float32Array(n).fill(-FLT_MAX);
  const hi = site.hi ?? new Float32Array(n).fill(FLT_MAX);
  const changed = Uint8Array.from(site.gain, (g, i) => ((g !== 1 || bias[i] !== 0) && lo[i]! < hi[i]! ? 1 : 0));
  return { gain: site.gain, bias, lo, hi, changed };
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
function params(s: InterventionSettings): { k?: number | null; alpha?: number | null } {
  if (s.method === 'aura' || isTransportMethod(s.method)) return {};
  if (s.method === 'det0') return { k: s.k };
  return { k: s.k, alpha: s.alpha };
}

/** Keeps only the fields a method uses, with k within the neurons there are. */
export function normalize(s: InterventionSettings, total: number): InterventionSettings {
  const strength = Math.min(1, Math.max(0, s.strength));
  if (s.method === 'linear-act' || s.method === 'mean-act') return { method: s.method, strength, k: null, alpha: null };
  if (s.method === 'aura') return { method: 'aura', strength, k: null, alpha: null };
  const k = s.k === null ? null : total > 0 ? Math.min(Math.max(1, Math.round(s.k)), total) : Math.max(1, Math.round(s.k));
  if (s.method === 'det0') return { method: 'det0', strength, k, alpha: null };
  return { method: 'damp', strength, k, alpha: s.alpha ?? DEFAULT_DAMP_ALPHA };
}
