// The page's state: the latest snapshot of each kind from the host, plus the view state that
// survives reloads. Views subscribe and redraw what changed.
import { persistable } from './ui-state';
import type { ComparisonSnapshot, SweepSnapshot, EvaluationSummary, ExpertsSnapshot, InterventionSnapshot, MethodInfo, ModelSummary, NeuronDetail, PreviewSnapshot, ProgressSnapshot } from '../../src/shared/protocol';
import type { UiState } from './ui-state';

export interface PageState {
  model: ModelSummary | null;
  experts: ExpertsSnapshot | null;
  intervention: InterventionSnapshot | null;
  /** The methods the host's registry offers (didListMethods); null until they arrive: the built-in ones. */
  methods: readonly MethodInfo[] | null;
  detail: NeuronDetail | null;
  preview: PreviewSnapshot | null;
  progress: ProgressSnapshot;
  evaluation: EvaluationSummary | null;
  sweep: SweepSnapshot | null;
  /** The open profile against a second one, or the host's refusal of that one. */
  comparison: ComparisonSnapshot | { refused: string; b: string } | null;
  error: string | null;
  ui: UiState;
}

export type StateKey = keyof PageState;
export type Listener = (state: PageState, changed: ReadonlySet<StateKey>) => void;

export class Store {
  private s: PageState;
  private readonly listeners = new Set<Listener>();

  constructor(
    ui: UiState,
    private readonly save: (state: unknown) => void,
  ) {
    this.s = { model: null, experts: null, intervention: null, methods: null, detail: null, preview: null, progress: { task: null, done: 0, total: 0 }, evaluation: null, sweep: null, comparison: null, error: null, ui };
  }

  get state(): PageState {
    return this.s;
  }

  set<K extends Exclude<StateKey, 'ui'>>(key: K, value: PageState[K]): void {
    this.s = { ...this.s, [key]: value };
    this.emit(new Set([key]));
  }

  setUi(patch: Partial<UiState>): void {
    this.s = { ...this.s, ui: { ...this.s.ui, ...patch } };
    this.save(persistable(this.s.ui));
    this.emit(new Set(['ui']));
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(changed: ReadonlySet<StateKey>): void {
    for (const l of [...this.listeners]) l(this.s, changed);
  }
}
