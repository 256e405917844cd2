// The extension's state and long work, without VS Code: the open model (in the model process), the
// current profile and its experts, the intervention, previews, and the progress of what is running.
// Commands and the panel drive it; its events carry the snapshots the page and the status bar show.
import { basename } from 'node:path';
import { buildProvenance } from '../aura/export/provenance';
import { unchangedExportReason } from '../aura/export/unchanged';
import { AuraUserError } from '../aura/errors';
import { Emitter } from './events';
import { ExampleCollection } from './example-collection';
import { currentInterventionFile, isCheckpointFormat, writeCheckpointExport, writeInterventionAs } from './intervention-export';
import { InterventionState } from './intervention-state';
import { measureLag } from './lag-monitor';
import { expertsFromWire } from './model-host/experts-wire';
import { transportFromWire } from './model-host/transport-wire';
import { PreviewController } from './preview-controller';
import { detailStatsFrom } from './panel-feeds';
import { scoreTokens, topExperts } from './token-scores';
import type { ConceptSource } from '../aura/datasets';
import type { DemoAssets } from '../aura/demo-assets';
import type { InterventionFile } from '../aura/intervention-file';
import type { ExpertsSnapshot, ModelSummary, NeuronDetail, ProgressSnapshot } from '../shared/protocol';
import type { SweepRequest } from '../shared/model-messages';
import type { AuraConfig } from './config';
import type { ExportFormat } from './intervention-export';
import type { LagReport } from './lag-monitor';
import type { TokenScore } from './token-scores';
import type { Logger } from './logger';
import type { CallOptions, EvaluateOutcome, GenerationSettings, ModelHost, ModelInfo, ProfileOutcome, ShiftMap, SweepOutcome, WorkProgress } from './model-host/api';
import { int, seconds } from '../shared/format';
import { interventionLabel, isCurrent } from '../shared/provenance';
import type { Inputs, Provenance } from '../shared/provenance';

export interface WorkbenchDeps {
  host: ModelHost;
  log: Logger;
  /** Where finished profiles are cached (the extension's global storage). */
  cacheRoot: string;
  config(): AuraConfig;
  demo(): DemoAssets;
}

export interface LoadedModel extends ModelInfo {
  isDemo: boolean;
}

/** How a caller follows and stops a piece of long work. */
export interface Task {
  signal?: AbortSignal;
  report?(p: WorkProgress): void;
}

export type { ExportFormat } from './intervention-export';

export const DEMO_NAME = 'aura-demo';

/** The methods the model host sweeps (its request's own list). */
export type SweepMethod = SweepRequest['methods'][number];

export class Workbench {
  readonly intervention = new InterventionState();
  readonly examples = new ExampleCollection();
  readonly preview: PreviewController;
  private loaded: LoadedModel | undefined;
  private profiled: ProfileOutcome | undefined;
  private ranked: ExpertsSnapshot | undefined;
  /** Profiles that have landed in this session, for the provenance's label. */
  private profileCount = 0;
  private running: ProgressSnapshot = { task: null, done: 0, total: 0 };
  /** The event-loop lag measured during the last profile, for the log and the tests. */
  lastProfileLag: LagReport | undefined;

  private readonly modelChanged = new Emitter<LoadedModel | undefined>();
  private readonly expertsChanged = new Emitter<ExpertsSnapshot | undefined>();
  private readonly progressChanged = new Emitter<ProgressSnapshot>();
  readonly onDidChangeModel = this.modelChanged.event;
  readonly onDidChangeExperts = this.expertsChanged.event;
  readonly onDidChangeProgress = this.progressChanged.event;

  constructor(private readonly deps: WorkbenchDeps) {
    this.preview = new PreviewController({
      host: deps.host,
      gains: () => this.intervention.appliedGains(),
      ready: () => this.intervention.ready(),
      shifts: () => this.intervention.appliedShifts(),
      provenance: () => this.provenance(),
      settings: () => this.generationSettings(),
      onError: (e) => deps.log.error(`preview: ${e instanceof Error ? e.message : String(e)}`, e),
    });
    // Every change of the intervention (the panel's controls, an import, a combination, a new profile)
    // passes here, whoever made it: the preview is rebuilt when it no longer matches.
    this.intervention.onDidChange(() => this.rerunStalePreview());
  }

  /** What is current: the open profile's key and the intervention's revision (shared/provenance.ts). */
  inputs(): Inputs {
    return { profile: this.ranked?.key, intervention: this.intervention.revision };
  }

  /** What a result made now is made from, with the names the out-of-date mark shows. */
  provenance(): Provenance {
    const p = this.profiled;
    return {
      profile: this.ranked?.key ?? '',
      intervention: this.intervention.revision,
      profileLabel: p ? `#${this.profileCount} (${basename(p.source) || p.source})`.slice(0, 1000) : 'none',
      interventionLabel: interventionLabel(this.intervention.snapshot()),
    };
  }

