// The messages between the extension host and the experts panel page. Both sides import this file
// (the page's tsconfig sees only src/shared). Every message and payload is ONE valibot schema: its
// TypeScript type is inferred from the schema, and the receiving side checks arrivals with the same
// schema, so the page's check and the host's can never drift apart. Host -> page messages are full
// snapshots (`did...`), so a page that reloads needs only the latest of each to redraw; the one delta
// (didAppendPreview, a streaming preview's new tokens) is numbered and falls back to a snapshot.
//
// How to add a message (keep edits additive; other engineers add messages here too):
//
//   1. Payload schema (if any), then its type from the schema:
//        export const SortSchema = v.object({ column: v.picklist(['auroc', 'gain']), descending: v.boolean() });
//        export type Sort = v.InferOutput<typeof SortSchema>;
//   2. The message, as one more entry of PAGE_MESSAGES (page -> host) or HOST_MESSAGES (host -> page):
//        v.object({ type: v.literal('setSort'), sort: SortSchema }),
//   3. Nothing else: PageMessage / HostMessage, parsePageMessage / parseHostMessage and the fuzz tests
//      (test/unit/protocol-fuzz.test.ts) pick it up; handle the new `type` where the union is switched on.
//
// v.object drops unknown keys, so a message arrives with only its known fields. Numbers are finite
// unless a schema says otherwise; strings are bounded so one message cannot carry unbounded text.
import * as v from 'valibot';
import { NULL_SAMPLE, REF3_LIMIT, refAt } from './experts-packed';
import { BUILTIN_METHODS } from './method-labels';
import { ViewStateSchema } from './view-state';
import { ProvenanceSchema } from './provenance';

// ------------------------------------------------------------------ building blocks

/** A finite number (JSON cannot carry NaN or Infinity, and none is meaningful here). */
export const finite = v.pipe(v.number(), v.finite());
/** A non-negative integer (indices, counts). */
export const count = v.pipe(v.number(), v.integer(), v.minValue(0));
/** A string of at most `max` characters. */
export const text = (max = 100_000) => v.pipe(v.string(), v.maxLength(max));
const siteId = text(500);

/**
 * An array of finite numbers, checked in one loop: experts columns hold up to ~1.4M values, and a
 * schema per element would cost the page a noticeable pause on every snapshot.
 */
export const finiteArray = v.custom<number[]>((x) => {
  if (!Array.isArray(x)) return false;
  for (let i = 0; i < x.length; i++) {
    const n: unknown = x[i];
    if (typeof n !== 'number' || !Number.isFinite(n)) return false;
  }
  return true;
}, 'expected an array of finite numbers');

/**
 * A typed-array column of finite numbers. The experts cross as typed arrays (structured clone, no
 * JSON: ~16 bytes a neuron); `rows` fixes the length where it must match the ranking's.
 */
const typedColumn = <T extends Float64Array | Uint32Array>(kind: { new (n: number): T; name: string }) =>
  v.custom<T>((x) => {
    if (!(x instanceof kind)) return false;
    for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) return false;
    return true;
  }, `expected a ${kind.name} of finite numbers`);
export const float64Column = typedColumn<Float64Array<ArrayBufferLike>>(Float64Array);
export const uint32Column = typedColumn<Uint32Array<ArrayBufferLike>>(Uint32Array);

// ------------------------------------------------------------------ payloads

export const SiteKindSchema = v.picklist(['mlp.in', 'mlp.gate', 'mlp.up', 'mlp.out', 'custom']);

export const SiteInfoSchema = v.object({
  id: siteId,
  /** -1 when the graph does not say (a custom site). */
  layer: v.pipe(v.number(), v.integer(), v.minValue(-1)),
  kind: SiteKindSchema,
  neurons: count,
});
export type SiteInfo = v.InferOutput<typeof SiteInfoSchema>;

export const ModelSummarySchema = v.object({
  name: text(),
  path: text(),
  format: text(),
  architecture: text(),
  layers: count,
  vocabSize: count,
  sites: v.array(SiteInfoSchema),
  isDemo: v.boolean(),
});
export type ModelSummary = v.InferOutput<typeof ModelSummarySchema>;

export const PoolingSchema = v.picklist(['max', 'mean']);

