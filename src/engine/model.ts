// A causal LM opened from a model folder: its sites, tokenizer and facts, and forward passes through
// sessions rewritten for interventions and pooled responses (built once per purpose, then reused).
import { createHash } from 'node:crypto';
import { basename, dirname } from 'node:path';
import { foldIntervention } from './fold';
import type { FoldReport } from './fold';
import { completeFacts, configFacts } from './arch';
import { UserError } from './errors';
import { BIAS_INPUT, GAIN_INPUT, HI_INPUT, LO_INPUT, interventionLayout, maxOutput, meanOutput } from './io-names';
import { readIoSpec } from './io-spec';
import { resolveModelFolder } from './model-folder';
import { loadOnnx } from './onnx/load';
import { encodeModel } from './onnx/proto';
import { createSession, ort } from './ort-session';
import { customSite, discoverSites } from './sites/catalogue';
import { rewrite } from './surgery';
import { emptyTensor, intTensor, toFloat32 } from './tensors';
import { loadTokenizer, requireTokenizer } from './tokenizer';
import type { ArchFacts } from './arch';
import type { IoSpec } from './io-spec';
import type { Layout, ModelFiles } from './model-folder';
import type { LoadedGraph } from './onnx/load';
import type { SessionOptions } from './ort-session';
import type { Site } from './sites/catalogue';
import type { TextTokenizer } from './tokenizer';

export interface OpenOptions extends SessionOptions {
  /** Extra sites: names of float tensors in the graph. */
  customSites?: string[];
}

/** Per-site gain (and optional bias), each of the site's width. Sites not listed are untouched. */
export type Intervention = Map<string, { gain: Float32Array; bias?: Float32Array; lo?: Float32Array; hi?: Float32Array }>;

/**
 * plain: the graph as exported. lm: the gain and bias inputs for every site. extract: gain/bias inputs, pooled
 * responses of the requested sites as the only outputs. lm+pool: both logits and pooled responses.
 */
export type SessionKind = 'plain' | 'lm' | 'extract' | 'lm+pool';

export interface Pooled {
  /** [batch, neurons] row-major. */
  max: Float32Array;
  mean: Float32Array;
}

export interface ForwardArgs {
  /** New tokens, one row per sequence, all rows the same length (left-padded). */
  ids: number[][];
  /** Mask over past + new tokens, [batch, past + seq]. */
  mask: number[][];
  past?: Record<string, ort.Tensor>;
  kind?: SessionKind;
  intervention?: Intervention;
  pool?: string[];
  /** 'last' keeps only the last position's logits. */
  logits?: 'all' | 'last' | 'none';
}

export interface ForwardResult {
  /** [batch, seq or 1, vocab] row-major, as float32. */
  logits?: Float32Array;
  present?: Record<string, ort.Tensor>;
  pooled?: Map<string, Pooled>;
}

interface Graph {
  loaded: LoadedGraph;
  io: IoSpec;
  sites: Site[];
}

export class LanguageModel {
  private readonly sessions = new Map<string, Promise<ort.InferenceSession>>();
  private disposed = false;
  /** Interventions are treated as immutable once fed: callers make a new Map to change one. */
  private readonly feedCache = new WeakMap<Intervention, Map<Graph, Record<string, ort.Tensor>>>();
  private readonly neutral = new Map<Graph, Record<string, ort.Tensor>>();

  private constructor(
    readonly files: ModelFiles,
    private readonly first: Graph,
    private readonly withPast: Graph | undefined,
    readonly facts: ArchFacts,
    readonly tokenizer: TextTokenizer,
    readonly fingerprint: string,
    private readonly options: OpenOptions,
  ) {}