  /**
   * The preview's rule: a run made from inputs that are no longer current is run again for the same
   * prompt. A run the user cancelled stays cancelled; a run still waiting for its gains (no
   * provenance yet) will read the current ones.
   */
  private rerunStalePreview(): void {
    const p = this.preview.snapshot;
    if (!p || p.error === 'cancelled' || (!p.done && !p.madeWith)) return;
    if (!isCurrent('preview', p.madeWith, this.inputs())) this.preview.scheduleRerun();
  }

  get model(): LoadedModel | undefined {
    return this.loaded;
  }
  get profile(): ProfileOutcome | undefined {
    return this.profiled;
  }
  get experts(): ExpertsSnapshot | undefined {
    return this.ranked;
  }
  get progress(): ProgressSnapshot {
    return this.running;
  }
  /** The model worker, for work the panel runs beside the preview (its scored samples). */
  get modelHost(): ModelHost {
    return this.deps.host;
  }

  summary(): ModelSummary | null {
    const m = this.loaded;
    return m ? { name: m.name, path: m.path, format: m.format, architecture: m.architecture, layers: m.layers, vocabSize: m.vocabSize, sites: m.sites, isDemo: m.isDemo } : null;
  }

  async openModel(path: string, isDemo: boolean, task: Task = {}): Promise<LoadedModel> {
    const c = this.deps.config();
    const info = await this.track('Loading the model', task, (call) =>
      this.deps.host.open({ path, ...(c.threads ? { threads: c.threads } : {}), executionProvider: c.executionProvider }, call),
    );
    this.preview.reset();
    this.setProfile(undefined);
    // The demo's folder is called "model"; users know it as the demo.
    this.loaded = { ...info, isDemo, ...(isDemo ? { name: DEMO_NAME } : {}) };
    this.deps.log.info(`opened ${info.name} (${info.format}, ${info.architecture}, ${int(info.sites.length)} sites, ${int(totalNeurons(info))} neurons) from ${path}`);
    this.modelChanged.fire(this.loaded);
    return this.loaded;
  }

  /** The embedded model and its concept data, profiled (or taken from the cache): the fast first run. */
  async useDemo(task: Task = {}): Promise<ProfileOutcome> {
    const demo = this.deps.demo();
    if (!this.loaded?.isDemo) await this.openModel(demo.model, true, task);
    if (this.profiled && this.loaded?.isDemo) return this.profiled;
    return this.profileConcept({ kind: 'file', path: demo.concept }, task);
  }

  async profileConcept(data: ConceptSource, task: Task = {}): Promise<ProfileOutcome> {
    const model = this.requireModel();
    const c = this.deps.config();
    // The window includes taking the result in (experts, refit, the panel's redraw): those run on
    // this thread, and a block there is what the user feels.
    const { value, lag } = await measureLag(async () => {
      const outcome = await this.track('Profiling the concept', task, (call) =>
        this.deps.host.profile(
          {
            data,
            seed: c.generation.seed,
            ...(c.dataset.maxPerClass ? { maxPerClass: c.dataset.maxPerClass } : {}),
            cacheRoot: this.deps.cacheRoot,
            pooling: c.pooling,
            seqLen: c.sequenceLength,
          },
          call,
        ),
      );
      this.setProfile(outcome);
      return outcome;
    });
    this.lastProfileLag = lag;
    this.deps.log.info(
      `profiled ${int(value.positives)} toxic and ${int(value.negatives)} non-toxic examples from ${value.source} on ${int(model.sites.length)} sites in ${seconds(value.seconds)}` +
        `${value.reused ? ' (cached profile reused)' : ''}; max event-loop lag ${lag.maxMs} ms (p99 ${lag.p99Ms} ms)`,
    );
    return value;
  }

  /**
   * A finished profile folder made elsewhere (`aura-lens profile --out`, `aura-lens merge` of cluster
   * shards), read in the model process and checked against the open model; it then replaces the
   * current profile exactly as Profile Concept's result does.
   */
  async openProfile(dir: string, task: Task = {}): Promise<ProfileOutcome> {
    const model = this.requireModel();
    const outcome = await this.track('Opening the profile', task, (call) => this.deps.host.openProfile({ dir, pooling: this.deps.config().pooling }, call));
    this.setProfile(outcome);
    this.deps.log.info(`opened the profile in ${dir} (${int(outcome.positives)} toxic and ${int(outcome.negatives)} non-toxic examples from ${outcome.source}) on ${model.name}`);
    for (const w of outcome.warnings ?? []) this.deps.log.warn(w);
    return outcome;
  }

