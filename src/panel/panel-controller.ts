// The experts panel's host side without VS Code: validates each page message on arrival, turns it
// into work on the Workbench, and posts full snapshots back (on 'ready', and whenever state changes).
import { methodCatalog } from '../aura/method-catalog';
import { isUserError } from '../engine/errors';
import { DisposableStore } from '../host/events';
import { isAbort } from '../host/preview-controller';
import { previewSamples } from '../host/preview-samples';
import { PreviewWire } from './preview-wire';
import { packExperts } from '../shared/experts-packed';
import type { SampleDeps } from '../host/preview-samples';
import { describeRejection, PageMessageSchema, parsePageMessage } from '../shared/protocol';
import { isCurrent, staleMark } from '../shared/provenance';
import type { Provenance } from '../shared/provenance';
import type { Disposable } from '../host/events';
import type { Logger } from '../host/logger';
import type { Workbench } from '../host/workbench';
import type { ComparisonSnapshot, EvaluationSummary, ExpertsPacked, ExpertsSnapshot, HostMessage, NeuronDetail, PageMessage, PreviewSnapshot, SweepSnapshot } from '../shared/protocol';

/** Each ranking packed once (a reopened panel posts the same buffers; packing 1.4M rows takes tens of ms). */
const packedOnce = new WeakMap<ExpertsSnapshot, ExpertsPacked>();
import { provenanceOf } from './panel-memory';
import type { PanelMemory, Provenance as KeptFrom } from './panel-memory';

/** What the page can ask for that needs VS Code (dialogs, progress notifications): run as commands. */
export interface PanelActions {
  useDemoModel(): void;
  openModelFolder(): void;
  profile(): void;
  importIntervention(): void;
  evaluate(): void;
  exportIntervention(format: 'json' | 'safetensors' | 'onnx'): void;
  /** "AurA: Compare With Profile…": picks a second profile folder (absent: the page's button reports it). */
  compareProfile?(): void;
  /** "AurA: Sweep Strengths…" (the out-of-date sweep plot's "Sweep again"). */
  sweep?(): void;
}

/** How long a "Show" waits for a page that is still loading. */
export const REVEAL_WAIT_MS = 30_000;

/** Saves the sweep's points where the user chooses (a save dialog in VS Code). */
export type SweepExporter = (sweep: SweepSnapshot, format: 'csv' | 'json') => Promise<void>;

export class PanelController implements Disposable {
  private readonly subscriptions = new DisposableStore();
  private detail: AbortController | undefined;
  private evaluation: EvaluationSummary | undefined;
  sweep: SweepSnapshot | undefined;
  /** The last comparison (or refusal) and the profile folder it compared against, dropped when that profile goes. */
  private comparison: { dirA: string; dirB?: string; message: ComparisonSnapshot | { refused: string; b: string }; madeWith: Provenance } | undefined;
  /** The last finished preview with its scored samples, and the sampling of the current run. */
  private sampled: PreviewSnapshot | undefined;
  private sampling: AbortController | undefined;
  /** Streams previews as numbered appends between whole snapshots. */
  private readonly previewWire = new PreviewWire();
  /** The key of the ranking this page holds (null: told there is none; undefined: nothing sent yet). */
  private pageExperts: string | null | undefined;
  private pendingReveal: { target: 'sweep' | 'evaluation'; until: number } | undefined;
  /** The expert whose detail the page was last sent (the integration suite checks a hover link lands here). */
  shownNeuron: { site: string; neuron: number } | undefined;
  /** The detail last sent, and the profile it was computed from (shared/provenance.ts: rebuilt when it changes). */
  shownDetail: NeuronDetail | undefined;
  private shownMadeWith: Provenance | undefined;
  /** The expert the page asked for last (shown, or still being computed). */
  private wanted: { site: string; neuron: number } | undefined;
  /** The detail the host last chose to show (hover link), re-sent on 'ready' until the page picks another. */
  private revealed: NeuronDetail | undefined;