  static async open(path: string, options: OpenOptions = {}): Promise<LanguageModel> {
    const files = resolveModelFolder(path);
    const partial = configFacts(files);
    const first = openGraph(files.main, files, partial.modelType, partial.hidden, options.customSites);
    const withPast = files.withPast ? openGraph(files.withPast, files, partial.modelType, partial.hidden, options.customSites) : undefined;
    if (first.sites.length === 0 && !options.customSites?.length) {
      throw new UserError(`${files.main}: no MLP blocks found (expected linear -> activation -> linear layers of a causal LM)`);
    }
    const facts = completeFacts(partial, first.loaded.model, (withPast ?? first).io, first.sites);
    const tokenizer = loadTokenizer(requireTokenizer(files.dir, files.tokenizerJson), files.tokenizerConfig);
    if (facts.eosTokenIds.length === 0) facts.eosTokenIds = tokenizer.eosTokenIds;
    if (facts.padTokenId === undefined && tokenizer.padTokenId !== undefined) facts.padTokenId = tokenizer.padTokenId;
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
    const stacked = this.first.io.pastLayout === 'stacked' || this.withPast?.io.pastLayout === 'stacked';
    const fused = this.sites.some((s) => s.placements.some((p) => p.fused));
    const base = { single: 'optimum', merged: 'optimum-merged', split: 'optimum-split', genai: 'onnxruntime-genai' }[this.layout];
    const inOnnxDir = /[\\/]onnx[\\/][^\\/]+$/.test(this.files.main);
    return stacked || fused ? 'onnxruntime-transformers' : inOnnxDir && base === 'optimum' ? 'transformers.js' : base;
  }

