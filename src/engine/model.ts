// A causal LM opened from a model folder: its sites, tokenizer and facts, and forward passes through one
// rewritten session per graph (session-cache.ts) fed by feeds.ts.
import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { foldIntervention } from './fold';
import type { FoldReport } from './fold';
import { checkLayerCount, completeFacts, configFacts, vocabFromGraph } from './arch';
import { checkModelTypeAgainstGraph, checkVocabAgainstGraph } from './config-graph';
import { checkFloat16Factors } from './dtype-range';
import { UserError } from './errors';
import { DataType } from './onnx/proto';
import { emptyPastFor, factorFeeds, readLogits, readPooled, stepFeeds } from './feeds';
import type { Intervention, Pooled } from './feeds';
import { COLLECT_INPUT, TOKEN_ROWS_INPUT, maxOutput, meanOutput, tokensOutput } from './io-names';
import { readIoSpec } from './io-spec';
import { describeFormat, modelName } from './model-format';
import { resolveModelFolder } from './model-folder';
import { loadOnnx } from './onnx/load';
import type { LoadedGraph } from './onnx/load';
import type { WeightCacheOptions } from './onnx/weight-cache';
import { interventionForm, largerForm } from './intervention-form';
import type { InterventionForm } from './intervention-form';
import { GraphSessions, rewritable } from './session-cache';
import type { Graph } from './session-cache';
import { customSite, discoverSites } from './sites/catalogue';
import { checkCustomSiteWidth } from './sites/custom-check';
import { toFloat32 } from './tensors';
import { loadTokenizer, requireTokenizer } from './tokenizer';
import type { ArchFacts } from './arch';
import type { Layout, ModelFiles } from './model-folder';
import { ort } from './ort-session';
import type { SessionOptions } from './ort-session';
import type { Site } from './sites/catalogue';
import type { TextTokenizer } from './tokenizer';

export type { Intervention, Pooled } from './feeds';
export type { InterventionForm } from './intervention-form';
export { positionIds } from './feeds';

export interface OpenOptions extends SessionOptions, WeightCacheOptions {
  /** Extra sites: names of float tensors in the graph. */
  customSites?: string[];
  /** Bytes of site activations one extraction pass may hold (default EXTRACT_ACTIVATION_BUDGET); tests set it small. */
  activationBudget?: number;
}

/**
 * Which session a forward pass runs: 'plain' the graph as exported, any other the one rewritten session
 * (of the intervention form it needs, session-cache.ts). The rewritten purposes differ only in the
 * outputs fetched: lm logits and cache, extract pooled responses only, lm+pool both.
 */
export type SessionKind = 'plain' | 'lm' | 'extract' | 'lm+pool';

/** A batch of new tokens and what the rewritten session does to it. */
interface Pass {
  /** New tokens, one row per sequence, all rows the same length (left-padded). */
  ids: number[][];
  /** Mask over past + new tokens, [batch, past + seq]. */
  mask: number[][];
  intervention?: Intervention;
  /**
   * The smallest intervention form the session should carry, beyond what `intervention` needs: a caller
   * that will soon intervene (the panel) asks for it up front so its first intervention rebuilds nothing.
   */
  form?: InterventionForm;
}

/** Sites' responses, pooled per row (`pool`) or at every position (`tokens`). */
export interface ExtractRequest extends Pass {
  past?: Record<string, ort.Tensor>;
  pool?: string[];
  /** Sites whose values at every position are fetched (after the intervention); only these are copied out. */
  tokens?: string[];
}

export interface ExtractResult {
  pooled?: Map<string, Pooled>;
  /** Per requested site, [batch, seq, neurons] row-major, as float32. */
  tokens?: Map<string, Float32Array>;
}

/** The logits of a whole sequence, without the KV cache (a caller that takes no next step saves its memory). */
export interface LogitsRequest extends Pass {
  /** 'last' keeps only the last position's logits (default 'all'). */
  logits?: 'all' | 'last';
  /** The graph as exported, not the rewritten one (no intervention). */
  asExported?: boolean;
}

export interface LogitsResult {
  /** [batch, seq or 1, vocab] row-major, as float32. */
  logits: Float32Array;
}