/**
 * Every profiled neuron, sorted by AUROC descending, in columns (50,000+ rows travel as four arrays,
 * not 50,000 objects). Row i is neuron `neuron[i]` of site `sites[site[i]]`.
 */
/** Per-row columns are in the ranking's order (row i of `auroc`); every field is optional. */
export const ExpertStatsSchema = v.object({
  /** Confidence level of the intervals, e.g. 0.95. */
  level: v.optional(v.pipe(finite, v.minValue(0), v.maxValue(1))),
  ciLow: v.optional(float64Column),
  ciHigh: v.optional(float64Column),
  /** AUROC on texts the ranking did not see. */
  heldOut: v.optional(float64Column),
  /** The share of each class held out for that column (the CLI's `fit --held-out` split). */
  heldOutFraction: v.optional(v.pipe(finite, v.minValue(0), v.maxValue(1))),
  /** Benjamini–Hochberg q-values of the label-permutation test. */
  qValue: v.optional(float64Column),
  /** The q bound the significant count uses, and that count. */
  qBound: v.optional(finite),
  significant: v.optional(count),
  /** AUROCs under label permutation (all neurons or a sample), drawn over the histogram. */
  nullAuroc: v.optional(float64Column),
  /** Split-half stability of the expert set (src/aura/stats/stability.ts): overlaps, rank correlation, verdict. */
  stability: v.optional(
    v.object({
      topK: v.array(v.object({ k: count, shared: count, jaccard: finite })),
      spearman: v.nullable(finite),
      stable: v.boolean(),
      rule: text(1000),
      warning: v.optional(text(1000)),
    }),
  ),
  /** Per row: 1 in the top 100 of both halves (stable), 2 of one half only (unstable), 0 of neither. */
  stableBadge: v.optional(uint32Column),
});
export type ExpertStats = v.InferOutput<typeof ExpertStatsSchema>;

export const ExpertsSnapshotSchema = v.pipe(
  v.object({
    /** Names this ranking (one per profile run). */
    key: v.optional(text(1000)),
    source: text(),
    positives: count,
    negatives: count,
    pooling: PoolingSchema,
    sites: v.array(SiteInfoSchema),
    site: uint32Column,
    neuron: uint32Column,
    auroc: float64Column,
    /** Per layer: experts (AUROC > 0.5), neurons, and the best AUROC. */
    perLayer: v.array(
      v.object({
        layer: v.pipe(v.number(), v.integer(), v.minValue(-1)),
        experts: count,
        neurons: count,
        best: v.optional(finite),
        /** Rows with q <= qBound and AUROC > 0.5 (set by the packed wire, which leaves q-values out). */
        significant: v.optional(count),
      }),
    ),
    /** The statistics issue's uncertainty, where the profile carries it. */
    stats: v.optional(ExpertStatsSchema),
    /** Set by the host when the profile is too small to support a claim: says why, in one line. */
    warning: v.optional(text(1000)),
  }),
  v.check((e) => e.site.length === e.neuron.length && e.neuron.length === e.auroc.length, 'site, neuron and auroc must have the same length'),
  v.check((e) => [e.stats?.ciLow, e.stats?.ciHigh, e.stats?.heldOut, e.stats?.qValue, e.stats?.stableBadge].every((c) => c === undefined || c.length === e.auroc.length), 'every statistics column must have one value per row'),
);
export type ExpertsSnapshot = v.InferOutput<typeof ExpertsSnapshotSchema>;

const uint8Bytes = v.custom<Uint8Array<ArrayBufferLike>>((x) => x instanceof Uint8Array, 'expected a Uint8Array');
const unit16Column = v.custom<Uint16Array<ArrayBufferLike>>((x) => x instanceof Uint16Array, 'expected a Uint16Array');

/**
 * The experts as they cross to the page (src/shared/experts-packed.ts packs and unpacks them): the
 * snapshot's small fields as they are, every per-row column in 16 bits or a 3-4 byte ref. Lengths are
 * checked against `rows`, and every ref must name a neuron of `sites`.
 */
