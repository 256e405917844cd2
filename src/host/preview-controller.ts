// Intervened and original continuations of one prompt, same seed, streamed as snapshots with a run
// id; the intervened one runs first (the original is kept per prompt and settings, so a slider move
// generates only the intervened side). A new run, or a change of the intervention, aborts the one in
// flight and starts at once (no fixed debounce: slider to first new token is the model's time, not a
// timer's); updates of a stale run are dropped, so what the page shows is always the latest run.
import { Emitter } from './events';
import type { GainMap, ShiftMap, GenerateRequest, GenerationSettings, ModelHost } from './model-host/api';
import type { PreviewSnapshot } from '../shared/protocol';
import type { Provenance } from '../shared/provenance';

export interface PreviewDeps {
  host: Pick<ModelHost, 'generate'>;
  gains(): GainMap | undefined;
  /** An imported file's bias at the current strength (absent: none). */
  shifts?(): ShiftMap | undefined;
  settings(): GenerationSettings;
  /** The profile and intervention the gains come from, stamped on the run when it reads them. */
  provenance?(): Provenance;
  /** Resolves when the intervention's latest change is fitted (a big profile fits off this thread). */
  ready?(): Promise<void>;
  onError?(e: unknown): void;
}

export class PreviewController {
  private runId = 0;
  private controller: AbortController | undefined;
  private pending: NodeJS.Immediate | undefined;
  private latest: PreviewSnapshot | undefined;
  /** The original continuation does not depend on the intervention: kept per prompt and settings. */
  private original: { key: string; text: string } | undefined;
  private readonly updated = new Emitter<PreviewSnapshot>();
  readonly onDidUpdate = this.updated.event;

  constructor(private readonly deps: PreviewDeps) {}

  get snapshot(): PreviewSnapshot | undefined {
    return this.latest;
  }

  /** Starts a run now, cancelling any other; resolves with its last snapshot. */
  run(prompt: string, rerun = false): { runId: number; done: Promise<PreviewSnapshot> } {
    this.cancelPending();
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    const runId = ++this.runId;
    const snap: PreviewSnapshot = { runId, prompt, original: '', intervened: '', done: false, ...(rerun ? { rerun } : {}) };
    // A copy: execute() fills `snap` in as tokens come, and a published snapshot must not change after.
    this.publish({ ...snap });
    return { runId, done: this.execute(snap, controller.signal) };
  }

  /**
   * The intervention changed: stops the run in flight now and re-runs the last prompt on the next
   * turn of the event loop, so a burst of changes delivered together runs once.
   */
  scheduleRerun(): void {
    const prompt = this.latest?.prompt;
    if (prompt === undefined) return;
    this.cancelPending();
    this.controller?.abort();
    this.pending = setImmediate(() => {
      this.pending = undefined;
      void this.run(prompt, true).done;
    });
  }

  cancel(): void {
    this.cancelPending();
    this.controller?.abort();
    this.controller = undefined;
    if (this.latest && !this.latest.done) this.publish({ ...this.latest, done: true, error: 'cancelled' });
  }

  /** The model or its profile changed: continuations made before mean nothing now. */
  reset(): void {
    this.cancel();
    this.original = undefined;
  }

  dispose(): void {
    this.cancel();
    this.updated.dispose();
  }

  private async execute(snap: PreviewSnapshot, signal: AbortSignal): Promise<PreviewSnapshot> {
    const settings = this.deps.settings();
    const key = JSON.stringify([snap.prompt, settings]);
    const update = (patch: Partial<PreviewSnapshot>) => {
      Object.assign(snap, patch);
      if (snap.runId === this.runId) this.publish({ ...snap });
    };
    try {
      // The fit of the change that started this run may still be in the worker: its gains, not the last ones.
      if (this.deps.ready) await this.deps.ready();
      signal.throwIfAborted();
      const gains = this.deps.gains();
      const madeWith = this.deps.provenance?.();
      if (madeWith) update({ madeWith });
      const cached = this.original?.key === key ? this.original.text : undefined;
      if (cached !== undefined) update({ original: cached });
      // The intervened side first: it is what the user waits for (and all a slider move changes), so its
      // first token comes after one prefill, not after a whole original continuation.
      if (gains) {
        const intervened = await this.deps.host.generate(request(snap.prompt, settings, gains, this.deps.shifts?.()), { signal, onText: (t) => update({ intervened: t }) });
        update({ intervened });
      }
      if (cached === undefined) {
        const text = await this.deps.host.generate(request(snap.prompt, settings), { signal, onText: (t) => update(gains ? { original: t } : { original: t, intervened: t }) });
        this.original = { key, text };
        update({ original: text });
      }
      // Without a profile there is nothing to intervene with: both sides are the model as it is.
      update({ ...(gains ? {} : { intervened: snap.original }), done: true });
    } catch (e) {
      if (isAbort(e) || signal.aborted) return { ...snap, done: true, error: 'cancelled' };
      this.deps.onError?.(e);
      update({ done: true, error: e instanceof Error ? e.message : String(e) });
    }
    return { ...snap };
  }

  private publish(s: PreviewSnapshot): void {
    this.latest = s;
    this.updated.fire(s);
  }

  private cancelPending(): void {
    if (this.pending) clearImmediate(this.pending);
    this.pending = undefined;
  }
}

function request(prompt: string, settings: GenerationSettings, gains?: GainMap, shifts?: ShiftMap): GenerateRequest {
  return { prompt, settings, ...(gains ? { gains } : {}), ...(gains && shifts ? { shifts } : {}) };
}

export function isAbort(e: unknown): boolean {
  return e instanceof Error && (e.name === 'AbortError' || e.message === 'cancelled');
}