/** One step of a decoder: logits and the KV cache the next step feeds back. */
export interface StepRequest extends Pass {
  past?: Record<string, ort.Tensor>;
  /** 'last' keeps only the last position's logits (default 'all'); 'none' fetches only the cache. */
  logits?: 'all' | 'last' | 'none';
  /** The graph as exported, not the rewritten one. */
  asExported?: boolean;
}

export interface StepResult {
  /** [batch, seq or 1, vocab] row-major, as float32; absent for logits 'none'. */
  logits?: Float32Array;
  /** Absent when the model has no cache. */
  present?: Record<string, ort.Tensor>;
}

/** A decoder step that also pools sites' responses (what a profile costs when the head runs too). */
export interface StepAndPoolRequest extends Omit<StepRequest, 'asExported'> {
  pool: string[];
}

export interface StepAndPoolResult extends StepResult {
  pooled: Map<string, Pooled>;
}

interface ForwardArgs extends Pass {
  past?: Record<string, ort.Tensor>;
  kind: SessionKind;
  pool?: string[];
  logits?: 'all' | 'last' | 'none';
  present?: boolean;
  tokens?: string[];
}

interface ForwardResult {
  logits?: Float32Array;
  present?: Record<string, ort.Tensor>;
  pooled?: Map<string, Pooled>;
  tokens?: Map<string, Float32Array>;
}

/** The per-token outputs' row gate (TOKEN_ROWS_INPUT): every row, or none. */
const ALL_ROWS = new ort.Tensor('int64', BigInt64Array.of(BigInt(Number.MAX_SAFE_INTEGER)), [1]);
const NO_ROWS = new ort.Tensor('int64', BigInt64Array.of(0n), [1]);
/** The sites' pooling gate (COLLECT_INPUT): open for a run that fetches pooled or per-token outputs. */
const COLLECT = new ort.Tensor('bool', Uint8Array.of(1), [1]);
const SKIP = new ort.Tensor('bool', Uint8Array.of(0), [1]);

export class LanguageModel {
  private disposed = false;
  /** Interventions are treated as immutable once fed: callers make a new Map to change one. */
  private readonly feedCache = new WeakMap<Intervention, Map<Graph, Map<InterventionForm, Record<string, ort.Tensor>>>>();
  private readonly forms = new WeakMap<Intervention, InterventionForm>();
  /** The smallest form any rewritten session gets (reserveForms). */
  private floor: InterventionForm = 'none';
  private readonly neutral = new Map<Graph, Map<InterventionForm, Record<string, ort.Tensor>>>();
  private readonly sessionsOf: Map<Graph, GraphSessions>;

  private constructor(
    readonly files: ModelFiles,
    private readonly first: Graph,
    private readonly withPast: Graph | undefined,
    readonly facts: ArchFacts,
    readonly tokenizer: TextTokenizer,
    readonly fingerprint: string,
    private readonly options: OpenOptions,
  ) {
    this.sessionsOf = new Map([first, ...(withPast ? [withPast] : [])].map((g) => [g, new GraphSessions(g, options)]));
  }

  static async open(path: string, options: OpenOptions = {}): Promise<LanguageModel> {
    const files = resolveModelFolder(path);
    const partial = configFacts(files);
    const first = openGraph(files.main, files, partial.modelType, partial.hidden, options);
    const withPast = files.withPast ? openGraph(files.withPast, files, partial.modelType, partial.hidden, options) : undefined;
    if (first.sites.length === 0 && !options.customSites?.length) {
      throw new UserError(`${files.main}: no MLP blocks found (expected linear -> activation -> linear layers of a causal LM)`);
    }
    checkLayerCount(files, partial, first.sites);
    checkModelTypeAgainstGraph(files, partial.modelType, first.sites.filter((s) => s.kind !== 'custom'), partial.modelType ? discoverSites(first.loaded.model, files.main, undefined, partial.hidden) : []);
    checkVocabAgainstGraph(files, partial.vocabSize, vocabFromGraph(first.loaded.model, (withPast ?? first).io));
    const facts = completeFacts(partial, first.loaded.model, (withPast ?? first).io, first.sites);
    const tokenizer = loadTokenizer(requireTokenizer(files.dir, files.tokenizerJson), files.tokenizerConfig);
    if (facts.eosTokenIds.length === 0) facts.eosTokenIds = tokenizer.eosTokenIds;
    if (facts.padTokenId === undefined && tokenizer.padTokenId !== undefined) facts.padTokenId = tokenizer.padTokenId;
    facts.padTokenId = padInside(facts);
    const hash = createHash('sha256').update(first.loaded.digest).update(withPast?.loaded.digest ?? '');
    const model = new LanguageModel(files, first, withPast, facts, tokenizer, `sha256:${hash.digest('hex')}`, options);
    await model.measureCustomSites();
    return model;
  }