export const ExpertsPackedSchema = v.pipe(
  v.object({
    ...v.omit(ExpertsSnapshotSchema.pipe[0], ['site', 'neuron', 'auroc', 'stats']).entries,
    rows: count,
    refBytes: v.picklist([3, 4]),
    ref: uint8Bytes,
    auroc: unit16Column,
    stats: v.optional(
      v.object({
        ...v.omit(ExpertStatsSchema, ['ciLow', 'ciHigh', 'heldOut', 'qValue', 'nullAuroc', 'stableBadge']).entries,
        /** The ref's low two bits carry the stable badge (1 stable, 2 unstable). */
        badge: v.optional(v.boolean()),
        ciLow: v.optional(unit16Column),
        ciHigh: v.optional(unit16Column),
        heldOut: v.optional(unit16Column),
        nullAuroc: v.optional(v.pipe(unit16Column, v.check((c) => c.length <= NULL_SAMPLE, `at most ${NULL_SAMPLE} null values`))),
      }),
    ),
  }),
  v.check((p) => p.auroc.length === p.rows && p.ref.length === p.rows * p.refBytes, 'auroc and ref must hold one value per row'),
  v.check((p) => [p.stats?.ciLow, p.stats?.ciHigh, p.stats?.heldOut].every((c) => c === undefined || c.length === p.rows), 'every statistics column must have one value per row'),
  v.check((p) => (p.stats?.ciLow === undefined) === (p.stats?.ciHigh === undefined), 'ciLow and ciHigh come together'),
  v.check((p) => {
    const total = p.sites.reduce((a, s) => a + s.neurons, 0);
    if (p.refBytes === 3 && total > REF3_LIMIT) return false;
    const badge = p.stats?.badge === true;
    for (let i = 0; i < p.rows; i++) {
      const r = refAt(p.ref, p.refBytes, i);
      if (r >>> 2 >= total || (r & 3) > (badge ? 2 : 0)) return false;
    }
    return true;
  }, 'every ref must name a neuron of the sites (and carry a badge of 0-2 only when badge is set)'),
);
export type ExpertsPacked = v.InferOutput<typeof ExpertsPackedSchema>;

/**
 * A method's id. The methods themselves are the host's registry (src/aura/methods.ts, plus the transport
 * maps), listed to the page in didListMethods; the host refuses an id it does not know.
 */
export const MethodNameSchema = v.pipe(v.string(), v.regex(/^[a-z][a-z0-9-]{0,49}$/, 'a method id (lowercase letters, digits and dashes)'));
export type MethodName = v.InferOutput<typeof MethodNameSchema>;

// The ids a page may ask for: the built-in ones, and each one the host's registry adds (acceptMethod),
// so a setIntervention naming no known method is dropped on arrival, as any other malformed message.
const acceptedMethods = new Set(BUILTIN_METHODS.map((m) => m.id));

/** Called by the host's method registry for each method it registers. */
export function acceptMethod(id: string): void {
  acceptedMethods.add(id);
}

const AcceptedMethodSchema = v.pipe(MethodNameSchema, v.check((id) => acceptedMethods.has(id), 'a method the host knows'));

/** One method as the panel offers it: what its picker shows and which parameters it takes. */
export const MethodInfoSchema = v.object({
  id: MethodNameSchema,
  label: text(100),
  /** Whether the method takes a top-k (null: every neuron with AUROC > 0.5). */
  takesK: v.boolean(),
  /** Whether it takes a fixed factor alpha, and the alpha it starts from. */
  takesAlpha: v.boolean(),
  defaultAlpha: v.nullable(finite),
  /** A transport map, fitted from a profile's responses: offered only while the host lists it in the intervention's `methods`. */
  transport: v.boolean(),
  description: text(1000),
});
export type MethodInfo = v.InferOutput<typeof MethodInfoSchema>;

const settingsEntries = {
  method: MethodNameSchema,
  /** In [0, 1]. */
  strength: v.pipe(finite, v.minValue(0), v.maxValue(1)),
  /** Methods that take a top-k (Damp, Det0) only; null = every neuron with AUROC > 0.5. */
  k: v.nullable(v.pipe(v.number(), v.integer(), v.minValue(1))),
  /** Methods that take an alpha (Damp) only. Any finite factor: an imported Damp file may amplify (alpha > 1), as the CLI allows. */
  alpha: v.nullable(finite),
};