  constructor(
    private readonly wb: Workbench,
    private readonly post: (m: HostMessage) => void,
    private readonly actions: PanelActions,
    private readonly log: Logger,
    private readonly exportSweep?: SweepExporter,
    private readonly samples?: Pick<SampleDeps, 'scorer'>,
    /** Where the view, the evaluation and the sweep outlive this panel (the workspace state in VS Code). */
    private readonly memory?: PanelMemory,
  ) {
    this.evaluation = memory?.evaluation()?.evaluation;
    this.sweep = memory?.sweep()?.sweep;
    this.subscriptions.add(wb.onDidChangeModel(() => this.post({ type: 'didChangeModel', model: wb.summary() })));
    this.subscriptions.add(
      wb.onDidChangeExperts((experts) => {
        this.postExperts(experts);
        // A detail of the previous profile is not to be re-sent as current.
        this.revealed = undefined;
        this.rebuildStaleDetail();
        this.rebuildStaleComparison();
      }),
    );
    this.subscriptions.add(wb.onDidChangeProgress((progress) => this.post({ type: 'didChangeProgress', progress })));
    this.subscriptions.add(wb.intervention.onDidChange((intervention) => this.post({ type: 'didChangeIntervention', intervention })));
    this.subscriptions.add(
      wb.preview.onDidUpdate((preview) => {
        for (const m of this.previewWire.next(preview)) this.post(m);
        this.sample(preview);
      }),
    );
  }

  /** Every message from the page passes here first; malformed ones are logged and dropped. */
  receive(raw: unknown): void {
    const m = parsePageMessage(raw);
    if (!m) {
      this.log.warn(`panel: dropped an invalid message from the page (${describeRejection(PageMessageSchema, raw)})`);
      return;
    }
    try {
      this.handle(m);
    } catch (e) {
      this.fail(e);
    }
  }

  /** `from`: the profile and intervention it measured, fixed when it started (default: the current ones). */
  showEvaluation(e: EvaluationSummary, from: KeptFrom = this.provenance()): void {
    this.evaluation = e;
    this.memory?.saveEvaluation(e, from);
    this.post({ type: 'didEvaluate', evaluation: e });
  }

  /** A comparison of the open profile (in `dirA`) with a second one, or the host's refusal of it. */
  showComparison(dirA: string, comparison: ComparisonSnapshot | { refused: string; b: string }, dirB?: string): void {
    this.comparison = { dirA, ...(dirB === undefined ? {} : { dirB }), message: comparison, madeWith: this.wb.provenance() };
    this.post({ type: 'didCompare', comparison });
  }

  /** A sweep's points for the Pareto plot (kept, so a reloaded page gets them again). */
  showSweep(s: SweepSnapshot, from: KeptFrom = this.provenance()): void {
    this.sweep = s;
    this.memory?.saveSweep(s, from);
    this.post({ type: 'didSweep', sweep: s });
  }

  /** The out-of-date marks the page shows on the kept evaluation and sweep (the same rule, for the integration suite). */
  outOfDate(): { evaluation?: string; sweep?: string } {
    const now = this.wb.inputs();
    const evaluation = this.evaluation && staleMark('evaluation', this.evaluation.madeWith, now);
    const sweep = this.sweep && staleMark('sweep', this.sweep.madeWith, now);
    return { ...(evaluation ? { evaluation } : {}), ...(sweep ? { sweep } : {}) };
  }

  /**
   * Brings a finished result's card into view. A page that is still loading (the panel was closed and
   * "Show" opened it) gets it after its 'ready', if that comes within REVEAL_WAIT_MS.
   */
  reveal(target: 'sweep' | 'evaluation', now = Date.now()): void {
    this.pendingReveal = { target, until: now + REVEAL_WAIT_MS };
    this.post({ type: 'reveal', target });
  }

  dispose(): void {
    this.sampling?.abort();
    this.detail?.abort();
    this.subscriptions.dispose();
  }

  private handle(m: PageMessage): void {
    switch (m.type) {
      case 'ready':
        this.pageExperts = m.experts;
        return this.sendAll();
      case 'saveView':
        return this.memory?.saveView(m.view);
      case 'setIntervention':
        this.wb.intervention.update(m.settings);
        return this.wb.preview.scheduleRerun();
      case 'setOverride':
        // The page recomputes the detail's gains itself; only the preview needs the host again.
        this.wb.intervention.setOverride(m.site, m.neuron, m.gain);
        return this.wb.preview.scheduleRerun();
      case 'selectNeuron':
        return this.selectNeuron(m.site, m.neuron);
      case 'runPreview':
        this.wb.requireModel();
        return void this.wb.preview.run(m.prompt).done;
      case 'cancelPreview':
        return this.wb.preview.cancel();
      case 'resyncPreview': {
        const current = this.previewWire.current;
        return current ? this.post(this.previewWire.full(current)) : undefined;
      }
      case 'export':
        return this.actions.exportIntervention(m.format);
      case 'profile':
        return this.actions.profile();
      case 'useDemoModel':
        return this.actions.useDemoModel();
      case 'openModelFolder':
        return this.actions.openModelFolder();
      case 'importIntervention':
        return this.actions.importIntervention();
      case 'evaluate':
        return this.actions.evaluate();
      case 'sweep':
        if (!this.actions.sweep) return this.post({ type: 'didError', message: 'sweeping strengths is not available here' });
        return this.actions.sweep();
      case 'compareProfile':
        if (!this.actions.compareProfile) return this.post({ type: 'didError', message: 'comparing profiles is not available here' });
        return this.actions.compareProfile();
      case 'combineWithComparison': {
        const c = this.comparison;
        if (!c?.dirB || 'refused' in c.message) return this.post({ type: 'didError', message: 'nothing to combine with yet: compare the open profile with a second profile first ("Compare with profile…")' });
        this.wb.intervention.combineWithProfile(c.dirA, c.dirB, m.rule);
        this.log.info(`combined ${c.dirA} with ${c.dirB} by ${m.rule}`);
        return this.wb.preview.scheduleRerun();
      }
      case 'exportSweep': {
        const sweep = this.sweep;
        if (!sweep || !this.exportSweep) return this.post({ type: 'didError', message: 'there is no sweep to export yet: run a sweep first' });
        return void this.exportSweep(sweep, m.format).catch((e) => this.fail(e));
      }
    }
  }