  /** part 'profile': what the profile folder holds, at once (no model work); the rest is marked pending. */
  async neuronDetail(site: string, neuron: number, signal?: AbortSignal, part: 'profile' | 'all' = 'all'): Promise<NeuronDetail> {
    const p = this.profiled;
    const info = this.loaded?.sites.find((s) => s.id === site);
    if (!p || !info) throw new AuraUserError(`no profile holds ${site}:${neuron}; profile a concept first`);
    const auroc = p.aurocs.find((a) => a.siteId === site)?.auroc[neuron];
    if (auroc === undefined) throw new AuraUserError(`neuron ${site}:${neuron} is not in the profile`);
    const g = this.intervention.gainOf(site, neuron);
    const madeWith = this.provenance();
    const d = await this.deps.host.neuronDetail({ dir: p.dir, pooling: p.pooling, site, layer: info.layer, neurons: info.neurons, neuron, auroc, gain: g.gain, applied: g.applied, ...(part === 'profile' ? { part } : {}) }, signal ? { signal } : {});
    // Its interval, q-value and held-out AUROC: already here with the profile's statistics.
    return { ...d, ...detailStatsFrom(p.stats, site, neuron), madeWith };
  }

  /** Per token of `text`: how strongly the top experts fire (for the editor's highlights). */
  async tokenScores(text: string, experts = 32, signal?: AbortSignal): Promise<TokenScore[]> {
    const model = this.requireModel();
    const p = this.profiled;
    if (!p || !this.ranked) throw new AuraUserError('no experts yet: profile a concept first ("AurA: Profile Concept…" or "AurA: Use Demo Model")');
    const chosen = topExperts(this.ranked, experts);
    // Read in the model process: only the chosen experts' percentiles cross (a response matrix can be tens of MB).
    const refs = await this.deps.host.nonToxicReferences({ dir: p.dir, pooling: p.pooling, experts: chosen.map((e) => ({ site: e.site, neuron: e.neuron })) }, signal ? { signal } : {});
    if (!refs.some((r) => r.length > 1)) {
      throw new AuraUserError(`${p.dir} keeps neither pooled responses nor histograms of them: the highlights compare each expert with its non-toxic responses; profile the concept again`);
    }
    const scored = chosen.map((e, i) => ({ ...e, reference: refs[i] ?? [] }));
    const sites = [...new Set(chosen.map((e) => e.site))];
    const [acts] = await this.deps.host.activations({ texts: [text], sites }, signal ? { signal } : {});
    return scoreTokens(acts!, scored, new Map(model.sites.map((s) => [s.id, s.neurons])));
  }

  /** The outcome with the provenance of the gains it applied (read after the latest fit landed). */
  async evaluate(prompts: string, neutral: string | undefined, o: { samples: number; maxPrompts?: number }, task: Task = {}): Promise<EvaluateOutcome & { madeWith: Provenance }> {
    await this.intervention.ready();
    const gains = this.requireGains();
    const madeWith = this.provenance();
    const c = this.deps.config();
    const outcome = await this.track('Evaluating the intervention', task, (call) =>
      this.deps.host.evaluate(
        { prompts, ...(neutral ? { neutral } : {}), samples: o.samples, ...(o.maxPrompts ? { maxPrompts: o.maxPrompts } : {}), scorer: c.scorer, settings: this.generationSettings(), gains, ...this.shiftsField() },
        call,
      ),
    );
    return { ...outcome, madeWith };
  }

  /**
   * Every method the panel offers (AurA, Damp, Det0 at their defaults; Linear-AcT and Mean-AcT when the
   * profile has them), each with its random and lowest-AUROC controls, evaluated at each strength on
   * the current profile's folder. The panel's own intervention is left as it is.
   */
  async sweep(prompts: string, neutral: string | undefined, o: { samples: number; maxPrompts?: number; strengths: number[]; methods?: SweepMethod[] }, task: Task = {}): Promise<SweepOutcome & { madeWith: Provenance }> {
    const p = this.profiled;
    if (!p) throw new AuraUserError('no profile to sweep: profile a concept first ("AurA: Profile Concept…" or "AurA: Use Demo Model")');
    if (!p.stats && !p.transport) throw new AuraUserError(`${p.dir}: a sketch profile keeps no responses, so its methods cannot be swept; profile without --sketch`);
    const c = this.deps.config();
    const methods = o.methods ?? (this.intervention.snapshot().methods as SweepMethod[] | undefined) ?? ['aura', 'damp', 'det0'];
    const madeWith = this.provenance();
    const outcome = await this.track('Sweeping strengths', task, (call) =>
      this.deps.host.sweep(
        {
          dir: p.dir,
          methods,
          controls: ['random', 'lowest'],
          strengths: o.strengths,
          prompts,
          ...(neutral ? { neutral } : {}),
          samples: o.samples,
          ...(o.maxPrompts ? { maxPrompts: o.maxPrompts } : {}),
          scorer: c.scorer,
          settings: this.generationSettings(),
        },
        call,
      ),
    );
    return { ...outcome, madeWith };
  }

