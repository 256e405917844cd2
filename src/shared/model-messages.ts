// The messages between the extension host and the model process (src/host/model-host/): each call's
// argument and result, and the envelopes around them, as valibot schemas. The types in
// model-host/api.ts are inferred from these, and each side checks what arrives with the same schema,
// so the two sides cannot drift. Messages travel over Node's IPC channel with `serialization:
// 'advanced'` (structured clone), so Maps and typed arrays cross as they are.
//
// Big results travel as typed arrays: deserialising a 1.4M-element JS array costs the receiving
// thread close to a second, a Float64Array of the same length about 20 ms.
//
// To add a call: its argument and result schema in MODEL_CALLS, then the method in ModelHost (api.ts)
// and in ModelWork (model-work.ts); ProcessModelHost and the process entry need no change.
import * as v from 'valibot';
import { count, DifferenceIntervalsSchema, EvaluationSideSchema, ExpertStatsSchema, FigureIntervalsSchema, finite, NeuronDetailSchema, PoolingSchema, SiteInfoSchema, ToxicityFiguresSchema } from './protocol';
export { firstIssue } from './protocol';

const str = v.string();
const optionalCount = v.optional(count);
const labelled = v.object({ text: str, label: v.picklist([0, 1]) });
// v.custom rather than v.instance: the type stays Float32Array<ArrayBufferLike>, so arrays over
// shared memory (the AUROC pool's) type-check too.
const f32 = v.custom<Float32Array>((x) => x instanceof Float32Array, 'expected a Float32Array');
const f64 = v.custom<Float64Array>((x) => x instanceof Float64Array, 'expected a Float64Array');
const i32 = v.custom<Int32Array>((x) => x instanceof Int32Array, 'expected an Int32Array');
const u8 = v.custom<Uint8Array>((x) => x instanceof Uint8Array, 'expected a Uint8Array');

// ------------------------------------------------------------------ arguments

export const ExecutionProviderSchema = v.picklist(['cpu', 'cuda', 'webgpu', 'dml', 'coreml']);

export const OpenRequestSchema = v.object({ path: str, threads: optionalCount, executionProvider: v.optional(ExecutionProviderSchema) });

export const GenerationSettingsSchema = v.object({
  maxNewTokens: count,
  temperature: finite,
  topK: count,
  topP: finite,
  seed: v.pipe(v.number(), v.integer()),
});

/** Per site, the factor applied to each neuron (already at the chosen strength). */
export const GainMapSchema = v.map(str, f32);

/**
 * Per site, what an imported file adds after the gain (already at the chosen strength), and the range
 * a transport map holds in (version 2 files): y = gain*x + bias where lo < x < hi, x elsewhere.
 */
export const ShiftMapSchema = v.map(str, v.object({ bias: f32, lo: v.optional(f32), hi: v.optional(f32) }));
const shifts = v.optional(ShiftMapSchema);

export const GenerateRequestSchema = v.object({ prompt: str, settings: GenerationSettingsSchema, gains: v.optional(GainMapSchema), shifts });

export const ActivationsRequestSchema = v.object({
  texts: v.array(str),
  sites: v.array(str),
  maxTokens: optionalCount,
  gains: v.optional(GainMapSchema),
  shifts,
});

/** Where concept data comes from (the shape of aura/datasets' ConceptSource). */
export const ConceptSourceSchema = v.variant('kind', [
  v.object({
    kind: v.picklist(['file', 'jsonl', 'csv']),
    path: str,
    textColumn: v.optional(str),
    labelColumn: v.optional(str),
    delimiter: v.optional(str),
    textKey: v.optional(str),
    labelKey: v.optional(str),
  }),
  v.object({ kind: v.literal('text'), positives: str, negatives: str }),
  v.object({ kind: v.literal('memory'), examples: v.pipe(v.array(labelled), v.readonly()), name: v.optional(str) }),
]);