  private sendAll(): void {
    const wb = this.wb;
    // First, so the page's views are built on the kept view before the data arrives.
    const view = this.memory?.view();
    if (view) this.post({ type: 'didRestoreView', view });
    this.post({ type: 'didListMethods', methods: methodCatalog() });
    this.post({ type: 'didChangeModel', model: wb.summary() });
    this.postExperts(wb.experts);
    this.post({ type: 'didChangeIntervention', intervention: wb.intervention.snapshot() });
    this.post({ type: 'didChangeProgress', progress: wb.progress });
    const preview = this.sampled && this.sampled.runId === wb.preview.snapshot?.runId ? this.sampled : wb.preview.snapshot;
    if (preview) this.post(this.previewWire.full({ ...preview, replayed: true }));
    if (this.shownDetail && wb.experts && isCurrent('detail', this.shownMadeWith, wb.inputs())) this.post({ type: 'didSelectNeuron', detail: this.shownDetail });
    if (this.evaluation) this.post({ type: 'didEvaluate', evaluation: this.evaluation });
    if (this.sweep) this.post({ type: 'didSweep', sweep: this.sweep });
    if (this.comparison) this.post({ type: 'didCompare', comparison: this.comparison.message });
    if (this.revealed) this.post({ type: 'didSelectNeuron', detail: this.revealed, reveal: true });
    if (this.pendingReveal && Date.now() <= this.pendingReveal.until) this.post({ type: 'reveal', target: this.pendingReveal.target });
    this.pendingReveal = undefined;
  }

  /**
   * The ranking, packed (~11 bytes a neuron), once per profile: not again to a page that holds it. A
   * ranking the packing refuses (a ref past a site's size) goes unpacked rather than not at all.
   */
  private postExperts(experts: ExpertsSnapshot | undefined): void {
    const key = experts ? (experts.key ?? null) : null;
    if (key !== null && key === this.pageExperts) return;
    this.pageExperts = key;
    if (!experts) return this.post({ type: 'didChangeExperts', experts: null });
    try {
      let packed = packedOnce.get(experts);
      if (!packed) packedOnce.set(experts, (packed = packExperts(experts)));
      this.post({ type: 'didChangeExpertsPacked', experts: packed });
    } catch (e) {
      this.log.warn(`panel: the experts went unpacked (${e instanceof Error ? e.message : String(e)})`);
      this.post({ type: 'didChangeExperts', experts });
    }
  }

  /**
   * When a run finishes, more samples of it (next seeds), scored; a newer run aborts them. They follow
   * the main run, so the first new text after a slider move is not delayed.
   */
  private sample(preview: PreviewSnapshot): void {
    if (!preview.done || preview.error || preview.samples) {
      if (!preview.done) this.sampling?.abort();
      return;
    }
    if (!this.samples) return;
    this.sampling?.abort();
    const controller = new AbortController();
    this.sampling = controller;
    const deps: SampleDeps = { host: this.wb.modelHost, scorer: this.samples.scorer, settings: () => this.wb.generationSettings(), gains: () => this.wb.intervention.appliedGains() };
    previewSamples(preview, deps, controller.signal).then(
      (s) => {
        if (controller.signal.aborted || this.wb.preview.snapshot?.runId !== preview.runId) return;
        this.sampled = { ...preview, ...s };
        this.post(this.previewWire.full(this.sampled));
      },
      (e) => {
        if (!controller.signal.aborted && !isAbort(e)) this.log.warn(`preview samples: ${e instanceof Error ? e.message : String(e)}`);
      },
    );
  }

