// The messages between the extension host and the experts panel page. Both sides import this file
// (the page's tsconfig sees only src/shared). Every message and payload is ONE valibot schema: its
// TypeScript type is inferred from the schema, and the receiving side checks arrivals with the same
// schema, so the page's check and the host's can never drift apart. Host -> page messages are full
// snapshots (`did...`), so a page that reloads needs only the latest of each to redraw.
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
export const ExpertsSnapshotSchema = v.pipe(
  v.object({
    source: text(),
    positives: count,
    negatives: count,
    pooling: PoolingSchema,
    sites: v.array(SiteInfoSchema),
    site: finiteArray,
    neuron: finiteArray,
    auroc: finiteArray,
    /** Experts (AUROC > 0.5) per layer, for the per-layer chart. */
    perLayer: v.array(v.object({ layer: v.pipe(v.number(), v.integer(), v.minValue(-1)), experts: count, neurons: count })),
  }),
  v.check((e) => e.site.length === e.neuron.length && e.neuron.length === e.auroc.length, 'site, neuron and auroc must have the same length'),
);
export type ExpertsSnapshot = v.InferOutput<typeof ExpertsSnapshotSchema>;

export const MethodNameSchema = v.picklist(['aura', 'damp', 'det0']);
export type MethodName = v.InferOutput<typeof MethodNameSchema>;

export const InterventionSettingsSchema = v.object({
  method: MethodNameSchema,
  /** In [0, 1]. */
  strength: v.pipe(finite, v.minValue(0), v.maxValue(1)),
  /** Damp and Det0 only; null = every neuron with AUROC > 0.5. */
  k: v.nullable(v.pipe(v.number(), v.integer(), v.minValue(1))),
  /** Damp only. Any finite factor: an imported Damp file may amplify (alpha > 1), as the CLI allows. */
  alpha: v.nullable(finite),
});
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

export const InterventionSnapshotSchema = v.object({
  ...InterventionSettingsSchema.entries,
  overrides: v.array(NeuronOverrideSchema),
  /** Neurons whose applied gain differs from 1. */
  affected: count,
  /** Where the intervention came from when imported. */
  importedFrom: v.optional(text()),
});
export type InterventionSnapshot = v.InferOutput<typeof InterventionSnapshotSchema>;

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
  /** Why topExamples is empty when the profile has no examples (CLI and merged profiles may keep none). */
  examplesNote: v.optional(text()),
});
export type NeuronDetail = v.InferOutput<typeof NeuronDetailSchema>;

export const PreviewSnapshotSchema = v.object({
  runId: count,
  prompt: text(),
  original: text(),
  intervened: text(),
  done: v.boolean(),
  error: v.optional(text()),
});
export type PreviewSnapshot = v.InferOutput<typeof PreviewSnapshotSchema>;

const EvaluationSideSchema = v.object({ score: finite, prob: finite, perplexity: v.nullable(finite) });

/** The paper's evaluation, without and with the intervention on the same seeds. */
export const EvaluationSummarySchema = v.object({
  prompts: count,
  samples: count,
  scorer: text(),
  seconds: finite,
  baseline: EvaluationSideSchema,
  intervened: EvaluationSideSchema,
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
});
export type EvaluationSummary = v.InferOutput<typeof EvaluationSummarySchema>;

export const ProgressSnapshotSchema = v.object({
  /** null: nothing running. */
  task: v.nullable(text()),
  done: finite,
  total: finite,
});
export type ProgressSnapshot = v.InferOutput<typeof ProgressSnapshotSchema>;

// ------------------------------------------------------------------ page -> host

const signal = <T extends string>(type: T) => v.object({ type: v.literal(type) });

export const PAGE_MESSAGES = [
  signal('ready'),
  v.object({ type: v.literal('setIntervention'), settings: InterventionSettingsSchema }),
  v.object({ type: v.literal('setOverride'), site: siteId, neuron: count, gain: v.nullable(OverrideGainSchema) }),
  v.object({ type: v.literal('selectNeuron'), site: siteId, neuron: count }),
  v.object({ type: v.literal('runPreview'), prompt: text(20_000) }),
  signal('cancelPreview'),
  v.object({ type: v.literal('export'), format: v.picklist(['json', 'safetensors', 'onnx']) }),
  signal('profile'),
  signal('useDemoModel'),
  signal('openModelFolder'),
  signal('importIntervention'),
  signal('evaluate'),
] as const;
export const PageMessageSchema = v.variant('type', PAGE_MESSAGES);
export type PageMessage = v.InferOutput<typeof PageMessageSchema>;

// ------------------------------------------------------------------ host -> page

export const HOST_MESSAGES = [
  v.object({ type: v.literal('didChangeModel'), model: v.nullable(ModelSummarySchema) }),
  v.object({ type: v.literal('didChangeExperts'), experts: v.nullable(ExpertsSnapshotSchema) }),
  v.object({ type: v.literal('didChangeIntervention'), intervention: InterventionSnapshotSchema }),
  v.object({ type: v.literal('didSelectNeuron'), detail: NeuronDetailSchema }),
  v.object({ type: v.literal('didUpdatePreview'), preview: PreviewSnapshotSchema }),
  v.object({ type: v.literal('didChangeProgress'), progress: ProgressSnapshotSchema }),
  v.object({ type: v.literal('didEvaluate'), evaluation: EvaluationSummarySchema }),
  v.object({ type: v.literal('didError'), message: text() }),
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
