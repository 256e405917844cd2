// The single intervention state: method, strength, top-k, alpha and per-neuron overrides over the
// AUROCs of the current profile (or of an imported file). Every change refits through the same
// fitIntervention the CLI uses, so the panel, the previews and the exports agree on every gain.
// Small profiles fit here at once; from OFFLOAD_MIN_NEURONS on the fit runs in a worker thread
// (fit-client.ts): at 1.4M neurons it takes ~0.5 s, which the extension host's event loop must not
// spend. Until a fit lands the previous one stays current; ready() waits for the latest.
import { basename } from 'node:path';
import { combineInterventions, readProfilePair } from '../aura/concepts';
import { AuraUserError } from '../aura/errors';
import { INTERVENTION_FORMAT } from '../aura/intervention-schema';
import { fitIntervention, methodNames } from '../aura/methods';
import { isTransportMethod } from '../aura/transport';
import { Emitter } from './events';
import { knownMethod, normalize, planImport } from './intervention-import';
import type { ImportPlan, ImportTarget } from './intervention-import';
import { FitClient } from './fit-client';
import { params } from './intervention-fit';
import type { SiteAuroc } from '../aura/experts';
import type { CombineRule } from '../aura/concepts';
import type { CombinedFrom, InterventionFile } from '../aura/intervention-file';
import type { FitResult } from '../aura/methods';
import type { ComparisonSnapshot, InterventionSettings, InterventionSnapshot, NeuronOverride } from '../shared/protocol';
import type { FitInputs, FitOutput, ImportedBias, TransportFits } from './intervention-fit';

export { normalize } from './intervention-import';
import type { GainMap, ShiftMap } from './model-host/api';

export type { TransportFits } from './intervention-fit';

export const DEFAULT_SETTINGS: InterventionSettings = { method: 'aura', strength: 1, k: null, alpha: null };
/** Below this many neurons a fit takes under ~20 ms here, and fitting at once keeps the slider path short. */
export const OFFLOAD_MIN_NEURONS = 100_000;

export interface InterventionStateOptions {
  /** Where fits run; a worker thread for big profiles by default. */
  fits?: FitClient;
  /** Profiles with at least this many neurons fit in the worker. */
  offloadMinNeurons?: number;
}

export class InterventionState {
  private aurocs: SiteAuroc[] = [];
  private settings: InterventionSettings = DEFAULT_SETTINGS;
  private overrides = new Map<string, NeuronOverride>();
  private importedFrom: string | undefined;
  /** Set by combineWithProfile: the rule and inputs (for an export's `combined` field) and the panel's line. */
  private combined: { from: CombinedFrom; label: string } | undefined;
  private current_: FitOutput | undefined;
  /** An imported file's full-strength bias (and range), kept as long as its import is current. */
  private imported: ImportedBias | undefined;
  /** Linear-AcT and Mean-AcT for the current profile (or an imported transport file); absent: gain methods only. */
  private transport: TransportFits | undefined;
  private readonly fits: FitClient;
  private readonly offloadMin: number;
  /** Counts refits: a worker's answer for an older one is dropped. */
  private version = 0;
  private inflight: Promise<void> = Promise.resolve();
  private failure: Error | undefined;
  private readonly changed = new Emitter<InterventionSnapshot>();
  readonly onDidChange = this.changed.event;

  constructor(o: InterventionStateOptions = {}) {
    this.fits = o.fits ?? new FitClient();
    this.offloadMin = o.offloadMinNeurons ?? OFFLOAD_MIN_NEURONS;
  }

  /** A new profile: same method and strength (AurA when its transport maps are missing), fresh AUROCs, no overrides. */
  setAurocs(sites: SiteAuroc[], transport?: TransportFits): void {
    this.aurocs = sites;
    this.transport = transport;
    if (isTransportMethod(this.settings.method) && !transport?.has(this.settings.method)) this.settings = { ...this.settings, method: 'aura' };
    this.overrides.clear();
    this.importedFrom = undefined;
    this.imported = undefined;
    this.combined = undefined;
    this.settings = normalize(this.settings, this.total());
    this.loadInputs();
    this.refit();
  }

  clear(): void {
    this.aurocs = [];
    this.transport = undefined;
    this.overrides.clear();
    this.importedFrom = undefined;
    this.imported = undefined;
    this.combined = undefined;
    this.loadInputs();
    this.refit();
  }

  get hasAurocs(): boolean {
    return this.aurocs.length > 0;
  }

  /** Fits answered by the worker thread so far (tests check that big fits leave the host's thread). */
  get workerFits(): number {
    return this.fits.workerFits;
  }

  /** Intervention files the worker thread read and fitted so far. */
  get workerImports(): number {
    return this.fits.workerImports;
  }

  /** The open profile against another (the panel's Compare concepts card), read on the fit worker's thread. */
  compareProfiles(dirA: string, dirB: string): Promise<ComparisonSnapshot> {
    return this.fits.compare(dirA, dirB);
  }