export const ProfileRequestSchema = v.object({
  data: ConceptSourceSchema,
  maxPerClass: optionalCount,
  seed: v.pipe(v.number(), v.integer()),
  /** Profiles are cached under this folder, keyed by model fingerprint, data and settings. */
  cacheRoot: str,
  pooling: PoolingSchema,
  seqLen: count,
  batchSize: optionalCount,
});

export const EvaluateRequestSchema = v.object({
  prompts: str,
  neutral: v.optional(str),
  maxPrompts: optionalCount,
  samples: count,
  scorer: str,
  settings: GenerationSettingsSchema,
  gains: GainMapSchema,
  shifts,
});

/** A sweep (issue 9, item 4): methods and their controls fitted on a profile folder, evaluated over strengths. */
export const SweepRequestSchema = v.object({
  dir: str,
  methods: v.pipe(v.array(v.picklist(['aura', 'damp', 'det0', 'linear-act', 'mean-act'])), v.minLength(1)),
  controls: v.array(v.picklist(['random', 'lowest'])),
  strengths: v.pipe(v.array(v.pipe(finite, v.minValue(0), v.maxValue(1))), v.minLength(1)),
  prompts: str,
  neutral: v.optional(str),
  maxPrompts: optionalCount,
  samples: count,
  scorer: str,
  settings: GenerationSettingsSchema,
});
export type SweepRequest = v.InferOutput<typeof SweepRequestSchema>;

/** `provenance`: the export's provenance record as JSON text, kept in the model's metadata_props. */
export const ExportOnnxRequestSchema = v.object({ gains: GainMapSchema, shifts, out: str, provenance: v.optional(str) });

/** A finished profile folder written elsewhere (`aura-lens profile --out`, `aura-lens merge`), read with this pooling. */
export const OpenProfileRequestSchema = v.object({ dir: str, pooling: PoolingSchema });

/** One neuron of a profile folder: its responses are read there, its examples run there. */
export const DetailRequestSchema = v.object({
  dir: str,
  pooling: PoolingSchema,
  site: str,
  layer: v.pipe(v.number(), v.integer(), v.minValue(-1)),
  neurons: count,
  neuron: count,
  auroc: finite,
  gain: finite,
  applied: finite,
  /** 'profile': only what the profile folder holds (no model work, answered beside the model's queue); default all. */
  part: v.optional(v.picklist(['profile', 'all'])),
});

// ------------------------------------------------------------------ results

export const ModelInfoSchema = v.object({
  name: str,
  path: str,
  format: str,
  architecture: str,
  layers: count,
  vocabSize: count,
  sites: v.array(SiteInfoSchema),
  fingerprint: str,
  maxPositions: v.nullable(count),
});

export const TextActivationsSchema = v.object({
  tokens: v.array(v.object({ text: str, start: count, end: count })),
  /** Per site, [tokens, neurons] row-major. */
  values: v.map(str, f32),
});

/** Every profiled neuron ranked by AUROC (descending), as columns; row i is neuron[i] of sites[site[i]]. */
export const RankedExpertsSchema = v.pipe(
  v.object({
    source: str,
    positives: count,
    negatives: count,
    pooling: PoolingSchema,
    sites: v.array(SiteInfoSchema),
    site: i32,
    neuron: i32,
    auroc: f64,
    perLayer: v.array(v.object({ layer: v.pipe(v.number(), v.integer(), v.minValue(-1)), experts: count, neurons: count })),
    /** The profile's statistics per row (host/panel-feeds' expertStatsFrom, computed in the model process). */
    stats: v.optional(ExpertStatsSchema),
  }),
  v.check((e) => e.site.length === e.neuron.length && e.neuron.length === e.auroc.length, 'site, neuron and auroc must have the same length'),
  v.check((e) => [e.stats?.ciLow, e.stats?.ciHigh, e.stats?.heldOut, e.stats?.qValue].every((c) => c === undefined || c.length === e.auroc.length), 'every statistics column must have one value per row'),
);