/** What the page asks for: a method the host knows. */
export const InterventionSettingsSchema = v.object({ ...settingsEntries, method: AcceptedMethodSchema });
export type InterventionSettings = v.InferOutput<typeof InterventionSettingsSchema>;

/** A hand-set full-strength gain, as the page's slider sets it. */
export const OverrideGainSchema = v.pipe(finite, v.minValue(0), v.maxValue(2));

export const NeuronOverrideSchema = v.object({
  site: siteId,
  neuron: count,
  /** Full-strength gain: [0, 2] when set on the page; any finite value when imported from a file. */
  gain: finite,
});
export type NeuronOverride = v.InferOutput<typeof NeuronOverrideSchema>;

/** Transport maps (apple/ml-act) beside AurA; offered by the page once the host lists them in `methods`. */
export type TransportMethodName = 'linear-act' | 'mean-act';

export const InterventionSnapshotSchema = v.object({
  ...settingsEntries,
  overrides: v.array(NeuronOverrideSchema),
  /** The methods the host can fit now; absent means every listed method that is not a transport map. */
  methods: v.optional(v.array(text(50))),
  /** Neurons whose applied gain differs from 1. */
  affected: count,
  /** Where the intervention came from when imported. */
  importedFrom: v.optional(text()),
  /** Set when the compare card combined two concepts: "product of <A> and <B>" (or min). */
  combined: v.optional(text()),
  /** Bumps on every change of the intervention: what derived results are checked against (provenance.ts). */
  revision: v.optional(count),
});
export type InterventionSnapshot = v.InferOutput<typeof InterventionSnapshotSchema>;

export const TokenLogitSchema = v.object({ token: text(1000), logit: finite });
export type TokenLogit = v.InferOutput<typeof TokenLogitSchema>;

export const NeuronDetailSchema = v.object({
  site: siteId,
  neuron: count,
  layer: v.pipe(v.number(), v.integer(), v.minValue(-1)),
  auroc: finite,
  /** Full-strength gain under the current method, and the gain applied at the current strength. */
  gain: finite,
  applied: finite,
  meanPositive: finite,
  meanNegative: finite,
  maxPositive: finite,
  maxNegative: finite,
  /** Pooled responses per class (a sample when the classes are large), for the distribution chart. */
  positive: finiteArray,
  negative: finiteArray,
  /** Examples that drive the neuron most, with the tokens where it fires most. */
  topExamples: v.array(
    v.object({
      text: text(),
      label: v.picklist([0, 1]),
      value: finite,
      tokens: v.array(v.object({ text: text(), value: finite })),
    }),
  ),
  /** The tokens it fires on most, aggregated over many examples (not only the top five). */
  topTokens: v.optional(v.array(v.object({ text: text(1000), count, mean: finite, max: finite }))),
  /** Statistics of this neuron, where the profile carries them. */
  ci: v.optional(v.tuple([finite, finite])),
  level: v.optional(finite),
  heldOutAuroc: v.optional(finite),
  /** AUROC on the other part of the held-out split, and the share held out. */
  rankAuroc: v.optional(finite),
  heldOutFraction: v.optional(finite),
  qValue: v.optional(finite),
  /** What it writes into the residual stream (its down-projection row through the unembedding), or why that cannot be read. */
  writes: v.optional(v.union([v.object({ promoted: v.array(TokenLogitSchema), suppressed: v.array(TokenLogitSchema) }), v.object({ unavailable: text(1000) })])),
  /** Fires on the concept (detection), writes it (generation), or both. */
  role: v.optional(v.picklist(['detection', 'generation', 'both'])),
  /** Why topExamples is empty when the profile has no examples (CLI and merged profiles may keep none). */
  examplesNote: v.optional(text()),
  /** The profile (and intervention) it was computed from (provenance.ts). */
  madeWith: v.optional(ProvenanceSchema),
  /** The profile's part only: examples, tokens and writes are still being computed (they follow in another didSelectNeuron). */
  pending: v.optional(v.boolean()),
});
export type NeuronDetail = v.InferOutput<typeof NeuronDetailSchema>;