  /**
   * The compare card's "Combine with this concept": the current method and settings (overrides
   * included) fitted on the profile in `dirB` too, and the two combined per neuron by `rule` with
   * combineInterventions, as `fit --combine` does with two saved files. The result becomes the current
   * intervention at strength 1: the current method's gains on A, with every neuron the combination
   * changes set by hand, so previews, evaluation and export all apply it. `dirA` is the open profile.
   */
  combineWithProfile(dirA: string, dirB: string, rule: CombineRule): void {
    const { method } = this.settings;
    if (isTransportMethod(method)) throw new AuraUserError(`${method}: a transport map's bias and range do not combine neuron by neuron; choose AurA, Damp or Det0 to combine concepts`);
    if (this.imported) throw new AuraUserError(`${this.importedFrom ?? 'the imported file'}: carries a bias, which does not combine neuron by neuron; combine gain-only interventions`);
    const pair = readProfilePair(dirA, dirB);
    const shape = (ids: { id: string; n: number }[]) => ids.map((x) => `${x.id}:${x.n}`).join(',');
    if (shape(pair.sites.map((x) => ({ id: x.id, n: x.a.length }))) !== shape(this.aurocs.map((x) => ({ id: x.siteId, n: x.auroc.length })))) {
      throw new AuraUserError(`${dirA}: is not the profile the panel's intervention is fitted on (other sites); open it again before combining`);
    }
    const list = [...this.overrides.values()].map((o) => ({ siteId: o.site, neuron: o.neuron, gain: o.gain }));
    const fitOn = (sites: readonly SiteAuroc[], overrides: typeof list) => fitIntervention(method, sites, { ...params(this.settings), strength: 1, overrides });
    const nameA = basename(dirA) || dirA;
    const nameB = basename(dirB) || dirB;
    const fileOf = (fit: FitResult, source: string): InterventionFile => ({
      format: INTERVENTION_FORMAT,
      version: 1,
      model: { name: 'panel' },
      method,
      params: { strength: this.settings.strength, pooling: pair.manifests[0].pooling, k: this.settings.k, alpha: this.settings.alpha },
      data: { positives: 0, negatives: 0, source },
      sites: Object.fromEntries(fit.sites.map((x) => [x.siteId, { neurons: x.gain.length, gain: x.gain }])),
    });
    // A keeps the hand-set gains (they are part of the current intervention); B is the method's fit alone.
    const a = fileOf(fitOn(this.aurocs, list), dirA);
    const b = fileOf(fitOn(pair.sites.map((x) => ({ siteId: x.id, auroc: x.b })), []), dirB);
    const c = combineInterventions([{ path: dirA, file: a }, { path: dirB, file: b }], rule);
    const plain = fitOn(this.aurocs, []);
    const overrides = new Map<string, NeuronOverride>();
    for (const x of plain.sites) {
      const wanted = c.sites[x.siteId]!.gain;
      for (let j = 0; j < wanted.length; j++) if (wanted[j] !== x.gain[j]) overrides.set(`${x.siteId}:${j}`, { site: x.siteId, neuron: j, gain: wanted[j]! });
    }
    this.overrides = overrides;
    this.settings = { ...this.settings, strength: 1 };
    this.combined = { from: c.combined!, label: `${rule} of ${nameA} and ${nameB}` };
    this.refit();
  }

  /** The rule and inputs of the last combination, while it is the current intervention. */
  combinedFrom(): CombinedFrom | undefined {
    return this.combined?.from;
  }

  /** True while a fit runs in the worker (the gains in use are the previous fit's). */
  get fitting(): boolean {
    return this.pendingVersion !== undefined;
  }

  update(settings: InterventionSettings): void {
    knownMethod(settings.method, 'method');
    if (isTransportMethod(settings.method) && !this.transport?.has(settings.method)) {
      throw new AuraUserError(`${settings.method} is fitted from a profile's mean-pooled responses: profile a concept first (a sketch profile keeps none)`);
    }
    this.settings = normalize(settings, this.total());
    this.refit();
  }