/** A profile's statistics (src/aura/stats/significance.ts's ProfileStats): intervals, p/q-values, the null. */
const SiteStatsSchema = v.object({
  id: str,
  neurons: count,
  auroc: f64,
  ciLow: v.optional(f64),
  ciHigh: v.optional(f64),
  p: f64,
  q: f64,
  heldOutAuroc: v.optional(f64),
  /** AUROC on the ranking part of the held-out split (the panel's column). */
  rankAuroc: v.optional(f64),
});
const ClassCountsSchema = v.object({ positives: count, negatives: count });
export const ProfileStatsSchema = v.object({
  pooling: PoolingSchema,
  positives: count,
  negatives: count,
  heldOut: v.optional(v.object({ fraction: finite, rank: ClassCountsSchema, held: ClassCountsSchema })),
  confidence: finite,
  resamples: count,
  tooSmall: v.boolean(),
  warnings: v.array(str),
  sites: v.array(SiteStatsSchema),
  null: v.optional(v.object({ permutations: count, histogram: v.array(count), alpha: finite, rejectRate: finite })),
  summary: v.object({
    neurons: count,
    maxQ: finite,
    significant: count,
    nearChance: count,
    medianCiWidth: v.nullable(finite),
    heldOut: v.optional(v.object({ experts: count, meanRankAuroc: v.nullable(finite), meanHeldOutAuroc: v.nullable(finite) })),
  }),
});

/** One site's full-strength transport map (src/aura/transport.ts's TransportSite): y = gain*x + bias where lo < x < hi. */
const TransportSiteSchema = v.pipe(
  v.object({ siteId: str, gain: f32, bias: f32, lo: f32, hi: f32, changed: u8 }),
  v.check((t) => [t.bias, t.lo, t.hi, t.changed].every((c) => c.length === t.gain.length), 'gain, bias, lo, hi and changed must have the same length'),
);
/** Linear-AcT and Mean-AcT fitted from the profile's mean-pooled responses, per site in model order. */
export const TransportFitsSchema = v.object({ 'linear-act': v.array(TransportSiteSchema), 'mean-act': v.array(TransportSiteSchema) });

export const ProfileResultSchema = v.object({
  dir: str,
  reused: v.boolean(),
  source: str,
  positives: count,
  negatives: count,
  pooling: PoolingSchema,
  /** AUROC per neuron, per site in model order. */
  aurocs: v.array(v.object({ siteId: str, auroc: f64 })),
  experts: RankedExpertsSchema,
  /** Intervals, q-values, the permutation null; a class under 20 examples sets tooSmall and warnings. */
  stats: v.optional(ProfileStatsSchema),
  tooSmall: v.optional(v.boolean()),
  warnings: v.optional(v.array(str)),
  /** The transport methods the panel offers beside AurA; absent for a sketch profile (it keeps no responses). */
  transport: v.optional(TransportFitsSchema),
  /** Lines for the output channel: whether the statistics and transport fits came from the profile folder's cache. */
  notes: v.optional(v.array(str)),
  seconds: finite,
});


export const EvaluateOutcomeSchema = v.object({
  baseline: EvaluationSideSchema,
  intervened: EvaluationSideSchema,
  prompts: count,
  samples: count,
  scorer: str,
  /** The same continuations scored by a second instrument that did not label the concept data. */
  second: v.optional(v.object({ scorer: str, baseline: ToxicityFiguresSchema, intervened: ToxicityFiguresSchema })),
  difference: v.optional(DifferenceIntervalsSchema),
  warnings: v.optional(v.array(str)),
  seconds: finite,
  examples: v.array(v.object({ prompt: str, original: str, intervened: str, originalScore: finite, intervenedScore: finite })),
});