  get layout(): Layout {
    return this.files.layout;
  }

  /** Exporter layout in words, for `inspect`. */
  get format(): string {
    return describeFormat(this.files, [this.first.io, ...(this.withPast ? [this.withPast.io] : [])], this.sites);
  }

  get name(): string {
    return modelName(this.files);
  }

  get sites(): Site[] {
    return this.first.sites;
  }

  site(id: string): Site {
    const s = this.first.sites.find((x) => x.id === id);
    if (!s) {
      const known = this.first.sites.slice(0, 4).map((x) => x.id).join(', ');
      throw new UserError(`unknown site id "${id}" (this model has ${this.first.sites.length} sites, e.g. ${known})`);
    }
    return s;
  }

  /** Checks an intervention against the sites: every id known, every vector the site's width. */
  checkIntervention(iv: Intervention, what = 'intervention'): void {
    for (const [id, { gain, bias, lo, hi }] of iv) {
      const s = this.site(id);
      if ([gain, bias, lo, hi].some((a) => a && a.length !== s.neurons)) {
        throw new UserError(`intervention for site ${id} has ${gain.length} values, the model's site has ${s.neurons} neurons`);
      }
      // The factors are cast to the site's type: a float16 site cannot hold what overflows float16.
      if (s.placements.some((p) => p.elemType === DataType.FLOAT16)) checkFloat16Factors(id, { gain, bias, lo, hi }, what);
    }
  }

  /**
   * Every rewritten session from now on carries at least the form these interventions need: a command
   * that runs a baseline before its interventions (evaluate, sweeps) builds one session, not one per form.
   */
  reserveForms(interventions: Iterable<Intervention>): void {
    for (const iv of interventions) this.floor = largerForm(this.floor, this.formOf(iv));
  }

  /** Sites' pooled or per-token responses; no logits, no cache. */
  async extract(req: ExtractRequest): Promise<ExtractResult> {
    const { pooled, tokens } = await this.run({ ...req, kind: 'extract' });
    return { ...(pooled ? { pooled } : {}), ...(tokens ? { tokens } : {}) };
  }

  /** Logits over the batch (every position, or the last); the cache is not fetched. */
  async logits(req: LogitsRequest): Promise<LogitsResult> {
    const { asExported, ...rest } = req;
    const r = await this.run({ ...rest, kind: asExported ? 'plain' : 'lm', present: false });
    return { logits: r.logits! };
  }

  /** Logits and the KV cache, fed `past` when there is one. */
  async step(req: StepRequest): Promise<StepResult> {
    const { asExported, ...rest } = req;
    const { logits, present } = await this.run({ ...rest, kind: asExported ? 'plain' : 'lm' });
    return { ...(logits ? { logits } : {}), ...(present ? { present } : {}) };
  }

  /** A step whose pass also pools `pool`'s responses. */
  async stepAndPool(req: StepAndPoolRequest): Promise<StepAndPoolResult> {
    const { logits, present, pooled } = await this.run({ ...req, kind: 'lm+pool' });
    return { ...(logits ? { logits } : {}), ...(present ? { present } : {}), pooled: pooled! };
  }

