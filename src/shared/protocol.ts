// The messages between the extension host and the experts panel page. Both sides import this file
// (the page's tsconfig sees only src/shared). Payloads are plain JSON; every message is validated on
// arrival by the receiving side with the guards below. Host -> page messages are full snapshots
// (`Did...`), so a page that reloads needs only the latest of each to redraw.

export interface SiteInfo {
  id: string;
  layer: number;
  kind: 'mlp.in' | 'mlp.gate' | 'mlp.up' | 'mlp.out' | 'custom';
  neurons: number;
}

export interface ModelSummary {
  name: string;
  path: string;
  format: string;
  architecture: string;
  layers: number;
  vocabSize: number;
  sites: SiteInfo[];
  isDemo: boolean;
}

/**
 * Every profiled neuron, sorted by AUROC descending, in columns of typed arrays: a million rows cross
 * to the page as three binary buffers (structured clone, no JSON), once per profile. Row i is neuron
 * `neuron[i]` of site `sites[site[i]]`.
 */
export interface ExpertsSnapshot {
  /** Names this ranking (one per profile run): the page rebuilds its rows when it changes. */
  key?: string;
  source: string;
  positives: number;
  negatives: number;
  pooling: 'max' | 'mean';
  sites: SiteInfo[];
  site: Uint32Array;
  neuron: Uint32Array;
  auroc: Float64Array;
  /** Per layer: experts (AUROC > 0.5), neurons, the best AUROC and, with statistics, the significant experts. */
  perLayer: { layer: number; experts: number; neurons: number; best?: number; significant?: number }[];
  /** The statistics issue's uncertainty, where the profile carries it (every field optional). */
  stats?: ExpertStats;
  /** Set by the host when the profile is too small to support a claim: says why, in one line. */
  warning?: string;
}

/** Per-row columns are in the ranking's order (row i of `auroc`). */
export interface ExpertStats {
  /** Confidence level of the intervals, e.g. 0.95. */
  level?: number;
  ciLow?: Float64Array;
  ciHigh?: Float64Array;
  /** AUROC on texts the ranking did not see. */
  heldOut?: Float64Array;
  /** Benjamini–Hochberg q-values of the label-permutation test. */
  qValue?: Float64Array;
  /** The q bound the significant count uses, and that count. */
  qBound?: number;
  significant?: number;
  /** AUROCs under label permutation (all neurons or a sample), drawn over the histogram. */
  nullAuroc?: Float64Array;
}

export type MethodName = 'aura' | 'damp' | 'det0';

export interface InterventionSettings {
  method: MethodName;
  /** In [0, 1]. */
  strength: number;
  /** Damp and Det0 only; null = every neuron with AUROC > 0.5. */
  k: number | null;
  /** Damp only. */
  alpha: number | null;
}

export interface NeuronOverride {
  site: string;
  neuron: number;
  /** Full-strength gain in [0, 2]. */
  gain: number;
}

/** Transport maps (apple/ml-act) beside AurA; offered by the page once the host lists them in `methods`. */
export type TransportMethodName = 'linear-act' | 'mean-act';

export interface InterventionSnapshot extends InterventionSettings {
  overrides: NeuronOverride[];
  /** The methods the host can fit now; absent means the three of MethodName. */
  methods?: string[];
  /** Neurons whose applied gain differs from 1. */
  affected: number;
  /** Where the intervention came from when imported. */
  importedFrom?: string;
}

export interface NeuronDetail {
  site: string;
  neuron: number;
  layer: number;
  auroc: number;
  /** Full-strength gain under the current method, and the gain applied at the current strength. */
  gain: number;
  applied: number;
  meanPositive: number;
  meanNegative: number;
  maxPositive: number;
  maxNegative: number;
  /** Pooled responses per class (a sample when the classes are large), for the distribution chart. */
  positive: number[];
  negative: number[];
  /** Examples that drive the neuron most, with the tokens where it fires most. */
  topExamples: { text: string; label: 0 | 1; value: number; tokens: { text: string; value: number }[] }[];
  /** The tokens it fires on most, aggregated over many examples (not only the top five). */
  topTokens?: { text: string; count: number; mean: number; max: number }[];
  /** Statistics of this neuron, where the profile carries them. */
  ci?: [number, number];
  level?: number;
  heldOutAuroc?: number;
  qValue?: number;
  /** What it writes into the residual stream (down-projection row through the unembedding). */
  writes?: { promoted: TokenLogit[]; suppressed: TokenLogit[] } | { unavailable: string };
  /** Fires on the concept (detection), writes it (generation), or both. */
  role?: 'detection' | 'generation' | 'both';
}