/** src/aura/evaluate.ts's ToxicityResult. */
const ToxicitySchema = v.object({
  ...ToxicityFiguresSchema.entries,
  samplesPerPrompt: count,
  score: finite,
  prob: finite,
  toxicContinuations: finite,
  prompts: count,
  continuations: count,
});
export const SweepOutcomeSchema = v.object({
  scorer: str,
  prompts: count,
  samples: count,
  /** Neurons each arm changes at full strength. */
  arms: v.array(v.object({ method: str, control: v.nullable(v.picklist(['random', 'lowest'])), experts: count })),
  secondScorer: v.optional(str),
  points: v.array(
    v.object({
      method: str,
      control: v.nullable(v.picklist(['random', 'lowest'])),
      strength: finite,
      toxicity: ToxicitySchema,
      second: v.optional(v.object({ scorer: str, toxicity: ToxicitySchema })),
      perplexity: v.nullable(finite),
      intervals: v.optional(FigureIntervalsSchema),
    }),
  ),
  warnings: v.optional(v.array(str)),
  seconds: finite,
});

/** Every call the model process answers: its argument and its result. */
export const MODEL_CALLS = {
  open: { arg: OpenRequestSchema, result: ModelInfoSchema },
  close: { arg: v.undefined(), result: v.undefined() },
  generate: { arg: GenerateRequestSchema, result: str },
  activations: { arg: ActivationsRequestSchema, result: v.array(TextActivationsSchema) },
  profile: { arg: ProfileRequestSchema, result: ProfileResultSchema },
  evaluate: { arg: EvaluateRequestSchema, result: EvaluateOutcomeSchema },
  exportOnnx: { arg: ExportOnnxRequestSchema, result: v.object({ bytes: count }) },
  neuronDetail: { arg: DetailRequestSchema, result: NeuronDetailSchema },
  openProfile: { arg: OpenProfileRequestSchema, result: ProfileResultSchema },
  sweep: { arg: SweepRequestSchema, result: SweepOutcomeSchema },
  /** The highlight's non-toxic reference of each listed neuron: percentiles of its non-toxic pooled responses (host/token-scores.ts). */
  nonToxicReferences: { arg: v.object({ dir: str, pooling: PoolingSchema, experts: v.array(v.object({ site: str, neuron: count })) }), result: v.array(v.array(finite)) },
} as const;
export type ModelCall = keyof typeof MODEL_CALLS;
export const MODEL_CALL_NAMES = Object.keys(MODEL_CALLS) as ModelCall[];
export type CallArg<M extends ModelCall> = v.InferOutput<(typeof MODEL_CALLS)[M]['arg']>;
export type CallResult<M extends ModelCall> = v.InferOutput<(typeof MODEL_CALLS)[M]['result']>;

// ------------------------------------------------------------------ envelopes

export const WorkProgressSchema = v.object({ stage: str, done: finite, total: finite });

export const SerializedErrorSchema = v.object({ name: str, message: str, stack: v.optional(str) });

/** Host -> model process. The argument is checked against its call's schema by the process. */
export const ToModelSchema = v.variant('type', [
  v.object({ type: v.literal('call'), id: count, method: v.picklist(MODEL_CALL_NAMES), arg: v.unknown() }),
  v.object({ type: v.literal('cancel'), id: count }),
]);
export type ToModel = v.InferOutput<typeof ToModelSchema>;

/**
 * A result's big typed arrays, written to a temporary file by the model process (host/model-host/
 * bulk-wire.ts): the value holds { $bulk: index } in their place, and the host reads them back
 * asynchronously instead of deserialising them on its thread.
 */
export const BulkRefSchema = v.object({
  file: str,
  arrays: v.array(v.object({ kind: v.picklist(['Float64Array', 'Float32Array', 'Int32Array', 'Uint32Array', 'Uint8Array']), offset: count, length: count })),
});

/** Model process -> host. A result is checked against its call's result schema by the host. */
export const FromModelSchema = v.variant('type', [
  v.object({ type: v.literal('result'), id: count, value: v.unknown(), bulk: v.optional(BulkRefSchema) }),
  v.object({ type: v.literal('error'), id: count, error: SerializedErrorSchema }),
  v.object({ type: v.literal('progress'), id: count, progress: WorkProgressSchema }),
  v.object({ type: v.literal('text'), id: count, text: str }),
]);
export type FromModel = v.InferOutput<typeof FromModelSchema>;