  private async run(args: ForwardArgs): Promise<ForwardResult> {
    if (this.disposed) throw new Error('model is disposed');
    const kind = args.kind;
    const pool = args.pool ?? [];
    const perToken = args.tokens ?? [];
    if ((kind === 'extract' || kind === 'lm+pool') && pool.length === 0 && perToken.length === 0) throw new Error(`${kind === 'extract' ? 'extract' : 'stepAndPool'}: no sites to pool`);
    // Groups of rows only for pooled extraction (per-token values are fetched whole).
    const rows = kind === 'extract' && !args.past && perToken.length === 0 ? extractRows(args.ids.length, args.ids[0]?.length ?? 0, this.siteWidth(pool), this.options.activationBudget) : args.ids.length;
    if (rows < args.ids.length) return this.forwardInParts(args, pool, rows);
    const graph = this.withPast && args.past ? this.withPast : this.first;
    const sessions = this.sessionsOf.get(graph)!;
    const feeds = stepFeeds(graph.io, args, (b) => this.emptyPast(b), this.vocabSizes);
    if (kind !== 'plain' && rewritable(graph.sites).length > 0) {
      feeds[COLLECT_INPUT] = pool.length > 0 || perToken.length > 0 ? COLLECT : SKIP;
      feeds[TOKEN_ROWS_INPUT] = perToken.length > 0 ? ALL_ROWS : NO_ROWS;
    }
    // Only what this purpose reads is fetched: onnxruntime then skips the nodes nothing fetched needs.
    const wantLogits = kind !== 'extract' && args.logits !== 'none';
    const slots = kind === 'extract' || args.present === false ? [] : (this.withPast ?? this.first).io.past;
    const fetches = [
      ...(wantLogits ? [graph.io.logits] : []),
      ...slots.map((s) => s.output),
      ...pool.flatMap((id) => [maxOutput(id), meanOutput(id)]),
      ...perToken.map((id) => tokensOutput(this.site(id).id)),
    ];
    if (fetches.length === 0) fetches.push(graph.io.logits);
    const out =
      kind === 'plain'
        ? await (await sessions.unmodified()).run(feeds, fetches)
        : await sessions.use(largerForm(largerForm(args.intervention ? this.formOf(args.intervention) : 'none', args.form ?? 'none'), this.floor), (session, form) => {
            Object.assign(feeds, args.intervention ? this.interventionFeeds(graph, args.intervention, form) : this.neutralFeeds(graph, form));
            return session.run(feeds, fetches);
          });
    const result: ForwardResult = {};
    if (wantLogits) result.logits = readLogits(out[graph.io.logits]!, args.logits === 'last' ? 'last' : 'all');
    // A split export's first graph has no past inputs: its presents feed the with-past graph's.
    if (slots.length > 0) {
      result.present = {};
      for (const slot of slots) {
        const t = out[slot.output];
        if (!t) throw new Error(`forward: the graph did not return ${slot.output}`);
        result.present[slot.input] = t;
      }
    }
    if (pool.length > 0) result.pooled = readPooled(out, pool);
    if (perToken.length > 0) result.tokens = new Map(perToken.map((id) => [id, toFloat32(out[tokensOutput(id)]!)]));
    return result;
  }

  /**
   * An extraction batch run as consecutive groups of `rows` rows, each padded as the whole batch is, so
   * every row sees the computation it would in one pass (up to the kernels' summation order, which may
   * change with the row count: 1 ulp); the pooled rows are put back in order.
   */
  private async forwardInParts(args: ForwardArgs, pool: string[], rows: number): Promise<ForwardResult> {
    const parts: Map<string, Pooled>[] = [];
    for (let r = 0; r < args.ids.length; r += rows) {
      parts.push((await this.run({ ...args, ids: args.ids.slice(r, r + rows), mask: args.mask.slice(r, r + rows) })).pooled!);
    }
    const pooled = new Map<string, Pooled>();
    for (const id of pool) {
      const join = (which: 'max' | 'mean'): Float32Array => {
        const out = new Float32Array(parts.reduce((n, p) => n + p.get(id)![which].length, 0));
        let at = 0;
        for (const p of parts) {
          out.set(p.get(id)![which], at);
          at += p.get(id)![which].length;
        }
        return out;
      };
      pooled.set(id, { max: join('max'), mean: join('mean') });
    }
    return { pooled };
  }

  /** Neurons per token over the pooled sites (custom sites not measured yet count as none). */
  private siteWidth(pool: string[]): number {
    let n = 0;
    for (const id of pool) n += this.first.sites.find((s) => s.id === id)?.neurons ?? 0;
    return n;
  }