  /** The model's name: config's `_name_or_path`, else its folder (the parent when that is just `model` or `onnx`). */
  get name(): string {
    const named = this.files.config?._name_or_path;
    if (typeof named === 'string' && named.trim()) return basename(named.trim());
    const own = basename(this.files.dir);
    return ['model', 'onnx', 'models'].includes(own) ? basename(dirname(this.files.dir)) : own;
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
  checkIntervention(iv: Intervention): void {
    for (const [id, { gain, bias, lo, hi }] of iv) {
      const s = this.site(id);
      if ([gain, bias, lo, hi].some((a) => a && a.length !== s.neurons)) {
        throw new UserError(`intervention for site ${id} has ${gain.length} values, the model's site has ${s.neurons} neurons`);
      }
    }
  }

  async forward(args: ForwardArgs): Promise<ForwardResult> {
    if (this.disposed) throw new Error('model is disposed');
    const kind = args.kind ?? 'lm';
    const pool = args.pool ?? [];
    if ((kind === 'extract' || kind === 'lm+pool') && pool.length === 0) throw new Error(`forward: kind ${kind} needs sites to pool`);
    const useWithPast = !!this.withPast && !!args.past;
    const graph = useWithPast ? this.withPast! : this.first;
    const session = await this.session(kind, pool, useWithPast);
    const feeds = this.feeds(graph.io, args);
    if (kind !== 'plain') Object.assign(feeds, args.intervention ? this.interventionFeeds(graph, args.intervention) : this.neutralFeeds(graph));
    const out = await session.run(feeds);
    return this.collect(graph.io, out, args, kind, pool);
  }

  /** Checked once per intervention object, then its tensors are reused by every step that feeds it. */
  private interventionFeeds(g: Graph, iv: Intervention): Record<string, ort.Tensor> {
    let perGraph = this.feedCache.get(iv);
    if (!perGraph) {
      this.checkIntervention(iv);
      perGraph = new Map();
      this.feedCache.set(iv, perGraph);
    }
    let feeds = perGraph.get(g);
    if (!feeds) {
      feeds = this.factorFeeds(g, iv);
      perGraph.set(g, feeds);
    }
    return feeds;
  }

  /** Gains 1 and biases 0 for every site, made once per graph. */
  private neutralFeeds(g: Graph): Record<string, ort.Tensor> {
    let feeds = this.neutral.get(g);
    if (!feeds) {
      feeds = this.factorFeeds(g, new Map());
      this.neutral.set(g, feeds);
    }
    return feeds;
  }

  /** The two inputs the rewrite added: every site's gains (and biases) end to end, in site order. */
  private factorFeeds(g: Graph, iv: Intervention): Record<string, ort.Tensor> {
    const { slices, total } = interventionLayout(rewritable(g.sites));
    const gain = new Float32Array(total).fill(1);
    const bias = new Float32Array(total);
    const lo = new Float32Array(total).fill(-Infinity);
    const hi = new Float32Array(total).fill(Infinity);
    for (const { id, offset } of slices) {
      const f = iv.get(id);
      if (!f) continue;
      gain.set(f.gain, offset);
      if (f.bias) bias.set(f.bias, offset);
      if (f.lo) lo.set(f.lo, offset);
      if (f.hi) hi.set(f.hi, offset);
    }
    return {
      [GAIN_INPUT]: new ort.Tensor('float32', gain, [total]),
      [BIAS_INPUT]: new ort.Tensor('float32', bias, [total]),
      [LO_INPUT]: new ort.Tensor('float32', lo, [total]),
      [HI_INPUT]: new ort.Tensor('float32', hi, [total]),
    };
  }

  /**
   * The model with `factors` baked into the weights that produce each site: a plain graph, as
   * exported, that gives the intervened logits without any extra input.
   */
  fold(factors: Intervention): FoldReport {
    if (this.withPast) throw new UserError(`${this.files.dir}: folding a split decoder pair is not supported; export the merged or single-file model`);
    this.checkIntervention(factors);
    return foldIntervention(this.first.loaded, this.facts.modelType, this.facts.hidden, factors);
  }

  /** The folder holding the main graph (external data locations are relative to it). */
  get graphDir(): string {
    return dirname(this.files.main);
  }

  /** The zero-length cache of the first step, shaped as the graph declares it. */
  emptyPast(batch: number): Record<string, ort.Tensor> {
    const io = this.first.io;
    const past: Record<string, ort.Tensor> = {};
    for (const slot of io.past) {
      const stacked = io.pastLayout === 'stacked';
      const off = stacked ? 1 : 0;
      const dims = slot.dims.length === (stacked ? 5 : 4) ? [...slot.dims] : stacked ? [2, 'b', 'h', 'p', 'd'] : ['b', 'h', 'p', 'd'];
      const shape = dims.map((d, i) => {
        if (i === off) return batch;
        if (i === off + 2) return 0;
        if (typeof d === 'number') return d;
        if (stacked && i === 0) return 2;
        if (i === off + 1) return this.facts.kvHeads ?? 1;
        return this.facts.headDim ?? 1;
      });
      past[slot.input] = emptyTensor(slot.elemType === 10 ? 'float16' : 'float32', shape);
    }
    return past;
  }

  get hasPast(): boolean {
    return (this.withPast ?? this.first).io.past.length > 0;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const all = [...this.sessions.values()];
    this.sessions.clear();
    for (const s of all) await (await s.catch(() => undefined))?.release();
  }

  /** Session for a purpose, built on first use. `pool` ids are part of the key. */
  session(kind: SessionKind, pool: string[] = [], withPast = false): Promise<ort.InferenceSession> {
    const key = `${kind}|${withPast}|${[...pool].sort().join(',')}`;
    let s = this.sessions.get(key);
    if (!s) {
      s = this.build(kind, pool, withPast);
      this.sessions.set(key, s);
      s.catch(() => this.sessions.delete(key));
    }
    return s;
  }

  private async build(kind: SessionKind, pool: string[], withPast: boolean): Promise<ort.InferenceSession> {
    const g = withPast ? this.withPast! : this.first;
    const bytes =
      kind === 'plain'
        ? g.loaded.bytesOnDisk()
        : encodeModel(
            rewrite(g.loaded.model, g.io, {
              intervene: rewritable(g.sites),
              pool: pool.map((id) => siteIn(g, id, this.site(id))),
              keepModelOutputs: kind !== 'extract',
            }),
          );
    return createSession(bytes, g.loaded.file, g.loaded.externalFiles, this.options, kind !== 'plain');
  }

  private feeds(io: IoSpec, args: ForwardArgs): Record<string, ort.Tensor> {
    const batch = args.ids.length;
    const seq = args.ids[0]?.length ?? 0;
    const total = args.mask[0]?.length ?? 0;
    if (batch === 0 || seq === 0) throw new Error('forward: empty batch');
    if (args.ids.some((r) => r.length !== seq) || args.mask.some((r) => r.length !== total) || args.mask.length !== batch) {
      throw new Error('forward: ids and mask rows must be rectangular and of one batch');
    }
    const feeds: Record<string, ort.Tensor> = {
      [io.inputIds]: intTensor(io.inputTypes.get(io.inputIds), args.ids.flat(), [batch, seq]),
    };
    if (io.attentionMask) feeds[io.attentionMask] = intTensor(io.inputTypes.get(io.attentionMask), args.mask.flat(), [batch, total]);
    if (io.positionIds) feeds[io.positionIds] = intTensor(io.inputTypes.get(io.positionIds), positionIds(args.mask, seq).flat(), [batch, seq]);
    if (io.useCacheBranch) feeds[io.useCacheBranch] = new ort.Tensor('bool', new Uint8Array([args.past ? 1 : 0]), [1]);
    if (io.past.length > 0) Object.assign(feeds, args.past ?? this.emptyPast(batch));
    return feeds;
  }

  private collect(io: IoSpec, out: ort.InferenceSession.OnnxValueMapType, args: ForwardArgs, kind: SessionKind, pool: string[]): ForwardResult {
    const result: ForwardResult = {};
    const logits = out[io.logits];
    if (logits && args.logits !== 'none') {
      const all = toFloat32(logits);
      const [b, s, v] = logits.dims as [number, number, number];
      if (args.logits === 'last' && s > 1) {
        const last = new Float32Array(b * v);
        for (let i = 0; i < b; i++) last.set(all.subarray((i * s + s - 1) * v, (i * s + s) * v), i * v);
        result.logits = last;
      } else result.logits = all;
    }
    // A split export's first graph has no past inputs: its presents feed the with-past graph's.
    const slots = (this.withPast ?? this.first).io.past;
    if (kind !== 'extract' && slots.length > 0) {
      result.present = {};
      for (const slot of slots) {
        const t = out[slot.output];
        if (!t) throw new Error(`forward: the graph did not return ${slot.output}`);
        result.present[slot.input] = t;
      }
    }
    if (pool.length > 0) {
      result.pooled = new Map();
      for (const id of pool) result.pooled.set(id, { max: toFloat32(out[maxOutput(id)]!), mean: toFloat32(out[meanOutput(id)]!) });
    }
    return result;
  }

  private async measureCustomSites(): Promise<void> {
    const unknown = this.first.sites.filter((s) => s.kind === 'custom' && s.neurons === 0);
    if (unknown.length === 0) return;
    const probe = [[this.facts.bosTokenId ?? this.facts.eosTokenIds[0] ?? 0]];
    const r = await this.forward({ ids: probe, mask: [[1]], kind: 'extract', pool: unknown.map((s) => s.id) });
    for (const s of unknown) s.neurons = r.pooled!.get(s.id)!.max.length / probe.length;
    // Sessions and neutral feeds built while the width was unknown lack these sites' gain inputs.
    this.neutral.clear();
    await this.sessions.get(`extract|false|${unknown.map((s) => s.id).sort().join(',')}`)?.then((s) => s.release());
    this.sessions.clear();
  }
}

function openGraph(file: string, files: ModelFiles, modelType: string | undefined, hidden: number | undefined, custom?: string[]): Graph {
  const loaded = loadOnnx(file);
  const io = readIoSpec(loaded.model.graph!, file, files.genaiConfig);
  const sites = discoverSites(loaded.model, file, modelType, hidden);
  for (const t of custom ?? []) sites.push(customSite(loaded.model, file, t, sites));
  return { loaded, io, sites };
}

/** Sites that get gain inputs: all but custom sites whose width is not measured yet. */
function rewritable(sites: Site[]): Site[] {
  return sites.filter((s) => s.neurons > 0);
}

/** The same site as found in another graph of a split export. */
function siteIn(g: Graph, id: string, fallback: Site): Site {
  return g.sites.find((s) => s.id === id) ?? fallback;
}

/** cumsum(mask) - 1 with padded positions set to 1 (the HF / transformers.js convention), last `seq`. */
export function positionIds(mask: number[][], seq: number): number[][] {
  return mask.map((row) => {
    let c = 0;
    const pos = row.map((m) => {
      c += m;
      return m ? c - 1 : 1;
    });
    return pos.slice(pos.length - seq);
  });
}
