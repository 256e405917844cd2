// What the extension asks of the model. The model lives in a worker thread (worker-host.ts) so that
// loading, tokenizing and profiling never block the extension host; tests may run the same work in
// process (in-process.ts). Arguments and results are structured-clone friendly (Maps, typed arrays).
import type { ConceptSource } from '../../aura/datasets';
import type { ProfileStats } from '../../aura/stats/significance';
import type { ExpertsSnapshot, ModelSummary } from '../../shared/protocol';
import type { ExecutionProvider } from '../../engine/ort-session';

/** What the panel shows of a model (ModelSummary, less the host's own `isDemo`), plus what the host needs. */
export interface ModelInfo extends Omit<ModelSummary, 'isDemo'> {
  fingerprint: string;
  maxPositions: number | null;
}

export interface OpenRequest {
  path: string;
  threads?: number;
  executionProvider?: ExecutionProvider;
}

export interface GenerationSettings {
  maxNewTokens: number;
  temperature: number;
  topK: number;
  topP: number;
  seed: number;
}

/** Per site, the factor applied to each neuron (already at the chosen strength). */
export type GainMap = Map<string, Float32Array>;

/**
 * Per site, what an imported file adds after the gain (already at the chosen strength), and the range
 * a transport map holds in (version 2 files): y = gain*x + bias where lo < x < hi, x elsewhere.
 */
export type ShiftMap = Map<string, { bias: Float32Array; lo?: Float32Array; hi?: Float32Array }>;

export interface GenerateRequest {
  prompt: string;
  settings: GenerationSettings;
  gains?: GainMap;
  shifts?: ShiftMap;
}

export interface ActivationsRequest {
  texts: string[];
  sites: string[];
  maxTokens?: number;
  gains?: GainMap;
  shifts?: ShiftMap;
}

export interface TextActivations {
  tokens: { text: string; start: number; end: number }[];
  /** Per site, [tokens, neurons] row-major. */
  values: Map<string, Float32Array>;
}

export interface ProfileRequest {
  data: ConceptSource;
  maxPerClass?: number;
  seed: number;
  /** Profiles are cached under this folder, keyed by model fingerprint, data and settings. */
  cacheRoot: string;
  pooling: 'max' | 'mean';
  seqLen: number;
  batchSize?: number;
}

export interface ProfileOutcome {
  dir: string;
  reused: boolean;
  source: string;
  positives: number;
  negatives: number;
  pooling: 'max' | 'mean';
  /** AUROC per neuron, per site in model order. */
  aurocs: { siteId: string; auroc: Float64Array }[];
  /** Every neuron ranked, for the panel (ranked in the worker: sorting 50,000 rows takes ~60 ms). */
  experts: ExpertsSnapshot;
  /** Intervals, p/q-values, the permutation null and the summary (src/aura/stats/significance.ts). */
  stats?: ProfileStats;
  /** A class has fewer than 20 examples: the panel shows `warnings` wherever these results appear. */
  tooSmall?: boolean;
  warnings?: string[];
  seconds: number;
}

export interface EvaluateRequest {
  prompts: string;
  neutral?: string;
  maxPrompts?: number;
  samples: number;
  scorer: string;
  settings: GenerationSettings;
  gains: GainMap;
  shifts?: ShiftMap;
}

export interface EvaluationSide {
  score: number;
  prob: number;
  expectedMaxToxicity: number;
  perplexity: number | null;
}

export interface EvaluateOutcome {
  baseline: EvaluationSide;
  intervened: EvaluationSide;
  prompts: number;
  samples: number;
  scorer: string;
  seconds: number;
  examples: { prompt: string; original: string; intervened: string; originalScore: number; intervenedScore: number }[];
}

export interface ExportOnnxRequest {
  gains: GainMap;
  shifts?: ShiftMap;
  out: string;
}

export interface WorkProgress {
  stage: string;
  done: number;
  total: number;
}

export interface CallOptions {
  signal?: AbortSignal;
  onProgress?: (p: WorkProgress) => void;
  /** Generation: the full text generated so far, after every token. */
  onText?: (text: string) => void;
}

export interface ModelHost {
  open(req: OpenRequest, call?: CallOptions): Promise<ModelInfo>;
  close(): Promise<void>;
  generate(req: GenerateRequest, call?: CallOptions): Promise<string>;
  activations(req: ActivationsRequest, call?: CallOptions): Promise<TextActivations[]>;
  profile(req: ProfileRequest, call?: CallOptions): Promise<ProfileOutcome>;
  evaluate(req: EvaluateRequest, call?: CallOptions): Promise<EvaluateOutcome>;
  exportOnnx(req: ExportOnnxRequest, call?: CallOptions): Promise<{ bytes: number }>;
  /** Stops everything; the host cannot be used afterwards. */
  dispose(): Promise<void>;
}

export type HostMethod = Exclude<keyof ModelHost, 'dispose'>;
export const HOST_METHODS: readonly HostMethod[] = ['open', 'close', 'generate', 'activations', 'profile', 'evaluate', 'exportOnnx'];