export const PreviewSnapshotSchema = v.object({
  runId: count,
  prompt: text(),
  original: text(),
  intervened: text(),
  done: v.boolean(),
  error: v.optional(text()),
  /** Several samples (the next seeds, the same seed on both sides), each scored by the evaluation's scorer. */
  samples: v.optional(v.array(v.object({ original: text(), intervened: text(), originalScore: v.optional(finite), intervenedScore: v.optional(finite) }))),
  scorer: v.optional(text(1000)),
  mean: v.optional(v.object({ original: finite, intervened: finite })),
  /** The profile and intervention the intervened side was generated with (set once its gains are read). */
  madeWith: v.optional(ProvenanceSchema),
  /** The last prompt again because the intervention or profile changed: its prompt is not a new one for the page's box. */
  rerun: v.optional(v.boolean()),
  /** Sent to a page that opened after the run began (its 'ready'): the run's prompt does not replace the one the page restored. */
  replayed: v.optional(v.boolean()),
  /** The last didAppendPreview of this run folded into the snapshot (absent: none); the next one is seq + 1. */
  seq: v.optional(count),
});
export type PreviewSnapshot = v.InferOutput<typeof PreviewSnapshotSchema>;

/**
 * New text of one side of a streaming preview: appended to the page's snapshot of run `runId` only when
 * `seq` is one more than the snapshot's, so a lost or reordered delta is seen (the page asks for the
 * whole snapshot again with resyncPreview) instead of leaving a hole in the text.
 */
export const PreviewAppendSchema = v.object({
  runId: count,
  seq: v.pipe(count, v.minValue(1)),
  side: v.picklist(['original', 'intervened']),
  text: text(),
});
export type PreviewAppend = v.InferOutput<typeof PreviewAppendSchema>;

/** A bootstrap interval (src/aura/evaluation-intervals.ts). */
export const IntervalSchema = v.object({ low: finite, high: finite });
/** Intervals of an evaluation's figures (or of their differences), over prompts and neutral texts. */
export const FigureIntervalsSchema = v.object({
  toxicityProbability: IntervalSchema,
  expectedMaxToxicity: IntervalSchema,
  meanToxicity: IntervalSchema,
  perplexity: v.nullable(IntervalSchema),
});
export const DifferenceIntervalsSchema = v.object({ ...FigureIntervalsSchema.entries, perplexityChange: v.nullable(IntervalSchema) });
/** RealToxicityPrompts' figures over k continuations per prompt, and the mean score beside them. */
export const ToxicityFiguresSchema = v.object({ toxicityProbability: finite, expectedMaxToxicity: finite, meanToxicity: finite });
export const EvaluationSideSchema = v.object({ ...ToxicityFiguresSchema.entries, perplexity: v.nullable(finite), intervals: v.optional(FigureIntervalsSchema) });

/** The paper's evaluation, without and with the intervention on the same seeds. */
export const EvaluationSummarySchema = v.object({
  prompts: count,
  samples: count,
  scorer: text(),
  seconds: finite,
  baseline: EvaluationSideSchema,
  intervened: EvaluationSideSchema,
  /** The same continuations scored by a second instrument that did not label the concept data. */
  second: v.optional(v.object({ scorer: text(1000), baseline: ToxicityFiguresSchema, intervened: ToxicityFiguresSchema })),
  /** Paired bootstrap intervals of intervened - original (optional: older hosts did not send them). */
  difference: v.optional(DifferenceIntervalsSchema),
  /** E.g. that the two sides' intervals overlap. */
  warnings: v.optional(v.array(text(1000))),
  /** What was measured (optional: older hosts did not send it); the card is stale once the intervention differs. */
  measured: v.optional(
    v.object({
      model: text(),
      method: MethodNameSchema,
      strength: v.pipe(finite, v.minValue(0), v.maxValue(1)),
      k: v.nullable(v.pipe(v.number(), v.integer(), v.minValue(1))),
      alpha: v.nullable(finite),
      overrides: count,
    }),
  ),
  /** The profile and intervention it measured: the card is marked out of date once either changes (provenance.ts). */
  madeWith: v.optional(ProvenanceSchema),
});
export type EvaluationSummary = v.InferOutput<typeof EvaluationSummarySchema>;