  /**
   * Settings and hand-set gains at once, fitted once: an intervention kept in the workspace state put
   * back on its profile after a reload. Gains naming no neuron of this profile are left out; returns
   * how many.
   */
  restore(settings: InterventionSettings, overrides: readonly NeuronOverride[]): number {
    knownMethod(settings.method, 'method');
    if (isTransportMethod(settings.method) && !this.transport?.has(settings.method)) {
      throw new AuraUserError(`${settings.method} is fitted from a profile's mean-pooled responses, which this profile does not keep`);
    }
    const sizes = new Map(this.aurocs.map((s) => [s.siteId, s.auroc.length]));
    let skipped = 0;
    this.overrides.clear();
    for (const o of overrides) {
      const n = sizes.get(o.site);
      if (n === undefined || !(o.neuron >= 0 && o.neuron < n)) skipped++;
      else this.overrides.set(`${o.site}:${o.neuron}`, { site: o.site, neuron: o.neuron, gain: o.gain });
    }
    this.settings = normalize(settings, this.total());
    this.refit();
    return skipped;
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
   * reproduces the file's gains exactly. On this thread: importPath is what the extension uses.
   */
  importFile(file: InterventionFile, path: string): void {
    // Planned before anything changes: a refused file leaves the current intervention as it was.
    this.applyPlan(planImport(file, path, this.inputs()));
    this.loadInputs();
    this.refit();
  }

  /**
   * Imports the file at `path`: read, checked against the model, planned and fitted in the fit
   * worker, so the extension host's thread only takes the result (issue 23 item 10). Without a
   * worker (a bundle built without it) the same runs here. A refused file changes nothing.
   */
  async importPath(path: string, target: ImportTarget): Promise<void> {
    const started = this.version;
    const work = this.fits.importFile(path, target);
    // Previews and exports wait for the import as for a fit; a failed import is the caller's error only.
    this.inflight = work.then(
      () => undefined,
      () => undefined,
    );
    const { plan, output } = await work;
    this.applyPlan(plan);
    if (this.version === started && output) {
      // The worker holds the plan's inputs already and answered with their fit: nothing to send back.
      this.fits.adopt(this.inputs());
      this.version++;
      this.pendingVersion = undefined;
      this.failure = undefined;
      this.current_ = output;
      this.changed.fire(this.snapshot());
      return;
    }
    // Something changed while the file was read (or there was no worker fit): fit the plan as any change.
    this.loadInputs();
    this.refit();
  }

  private applyPlan(plan: ImportPlan): void {
    this.aurocs = plan.inputs.aurocs;
    this.settings = plan.settings;
    this.overrides = new Map(plan.overrides.map((o) => [`${o.site}:${o.neuron}`, o]));
    this.combined = undefined;
    this.transport = plan.inputs.transport;
    this.imported = plan.inputs.imported;
    this.importedFrom = plan.path;
  }

  private inputs(): FitInputs {
    return { aurocs: this.aurocs, transport: this.transport, imported: this.imported };
  }

  snapshot(): InterventionSnapshot {
    // Absent means every registered gain method (the protocol's default).
    const methods = this.transport?.size ? { methods: [...methodNames(), ...this.transport.keys()] } : {};
    const affected = this.current_?.affected ?? 0;
    return { ...this.settings, overrides: [...this.overrides.values()], ...methods, affected, ...(this.importedFrom ? { importedFrom: this.importedFrom } : {}), ...(this.combined ? { combined: this.combined.label } : {}), revision: this.version };
  }

  /** Bumps on every change (each refit): derived results carry the revision they were made with (shared/provenance.ts). */
  get revision(): number {
    return this.version;
  }

  /**
   * Resolves once the latest change is fitted (at once for small profiles); rejects with the error of
   * a fit that failed. Work that applies the intervention (previews, evaluation, export) waits here.
   */
  async ready(): Promise<void> {
    let p: Promise<void>;
    do {
      p = this.inflight;
      await p;
    } while (p !== this.inflight);
    if (this.failure) throw this.failure;
  }

  /** The factors to apply now (at the current strength); undefined before any profile. A new Map per change. */
  appliedGains(): GainMap | undefined {
    return this.current_?.gains;
  }

  /** An imported file's bias at the current strength, per site; undefined when there is none. */
  appliedShifts(): ShiftMap | undefined {
    return this.current_?.shifts;
  }

  result(): FitResult | undefined {
    return this.current_?.fit;
  }

  current(): InterventionSettings {
    return this.settings;
  }

  /** Full-strength and applied gain of one neuron. */
  gainOf(site: string, neuron: number): { gain: number; applied: number } {
    const s = this.current_?.fit.sites.find((x) => x.siteId === site);
    return { gain: s?.gain[neuron] ?? 1, applied: s?.applied[neuron] ?? 1 };
  }

  aurocSites(): readonly SiteAuroc[] {
    return this.aurocs;
  }

  dispose(): void {
    this.fits.dispose();
    this.changed.dispose();
  }

  private pendingVersion: number | undefined;

  private loadInputs(): void {
    this.fits.load(this.inputs());
  }

  private refit(): void {
    const version = ++this.version;
    this.failure = undefined;
    if (this.aurocs.length === 0) {
      this.pendingVersion = undefined;
      this.current_ = undefined;
    } else if (this.total() < this.offloadMin || !this.fits.hasWorker) {
      this.pendingVersion = undefined;
      this.current_ = this.fits.fitHere(this.settings, [...this.overrides.values()]);
    } else {
      this.pendingVersion = version;
      this.inflight = this.fits.fit(this.settings, [...this.overrides.values()]).then(
        (out) => {
          if (version !== this.version) return;
          this.pendingVersion = undefined;
          this.current_ = out;
          this.changed.fire(this.snapshot());
        },
        (e: unknown) => {
          if (version !== this.version) return;
          this.pendingVersion = undefined;
          this.failure = e instanceof Error ? e : new Error(String(e));
        },
      );
      return;
    }
    this.changed.fire(this.snapshot());
  }

  private total(): number {
    return this.aurocs.reduce((n, s) => n + s.auroc.length, 0);
  }
}