  /** Checked, and its form found, once per intervention object (a generation feeds one at every step). */
  private formOf(iv: Intervention): InterventionForm {
    let form = this.forms.get(iv);
    if (!form) {
      this.checkIntervention(iv);
      form = interventionForm(iv);
      this.forms.set(iv, form);
    }
    return form;
  }

  /** Made once per intervention object and session form, then reused by every step that feeds it. */
  private interventionFeeds(g: Graph, iv: Intervention, form: InterventionForm): Record<string, ort.Tensor> {
    let perGraph = this.feedCache.get(iv);
    if (!perGraph) {
      perGraph = new Map();
      this.feedCache.set(iv, perGraph);
    }
    return cached(perGraph, g, form, () => factorFeeds(rewritable(g.sites), iv, form));
  }

  /** Gains 1, biases 0 and unbounded ranges for every site, made once per graph and form. */
  private neutralFeeds(g: Graph, form: InterventionForm): Record<string, ort.Tensor> {
    return cached(this.neutral, g, form, () => factorFeeds(rewritable(g.sites), new Map(), form));
  }

  /**
   * The model with `factors` baked into the weights that produce each site: a plain graph, as
   * exported, that gives the intervened logits without any extra input. Its external locations are
   * relative to `weightsDir`.
   */
  fold(factors: Intervention): FoldReport {
    if (this.withPast) throw new UserError(`${this.files.dir}: folding a split decoder pair is not supported; export the merged or single-file model`);
    this.checkIntervention(factors);
    return foldIntervention(this.first.loaded, this.facts.modelType, this.facts.hidden, factors);
  }

  /** The folder the main graph's external weight locations are relative to (the model folder or a weight cache entry). */
  get weightsDir(): string {
    return this.first.loaded.dataDir;
  }

  /** The main graph as loaded (its weights stay on disk; external locations relative to `dataDir`). */
  get mainGraph(): LoadedGraph {
    return this.first.loaded;
  }

  /** The folder holding the main graph. */
  get graphDir(): string {
    return dirname(this.files.main);
  }

  /** Every file the model is read from (graphs and their external weights), as real paths. */
  get sourceFiles(): string[] {
    return [this.first, ...(this.withPast ? [this.withPast] : [])].flatMap((g) => g.loaded.sources);
  }

  private get vocabSizes(): { model: number; tokenizer: number } {
    return { model: this.facts.vocabSize, tokenizer: this.tokenizer.vocabSize };
  }

  /** The zero-length cache of the first step, shaped as the graph declares it. */
  emptyPast(batch: number): Record<string, ort.Tensor> {
    return emptyPastFor(this.first.io, this.facts, batch);
  }

  get hasPast(): boolean {
    return (this.withPast ?? this.first).io.past.length > 0;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    for (const s of this.sessionsOf.values()) await s.dispose();
  }

  /** Frees onnxruntime's copy of the weights and its working memory; the next forward pass loads them again. */
  async releaseSessions(): Promise<void> {
    for (const s of this.sessionsOf.values()) await s.dispose();
  }

  /**
   * The session a forward pass of this kind runs (built on first use); every kind but 'plain' shares one,
   * of at least `form`. Not held: for scripts and tests that run nothing else on the model meanwhile.
   */
  session(kind: SessionKind, _pool: string[] = [], withPast = false, form: InterventionForm = 'none'): Promise<ort.InferenceSession> {
    const s = this.sessionsOf.get(withPast && this.withPast ? this.withPast : this.first)!;
    return kind === 'plain' ? s.unmodified() : s.peek(form);
  }

  /** The intervention form of the rewritten session now held, and how many rewritten sessions were built. */
  sessionState(withPast = false): { form: InterventionForm | undefined; builds: number } {
    const s = this.sessionsOf.get(withPast && this.withPast ? this.withPast : this.first)!;
    return { form: s.form, builds: s.builds };
  }