/** One point of a sweep: a method (or a control) at one strength, toxicity against perplexity. */
export const SweepPointSchema = v.object({
  method: text(100),
  /** null for the method itself; 'random' or 'lowest' for the two controls. */
  control: v.nullable(v.picklist(['random', 'lowest'])),
  strength: finite,
  /** Toxicity probability: share of prompts with at least one toxic continuation among k. */
  toxicity: finite,
  /** The second scorer's toxicity probability for the same continuations. */
  secondToxicity: v.optional(finite),
  perplexity: v.nullable(finite),
  /** Bootstrap intervals (error bars) of toxicity and perplexity. */
  toxicityInterval: v.optional(IntervalSchema),
  perplexityInterval: v.optional(v.nullable(IntervalSchema)),
});
export type SweepPoint = v.InferOutput<typeof SweepPointSchema>;

export const SweepSnapshotSchema = v.object({
  scorer: text(1000),
  secondScorer: v.optional(text(1000)),
  points: v.array(SweepPointSchema),
  /** k, continuations per prompt, and the prompts each point was measured on. */
  samplesPerPrompt: v.optional(count),
  prompts: v.optional(count),
  /** E.g. a control whose interval overlaps its method's. */
  warnings: v.optional(v.array(text(1000))),
  /** The profile it swept: the plot is marked out of date once another profile lands (provenance.ts). */
  madeWith: v.optional(ProvenanceSchema),
});
export type SweepSnapshot = v.InferOutput<typeof SweepSnapshotSchema>;

export const ProgressSnapshotSchema = v.object({
  /** null: nothing running. */
  task: v.nullable(text()),
  done: finite,
  total: finite,
});
export type ProgressSnapshot = v.InferOutput<typeof ProgressSnapshotSchema>;

/** Neurons in each profile's set, in both, and |A ∩ B| / |A ∪ B| (null when both sets are empty). */
export const SetOverlapSchema = v.object({ a: count, b: count, both: count, jaccard: v.nullable(v.pipe(finite, v.minValue(0), v.maxValue(1))) });

/**
 * Two profiles of the open model side by side (issue 20, item 9): the overlaps of their expert sets
 * and a downsampled scatter of every neuron's AUROC in A (x) against B (y). Point i is x[i], y[i];
 * `top` marks the points that are in the top k of A (1), of B (2) or of both (3), 0 for the sample.
 */
export const ComparisonSnapshotSchema = v.pipe(
  v.object({
    a: text(1000),
    b: text(1000),
    neurons: count,
    experts: SetOverlapSchema,
    topK: v.object({ k: count, ...SetOverlapSchema.entries }),
    x: float64Column,
    y: float64Column,
    top: uint32Column,
    /** How the points were chosen (seeded sample size, seed, top experts added). */
    sample: v.object({ random: count, seed: count, top: count }),
  }),
  v.check((c) => c.x.length === c.y.length && c.y.length === c.top.length, 'x, y and top must have the same length'),
);
export type ComparisonSnapshot = v.InferOutput<typeof ComparisonSnapshotSchema>;

// ------------------------------------------------------------------ page -> host

const signal = <T extends string>(type: T) => v.object({ type: v.literal(type) });

export const PAGE_MESSAGES = [
  /** The page is (re)loaded; `experts` names the ranking it already holds (not sent again if unchanged). */
  v.object({ type: v.literal('ready'), experts: v.optional(text(1000)) }),
  v.object({ type: v.literal('setIntervention'), settings: InterventionSettingsSchema }),
  v.object({ type: v.literal('setOverride'), site: siteId, neuron: count, gain: v.nullable(OverrideGainSchema) }),
  v.object({ type: v.literal('selectNeuron'), site: siteId, neuron: count }),
  v.object({ type: v.literal('runPreview'), prompt: text(20_000) }),
  signal('cancelPreview'),
  /** The page missed a didAppendPreview: the host answers with the whole preview snapshot. */
  signal('resyncPreview'),
  v.object({ type: v.literal('export'), format: v.picklist(['json', 'safetensors', 'onnx']) }),
  signal('profile'),
  signal('useDemoModel'),
  signal('openModelFolder'),
  signal('importIntervention'),
  signal('evaluate'),
  v.object({ type: v.literal('exportSweep'), format: v.picklist(['csv', 'json']) }),
  signal('compareProfile'),
  v.object({ type: v.literal('combineWithComparison'), rule: v.picklist(['product', 'min']) }),
  /** The page's view after each change, kept by the host for a panel that is closed and opened again. */
  v.object({ type: v.literal('saveView'), view: ViewStateSchema }),
  /** The stale sweep plot's "Sweep again" (Sweep Strengths…). */
  signal('sweep'),
] as const;
export const PageMessageSchema = v.variant('type', PAGE_MESSAGES);
export type PageMessage = v.InferOutput<typeof PageMessageSchema>;