  /** The current intervention as a versioned file (full-strength gains, the strength as a parameter). */
  interventionFile(): InterventionFile {
    return currentInterventionFile(this.requireModel(), this.intervention, this.profiled, this.deps.config().pooling);
  }

  /** `checkpoint`: the Hugging Face checkpoint folder a peft-ia3 (or, later, hf) export is made against. */
  async exportIntervention(format: ExportFormat, out: string, task: Task = {}, checkpoint?: string): Promise<number> {
    await this.intervention.ready();
    const file = this.interventionFile();
    if (isCheckpointFormat(format)) {
      if (!checkpoint) throw new AuraUserError(`the ${format} export needs the model's Hugging Face checkpoint folder`);
      return writeCheckpointExport(format, this.requireModel(), file, checkpoint, out, task);
    }
    if (format !== 'onnx') return writeInterventionAs(format, file, out, this.requireModel().fingerprint);
    const unchanged = this.unchangedOnnxExport();
    if (unchanged) throw new AuraUserError(`${out}: ${unchanged}`);
    const r = await this.track('Folding the intervention into the model', task, (call) => this.deps.host.exportOnnx({ gains: this.requireGains(), out, ...this.shiftsField(), provenance: JSON.stringify(buildProvenance(file, { fingerprint: this.requireModel().fingerprint })) }, call));
    return r.bytes;
  }

  /** Why a folded ONNX export now would only copy the original model (strength 0, nothing damped), or undefined. */
  unchangedOnnxExport(): string | undefined {
    return unchangedExportReason(this.requireGains().values(), [...(this.intervention.appliedShifts()?.values() ?? [])].map((s) => s.bias));
  }

  async importIntervention(path: string): Promise<void> {
    const model = this.requireModel();
    // Read, checked and fitted in the fit worker: the host's thread only takes the result.
    await this.intervention.importPath(path, { sites: model.sites, fingerprint: model.fingerprint });
    this.deps.log.info(`imported ${this.intervention.current().method} intervention from ${path} (${int(this.intervention.snapshot().affected)} neurons affected)`);
  }

  generationSettings(): GenerationSettings {
    return this.deps.config().generation;
  }

  /** An imported file's bias, for requests that apply the intervention (absent when there is none). */
  private shiftsField(): { shifts?: ShiftMap } {
    const shifts = this.intervention.appliedShifts();
    return shifts ? { shifts } : {};
  }

  requireModel(): LoadedModel {
    if (!this.loaded) throw new AuraUserError('no model is open: run "AurA: Use Demo Model" or "AurA: Open Model Folder…" first');
    return this.loaded;
  }

  async dispose(): Promise<void> {
    this.preview.dispose();
    this.intervention.dispose();
    this.examples.dispose();
    for (const e of [this.modelChanged, this.expertsChanged, this.progressChanged]) e.dispose();
    await this.deps.host.dispose();
  }

  private requireGains() {
    const gains = this.intervention.appliedGains();
    if (!gains) throw new AuraUserError('there is no intervention yet: profile a concept or import an intervention first');
    return gains;
  }

  private setProfile(p: ProfileOutcome | undefined): void {
    this.profiled = p;
    this.ranked = p ? expertsFromWire(p.experts) : undefined;
    if (p) this.profileCount++;
    // What the model process has to say about the profile's files (the statistics cache, for one).
    for (const note of p?.notes ?? []) this.deps.log.info(note);
    if (p) this.intervention.setAurocs(p.aurocs, p.transport ? transportFromWire(p.transport) : undefined);
    else this.intervention.clear();
    this.expertsChanged.fire(this.ranked);
  }

  /** Runs work while publishing its progress to the panel (and to the caller's progress UI). */
  private async track<T>(title: string, task: Task, work: (call: CallOptions) => Promise<T>): Promise<T> {
    const set = (p: ProgressSnapshot) => {
      this.running = p;
      this.progressChanged.fire(p);
    };
    set({ task: title, done: 0, total: 0 });
    const onProgress = (p: WorkProgress) => {
      set({ task: p.stage ? `${title}: ${p.stage}` : title, done: p.done, total: p.total });
      task.report?.(p);
    };
    try {
      return await work({ ...(task.signal ? { signal: task.signal } : {}), onProgress });
    } finally {
      set({ task: null, done: 0, total: 0 });
    }
  }
}

function totalNeurons(m: ModelInfo): number {
  return m.sites.reduce((n, s) => n + s.neurons, 0);
}