export interface TokenLogit {
  token: string;
  logit: number;
}

export interface PreviewSnapshot {
  runId: number;
  prompt: string;
  original: string;
  intervened: string;
  done: boolean;
  error?: string;
  /** Several samples per side (different seeds, same pairing), each scored by the evaluation's scorer. */
  samples?: { original: string; intervened: string; originalScore?: number; intervenedScore?: number }[];
  scorer?: string;
  mean?: { original: number; intervened: number };
}

/** The paper's evaluation, without and with the intervention on the same seeds. */
export interface EvaluationSummary {
  prompts: number;
  samples: number;
  scorer: string;
  seconds: number;
  baseline: { score: number; prob: number; perplexity: number | null };
  intervened: { score: number; prob: number; perplexity: number | null };
}

/** One point of a sweep: a method (or a control) at one strength, toxicity against perplexity. */
export interface SweepPoint {
  method: string;
  /** null for the method itself; 'random' or 'lowest' for the two controls. */
  control: 'random' | 'lowest' | null;
  strength: number;
  toxicity: number;
  perplexity: number | null;
}

export interface SweepSnapshot {
  scorer: string;
  points: SweepPoint[];
}

export interface ProgressSnapshot {
  /** null: nothing running. */
  task: string | null;
  done: number;
  total: number;
}

// ------------------------------------------------------------------ page -> host

export type PageMessage =
  | { type: 'ready' }
  | { type: 'setIntervention'; settings: InterventionSettings }
  | { type: 'setOverride'; site: string; neuron: number; gain: number | null }
  | { type: 'selectNeuron'; site: string; neuron: number }
  | { type: 'runPreview'; prompt: string }
  | { type: 'cancelPreview' }
  | { type: 'export'; format: 'json' | 'safetensors' | 'onnx' }
  | { type: 'profile' }
  | { type: 'useDemoModel' }
  | { type: 'openModelFolder' }
  | { type: 'importIntervention' }
  | { type: 'evaluate' }
  | { type: 'exportSweep'; format: 'csv' | 'json' };

// ------------------------------------------------------------------ host -> page

export type HostMessage =
  | { type: 'didChangeModel'; model: ModelSummary | null }
  | { type: 'didChangeExperts'; experts: ExpertsSnapshot | null }
  | { type: 'didChangeIntervention'; intervention: InterventionSnapshot }
  | { type: 'didSelectNeuron'; detail: NeuronDetail }
  | { type: 'didUpdatePreview'; preview: PreviewSnapshot }
  | { type: 'didChangeProgress'; progress: ProgressSnapshot }
  | { type: 'didEvaluate'; evaluation: EvaluationSummary }
  | { type: 'didSweep'; sweep: SweepSnapshot }
  | { type: 'didError'; message: string };

// ------------------------------------------------------------------ guards

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
const isStr = (v: unknown, max = 100_000): v is string => typeof v === 'string' && v.length <= max;
const METHODS: readonly string[] = ['aura', 'damp', 'det0'];

function isSettings(v: unknown): v is InterventionSettings {
  return (
    isObj(v) &&
    typeof v.method === 'string' &&
    METHODS.includes(v.method) &&
    isNum(v.strength) &&
    v.strength >= 0 &&
    v.strength <= 1 &&
    (v.k === null || (isInt(v.k) && v.k > 0)) &&
    (v.alpha === null || (isNum(v.alpha) && v.alpha >= 0 && v.alpha <= 1))
  );
}

/** Every per-row column present has one value per row; the null sample may have any length. */
function isStats(v: unknown, rows: number): boolean {
  if (!isObj(v)) return false;
  const col = (c: unknown) => c === undefined || (c instanceof Float64Array && c.length === rows);
  return col(v.ciLow) && col(v.ciHigh) && col(v.heldOut) && col(v.qValue) && (v.nullAuroc === undefined || v.nullAuroc instanceof Float64Array);
}