// ------------------------------------------------------------------ host -> page

export const HOST_MESSAGES = [
  v.object({ type: v.literal('didChangeModel'), model: v.nullable(ModelSummarySchema) }),
  v.object({ type: v.literal('didChangeExperts'), experts: v.nullable(ExpertsSnapshotSchema) }),
  /** The same as didChangeExperts, packed (~11 bytes a neuron): what the host sends. */
  v.object({ type: v.literal('didChangeExpertsPacked'), experts: ExpertsPackedSchema }),
  v.object({ type: v.literal('didChangeIntervention'), intervention: InterventionSnapshotSchema }),
  v.object({ type: v.literal('didListMethods'), methods: v.pipe(v.array(MethodInfoSchema), v.maxLength(100)) }),
  // `reveal`: the host chose this neuron (a highlight's hover link), so the page selects it too.
  v.object({ type: v.literal('didSelectNeuron'), detail: NeuronDetailSchema, reveal: v.optional(v.boolean()) }),
  v.object({ type: v.literal('didUpdatePreview'), preview: PreviewSnapshotSchema }),
  v.object({ type: v.literal('didAppendPreview'), append: PreviewAppendSchema }),
  v.object({ type: v.literal('didChangeProgress'), progress: ProgressSnapshotSchema }),
  v.object({ type: v.literal('didEvaluate'), evaluation: EvaluationSummarySchema }),
  v.object({ type: v.literal('didSweep'), sweep: SweepSnapshotSchema }),
  v.object({ type: v.literal('didError'), message: text() }),
  /** Bring a finished result's card into view (the "Show" of the host's notification). */
  v.object({ type: v.literal('reveal'), target: v.picklist(['sweep', 'evaluation']) }),
  /** A comparison with a second profile, or the host's one-line refusal (another model or other sites). */
  v.object({ type: v.literal('didCompare'), comparison: v.nullable(v.union([ComparisonSnapshotSchema, v.object({ refused: text(1000), b: text(1000) })])) }),
  /** The view the host kept (saveView); a page that restored its own (vscode.getState) ignores it. */
  v.object({ type: v.literal('didRestoreView'), view: ViewStateSchema }),
] as const;
export const HostMessageSchema = v.variant('type', HOST_MESSAGES);
export type HostMessage = v.InferOutput<typeof HostMessageSchema>;

// ------------------------------------------------------------------ checks on arrival

/** The page's message if it is well formed (known fields only), else undefined (the host drops and logs it). */
export function parsePageMessage(x: unknown): PageMessage | undefined {
  const r = v.safeParse(PageMessageSchema, x);
  return r.success ? r.output : undefined;
}

/** The host's message if it is well formed (known fields only), else undefined (the page drops it). */
export function parseHostMessage(x: unknown): HostMessage | undefined {
  const r = v.safeParse(HostMessageSchema, x);
  return r.success ? r.output : undefined;
}

/** The first issue of a failed check, in one line (for a log): where and what. */
export function firstIssue(issues: readonly v.BaseIssue<unknown>[]): string {
  const issue = issues[0];
  if (!issue) return 'invalid';
  const path = issue.path?.map((p) => String(p.key)).join('.') ?? '';
  return `${path ? `${path}: ` : ''}${issue.message}`;
}

/** Why a message was rejected, in one line (for the log); undefined when it is valid. */
export function describeRejection(schema: typeof PageMessageSchema | typeof HostMessageSchema, x: unknown): string | undefined {
  const r = v.safeParse(schema, x);
  return r.success ? undefined : firstIssue(r.issues);
}