  private async measureCustomSites(): Promise<void> {
    const custom = this.first.sites.filter((s) => s.kind === 'custom');
    if (custom.length === 0) return;
    const unknown = custom.filter((s) => s.neurons === 0);
    const tok = this.facts.bosTokenId ?? this.facts.eosTokenIds[0] ?? 0;
    let session: ort.InferenceSession | undefined;
    try {
      // The probe pools only the custom sites: a failure to build or run it is about them (a type the
      // graph does not declare and its producer does not imply, say).
      session = await this.sessionsOf.get(this.first)!.probe(custom).catch((e: unknown) => {
        throw customSiteFailure(custom, e);
      });
      const probe = session;
      // Pooled width per row on 1 token and on 2 rows of 3: an activation [batch, seq, n] gives n both times.
      const widths = async (rows: number, seq: number): Promise<Map<string, number> | undefined> => {
        const ids = Array.from({ length: rows }, () => new Array<number>(seq).fill(tok));
        const mask = ids.map((r) => r.map(() => 1));
        try {
          const out = await probe.run({ ...stepFeeds(this.first.io, { ids, mask }, (b) => this.emptyPast(b), this.vocabSizes), [COLLECT_INPUT]: COLLECT });
          const pooled = readPooled(out, custom.map((s) => s.id));
          return new Map(custom.map((s) => [s.id, pooled.get(s.id)!.max.length / rows]));
        } catch (e) {
          if (rows === 1) throw customSiteFailure(custom, e);
          return undefined; // a Reshape that cannot split the tensor into [2, 3, -1]: checked below
        }
      };
      const one = (await widths(1, 1))!;
      const many = await widths(2, 3);
      for (const s of custom) checkCustomSiteWidth(s.tensor, one.get(s.id)!, many?.get(s.id));
      for (const s of custom) s.neurons = one.get(s.id)!;
    } finally {
      await session?.release();
    }
    if (unknown.length === 0) return;
    // Feeds and sessions made while the width was unknown lack these sites' gain inputs.
    this.neutral.clear();
    await this.sessionsOf.get(this.first)!.invalidate();
  }
}

function customSiteFailure(custom: Site[], e: unknown): Error {
  if (e instanceof UserError) return e;
  const first = (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 200);
  return new UserError(`--sites ${custom.map((s) => s.id).join(',')}: onnxruntime cannot pool ${custom.length > 1 ? 'them' : 'it'} (${first}); a site must be a float activation of shape [batch, seq, neurons]`);
}

function cached<K, V>(m: Map<K, Map<InterventionForm, V>>, key: K, form: InterventionForm, make: () => V): V {
  let byForm = m.get(key);
  if (!byForm) m.set(key, (byForm = new Map()));
  let v = byForm.get(form);
  if (!v) byForm.set(form, (v = make()));
  return v;
}

function openGraph(file: string, files: ModelFiles, modelType: string | undefined, hidden: number | undefined, o: OpenOptions): Graph {
  const loaded = loadOnnx(file, o);
  const io = readIoSpec(loaded.model.graph!, file, files.genaiConfig);
  const sites = discoverSites(loaded.model, file, modelType, hidden);
  for (const t of o.customSites ?? []) sites.push(customSite(loaded.model, file, t, sites));
  return { loaded, io, sites };
}

/**
 * onnxruntime's working memory for a forward pass grows with the tokens in it: about 3.6 times the
 * sites' activations per token on a GPT-2-small shape (0.67 MB per token, 1.4 GB for 16 rows of 128
 * tokens, more than its weights), measured with scripts/bench-memory/rss-trace.mjs. An extraction batch
 * is therefore run in groups whose site activations stay within this budget (at least one row); past a
 * few hundred tokens a bigger group is no faster on the CPU. The rows and their padding are unchanged.
 */
export const EXTRACT_ACTIVATION_BUDGET = 64 * 1024 ** 2;

export function extractRows(rows: number, width: number, neuronsPerToken: number, budget = EXTRACT_ACTIVATION_BUDGET): number {
  const perRow = width * neuronsPerToken * 4;
  if (perRow <= 0) return rows;
  return Math.max(1, Math.min(rows, Math.floor(budget / perRow)));
}

/**
 * Padded positions are masked, but their ids still go through the embedding: a pad id at or past the
 * vocabulary would crash it, so the pad is the configured one when it is inside, else EOS, else 0.
 */
function padInside(f: ArchFacts): number {
  const inside = (id: number | undefined): id is number => id !== undefined && id >= 0 && (f.vocabSize <= 0 || id < f.vocabSize);
  if (inside(f.padTokenId)) return f.padTokenId;
  return f.eosTokenIds.find(inside) ?? 0;
}