/** The page's message if it is well formed, else undefined (the host drops and logs it). */
export function parsePageMessage(v: unknown): PageMessage | undefined {
  if (!isObj(v) || typeof v.type !== 'string') return undefined;
  switch (v.type) {
    case 'exportSweep':
      return v.format === 'csv' || v.format === 'json' ? { type: 'exportSweep', format: v.format } : undefined;
    case 'ready':
    case 'cancelPreview':
    case 'profile':
    case 'useDemoModel':
    case 'openModelFolder':
    case 'importIntervention':
    case 'evaluate':
      return { type: v.type };
    case 'setIntervention':
      return isSettings(v.settings) ? { type: 'setIntervention', settings: { method: v.settings.method, strength: v.settings.strength, k: v.settings.k, alpha: v.settings.alpha } } : undefined;
    case 'setOverride':
      return isStr(v.site, 500) && isInt(v.neuron) && (v.gain === null || (isNum(v.gain) && v.gain >= 0 && v.gain <= 2))
        ? { type: 'setOverride', site: v.site, neuron: v.neuron, gain: v.gain as number | null }
        : undefined;
    case 'selectNeuron':
      return isStr(v.site, 500) && isInt(v.neuron) ? { type: 'selectNeuron', site: v.site, neuron: v.neuron } : undefined;
    case 'runPreview':
      return isStr(v.prompt, 20_000) ? { type: 'runPreview', prompt: v.prompt } : undefined;
    case 'export':
      return v.format === 'json' || v.format === 'safetensors' || v.format === 'onnx' ? { type: 'export', format: v.format } : undefined;
    default:
      return undefined;
  }
}

/** The host's message if it is well formed (shallow check of the shape the page relies on). */
export function parseHostMessage(v: unknown): HostMessage | undefined {
  if (!isObj(v) || typeof v.type !== 'string') return undefined;
  switch (v.type) {
    case 'didChangeModel':
      return v.model === null || (isObj(v.model) && isStr(v.model.name) && Array.isArray(v.model.sites)) ? (v as HostMessage) : undefined;
    case 'didChangeExperts': {
      if (v.experts === null) return v as HostMessage;
      const e = v.experts;
      const ok =
        isObj(e) &&
        e.site instanceof Uint32Array &&
        e.neuron instanceof Uint32Array &&
        e.auroc instanceof Float64Array &&
        e.site.length === e.neuron.length &&
        e.neuron.length === e.auroc.length &&
        Array.isArray(e.sites) &&
        Array.isArray(e.perLayer) &&
        (e.stats === undefined || isStats(e.stats, e.auroc.length));
      return ok ? (v as HostMessage) : undefined;
    }
    case 'didChangeIntervention':
      return isObj(v.intervention) && isSettings(v.intervention) && Array.isArray(v.intervention.overrides) && isInt(v.intervention.affected) ? (v as HostMessage) : undefined;
    case 'didSelectNeuron': {
      const d = v.detail;
      const ok = isObj(d) && isStr(d.site) && isInt(d.neuron) && isNum(d.auroc) && isNum(d.gain) && isNum(d.applied);
      return ok && Array.isArray(d.positive) && Array.isArray(d.negative) && Array.isArray(d.topExamples) ? (v as HostMessage) : undefined;
    }
    case 'didUpdatePreview': {
      const p = v.preview;
      return isObj(p) && isInt(p.runId) && isStr(p.prompt) && isStr(p.original) && isStr(p.intervened) && typeof p.done === 'boolean' ? (v as HostMessage) : undefined;
    }
    case 'didChangeProgress':
      return isObj(v.progress) && (v.progress.task === null || isStr(v.progress.task)) && isNum(v.progress.done) && isNum(v.progress.total) ? (v as HostMessage) : undefined;
    case 'didEvaluate': {
      const e = v.evaluation;
      const side = (x: unknown) => isObj(x) && isNum(x.score) && isNum(x.prob) && (x.perplexity === null || isNum(x.perplexity));
      return isObj(e) && isInt(e.prompts) && isInt(e.samples) && isStr(e.scorer) && side(e.baseline) && side(e.intervened) ? (v as HostMessage) : undefined;
    }
    case 'didError':
      return isStr(v.message) ? (v as HostMessage) : undefined;
    case 'didSweep': {
      const w = v.sweep;
      const point = (p: unknown) => isObj(p) && isStr(p.method, 100) && (p.control === null || p.control === 'random' || p.control === 'lowest') && isNum(p.strength) && isNum(p.toxicity) && (p.perplexity === null || isNum(p.perplexity));
      return isObj(w) && isStr(w.scorer) && Array.isArray(w.points) && w.points.every(point) ? (v as HostMessage) : undefined;
    }
    default:
      return undefined;
  }
}
