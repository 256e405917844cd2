// The experts panel's host side without VS Code: validates each page message on arrival, turns it
// into work on the Workbench, and posts full snapshots back (on 'ready', and whenever state changes).
import { methodCatalog } from '../aura/method-catalog';
import { isUserError } from '../engine/errors';
import { DisposableStore } from '../host/events';
import { isAbort } from '../host/preview-controller';
import { previewSamples } from '../host/preview-samples';
import type { SampleDeps } from '../host/preview-samples';
import { describeRejection, PageMessageSchema, parsePageMessage } from '../shared/protocol';
import type { Disposable } from '../host/events';
import type { Logger } from '../host/logger';
import type { Workbench } from '../host/workbench';
import type { ComparisonSnapshot, EvaluationSummary, HostMessage, PageMessage, PreviewSnapshot, SweepSnapshot } from '../shared/protocol';

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
}

/** Saves the sweep's points where the user chooses (a save dialog in VS Code). */
export type SweepExporter = (sweep: SweepSnapshot, format: 'csv' | 'json') => Promise<void>;

export class PanelController implements Disposable {
  private readonly subscriptions = new DisposableStore();
  private detail: AbortController | undefined;
  private evaluation: EvaluationSummary | undefined;
  private sweep: SweepSnapshot | undefined;
  /** The last comparison (or refusal) and the profile folder it compared against, dropped when that profile goes. */
  private comparison: { dirA: string; dirB?: string; message: ComparisonSnapshot | { refused: string; b: string } } | undefined;
  /** The last finished preview with its scored samples, and the sampling of the current run. */
  private sampled: PreviewSnapshot | undefined;
  private sampling: AbortController | undefined;
  /** The expert whose detail the page was last sent (the integration suite checks a hover link lands here). */
  shownNeuron: { site: string; neuron: number } | undefined;

  constructor(
    private readonly wb: Workbench,
    private readonly post: (m: HostMessage) => void,
    private readonly actions: PanelActions,
    private readonly log: Logger,
    private readonly exportSweep?: SweepExporter,
    private readonly samples?: Pick<SampleDeps, 'scorer'>,
  ) {
    this.subscriptions.add(wb.onDidChangeModel(() => this.post({ type: 'didChangeModel', model: wb.summary() })));
    this.subscriptions.add(
      wb.onDidChangeExperts((experts) => {
        this.post({ type: 'didChangeExperts', experts: experts ?? null });
        if (this.comparison && this.comparison.dirA !== wb.profile?.dir) {
          this.comparison = undefined;
          this.post({ type: 'didCompare', comparison: null });
        }
      }),
    );
    this.subscriptions.add(wb.onDidChangeProgress((progress) => this.post({ type: 'didChangeProgress', progress })));
    this.subscriptions.add(wb.intervention.onDidChange((intervention) => this.post({ type: 'didChangeIntervention', intervention })));
    this.subscriptions.add(
      wb.preview.onDidUpdate((preview) => {
        this.post({ type: 'didUpdatePreview', preview });
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

  showEvaluation(e: EvaluationSummary): void {
    this.evaluation = e;
    this.post({ type: 'didEvaluate', evaluation: e });
  }

  /** A comparison of the open profile (in `dirA`) with a second one, or the host's refusal of it. */
  showComparison(dirA: string, comparison: ComparisonSnapshot | { refused: string; b: string }, dirB?: string): void {
    this.comparison = { dirA, ...(dirB === undefined ? {} : { dirB }), message: comparison };
    this.post({ type: 'didCompare', comparison });
  }

  /** A sweep's points for the Pareto plot (kept, so a reloaded page gets them again). */
  showSweep(s: SweepSnapshot): void {
    this.sweep = s;
    this.post({ type: 'didSweep', sweep: s });
  }

  dispose(): void {
    this.sampling?.abort();
    this.detail?.abort();
    this.subscriptions.dispose();
  }

  private handle(m: PageMessage): void {
    switch (m.type) {
      case 'ready':
        return this.sendAll();
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
    this.post({ type: 'didListMethods', methods: methodCatalog() });
    this.post({ type: 'didChangeModel', model: wb.summary() });
    this.post({ type: 'didChangeExperts', experts: wb.experts ?? null });
    this.post({ type: 'didChangeIntervention', intervention: wb.intervention.snapshot() });
    this.post({ type: 'didChangeProgress', progress: wb.progress });
    const preview = this.sampled && this.sampled.runId === wb.preview.snapshot?.runId ? this.sampled : wb.preview.snapshot;
    if (preview) this.post({ type: 'didUpdatePreview', preview });
    if (this.evaluation) this.post({ type: 'didEvaluate', evaluation: this.evaluation });
    if (this.sweep) this.post({ type: 'didSweep', sweep: this.sweep });
    if (this.comparison) this.post({ type: 'didCompare', comparison: this.comparison.message });
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
        this.post({ type: 'didUpdatePreview', preview: this.sampled });
      },
      (e) => {
        if (!controller.signal.aborted && !isAbort(e)) this.log.warn(`preview samples: ${e instanceof Error ? e.message : String(e)}`);
      },
    );
  }

  /** Only the latest selection matters: a newer one cancels the detail still being computed. */
  /** The host asks for an expert's detail (the editor's highlight hover links to it). */
  showNeuron(site: string, neuron: number): void {
    this.selectNeuron(site, neuron);
  }

  private selectNeuron(site: string, neuron: number): void {
    this.detail?.abort();
    const controller = new AbortController();
    this.detail = controller;
    // The profile's part (no model work) is drawn at once; the examples follow, unless they came first (cached).
    let full = false;
    this.wb.neuronDetail(site, neuron, controller.signal, 'profile').then(
      (detail) => {
        if (controller.signal.aborted || full) return;
        this.post({ type: 'didSelectNeuron', detail });
      },
      () => undefined,
    );
    this.wb.neuronDetail(site, neuron, controller.signal).then(
      (detail) => {
        if (controller.signal.aborted) return;
        full = true;
        this.shownNeuron = { site, neuron };
        this.post({ type: 'didSelectNeuron', detail });
      },
      (e) => {
        if (!controller.signal.aborted && !isAbort(e)) this.fail(e);
      },
    );
  }

  private fail(e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    if (isUserError(e)) this.log.warn(message);
    else this.log.error(`panel: ${message}`, e);
    this.post({ type: 'didError', message });
  }
}