  /**
   * The host asks for an expert's detail (the editor's highlight hover links to it). The page must
   * select it as well (its detail card shows only the selected row's detail), and a page that is still
   * loading would drop the message: it is kept and sent again when the page says 'ready'.
   */
  showNeuron(site: string, neuron: number): void {
    this.selectNeuron(site, neuron, true);
  }

  /** Only the latest selection matters: a newer one cancels the detail still being computed. */
  private selectNeuron(site: string, neuron: number, reveal = false): void {
    this.detail?.abort();
    // The page chose another neuron: a pending host choice must not override it on the next 'ready'.
    if (!reveal) this.revealed = undefined;
    const controller = new AbortController();
    this.detail = controller;
    this.wanted = { site, neuron };
    // The profile's part (no model work) is drawn at once; the examples follow, unless they came first (cached).
    let full = false;
    this.wb.neuronDetail(site, neuron, controller.signal, 'profile').then(
      (detail) => {
        if (controller.signal.aborted || full || !isCurrent('detail', detail.madeWith, this.wb.inputs())) return;
        this.post({ type: 'didSelectNeuron', detail, ...(reveal ? { reveal } : {}) });
      },
      () => undefined,
    );
    this.wb.neuronDetail(site, neuron, controller.signal).then(
      (detail) => {
        if (controller.signal.aborted) return;
        full = true;
        this.detail = undefined;
        // A profile landed while it was computed: it describes the old one, so ask again.
        if (!isCurrent('detail', detail.madeWith, this.wb.inputs())) {
          if (this.holds(site, neuron)) this.selectNeuron(site, neuron, reveal);
          return;
        }
        this.shownNeuron = { site, neuron };
        this.shownMadeWith = detail.madeWith;
        this.shownDetail = detail;
        if (reveal) this.revealed = detail;
        this.post({ type: 'didSelectNeuron', detail, ...(reveal ? { reveal } : {}) });
      },
      (e) => {
        if (this.detail === controller) this.detail = undefined;
        if (!controller.signal.aborted && !isAbort(e)) this.fail(e);
      },
    );
  }

  /** The open profile and the intervention now: what a result shown now was made from (kept in the workspace state). */
  private provenance(): KeptFrom {
    return provenanceOf(this.wb.profile?.dir, this.wb.intervention.hasAurocs ? this.wb.intervention.snapshot() : undefined);
  }

  /**
   * The detail's rule (shared/provenance.ts): once the profile it was computed from is gone, the same
   * neuron's detail is computed again from the new one (its AUROC, q-value, gain), if the new profile
   * has that neuron. A request still in flight is checked when it lands.
   */
  private rebuildStaleDetail(): void {
    const w = this.wanted;
    if (!w || this.detail || isCurrent('detail', this.shownMadeWith, this.wb.inputs())) return;
    if (this.holds(w.site, w.neuron)) this.selectNeuron(w.site, w.neuron);
  }

  /**
   * The compare card's rule (shared/provenance.ts): made with a profile that is no longer open, it is
   * taken down at once and the new profile compared with the same second folder (a refusal, such as
   * another model's profile, shows in the card as before). Without a profile or a second folder, it goes.
   */
  private rebuildStaleComparison(): void {
    const c = this.comparison;
    if (!c || (this.wb.profile && isCurrent('comparison', c.madeWith, this.wb.inputs()))) return;
    this.comparison = undefined;
    this.post({ type: 'didCompare', comparison: null });
    const dirA = this.wb.profile?.dir;
    const dirB = c.dirB;
    if (!dirA || !dirB) return;
    const key = this.wb.inputs().profile;
    this.wb.intervention.compareProfiles(dirA, dirB).then(
      (cmp) => {
        if (this.wb.inputs().profile === key) this.showComparison(dirA, cmp, dirB);
      },
      (e: unknown) => {
        if (this.wb.inputs().profile !== key) return;
        if (isUserError(e)) this.showComparison(dirA, { refused: (e instanceof Error ? e.message : String(e)).slice(0, 1000), b: dirB.slice(0, 1000) });
        else this.fail(e);
      },
    );
  }

  private holds(site: string, neuron: number): boolean {
    const s = this.wb.profile?.aurocs.find((a) => a.siteId === site);
    return s !== undefined && neuron < s.auroc.length;
  }

  private fail(e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    if (isUserError(e)) this.log.warn(message);
    else this.log.error(`panel: ${message}`, e);
    this.post({ type: 'didError', message });
  }
}
