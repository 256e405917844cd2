// One neuron, looked into: how it responds to toxic vs non-toxic examples (read back from the
// profile's response matrices: no model work, so the panel draws it at once), and the examples and
// tokens that drive it most (per-token values from a few small forward passes, cached per neuron).
// Runs in the model process (ModelWork), so reading a response matrix of tens of MB never blocks the
// extension host.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AuraUserError } from '../aura/errors';
import { responsesPath } from '../aura/profile/store';
import { EXAMPLES_FILE, readProfileExamples } from './profile-files';
import { aggregateTopTokens } from './top-tokens';
import { detailWritesFrom } from './panel-feeds';
import type { LabelledText } from '../aura/datasets';
import type { NeuronWrites } from '../aura/neuron-writes';
import type { DetailRequest, TextActivations } from './model-host/api';
import type { NeuronDetail } from '../shared/protocol';

/** Per-token values of some sites for several texts, in one batched pass. */
export type TokenValues = (texts: string[], sites: string[], signal?: AbortSignal) => Promise<TextActivations[]>;

/**
 * What a neuron writes into the residual stream (aura/neuron-writes), given the profile's examples
 * (the same list while the profile is; their texts add the concept's toxic word pieces to the generation tag's test), or the user error
 * that says why the layout forbids it. Absent: the detail has no writes.
 */
export type WritesOf = (site: string, neuron: number, examples: readonly LabelledText[] | undefined) => NeuronWrites | Error;

const TOP_EXAMPLES = 5;
/** Examples whose peak tokens are aggregated. */
const TOKEN_EXAMPLES = 24;
/**
 * Texts per forward pass of the detail: onnxruntime's working memory grows with the tokens in a pass
 * (and its arena keeps the peak), so 24 texts of 128 tokens in one pass held ~1 GiB more at 2.35 GB of
 * weights; a few rows per pass cost little more time on the CPU.
 */
export const DETAIL_BATCH = 4;
/** Neurons whose model part is kept (a few hundred KB each at most: 24 texts' tokens and values). */
const CACHED_NEURONS = 64;
/** Responses per class sent to the page for the distribution chart. */
const SAMPLE = 2000;

/** What the model adds to a neuron's detail: its examples with their tokens, and what it writes. */
type ModelPart = Pick<NeuronDetail, 'topExamples' | 'topTokens' | 'writes' | 'role' | 'examplesNote'>;

interface ProfileFiles {
  dir: string;
  labels: Uint8Array;
  exampleIndex: number[];
  /** Absent when the folder keeps no examples (a profile made by the CLI, or merged from shards). */
  examples: LabelledText[] | undefined;
}

export class NeuronDetails {
  private files: ProfileFiles | undefined;
  /** The last site's response matrix: stepping through one site's neurons reads it once. */
  private matrix: { path: string; data: Float32Array } | undefined;

  constructor(
    private readonly tokenValues: TokenValues,
    private readonly writesOf?: WritesOf,
  ) {}

  /** Model passes run so far (tests read it: a cached neuron runs none). */
  passes = 0;
  private readonly cache = new Map<string, ModelPart>();

  /**
   * The part the profile already holds: the response distribution, means and maxima (from the
   * response matrix on disk); examples and writes are left for `detail` (`pending` says so).
   */
  async profilePart(req: DetailRequest): Promise<NeuronDetail> {
    const files = await this.profileFiles(req.dir);
    const column = await this.column(req, files.labels.length);
    const cached = this.cache.get(cacheKey(req));
    return { ...summary(req, files.labels, column), ...(cached ?? { topExamples: [], pending: true }) };
  }

  async detail(req: DetailRequest, signal?: AbortSignal): Promise<NeuronDetail> {
    const files = await this.profileFiles(req.dir);
    const column = await this.column(req, files.labels.length);
    const key = cacheKey(req);
    let part = this.cache.get(key);
    if (part) {
      // Most recently used last: Map keeps insertion order, so the first key is the one to evict.
      this.cache.delete(key);
    } else {
      part = await this.modelPart(req, files, column, signal);
      while (this.cache.size >= CACHED_NEURONS) this.cache.delete(this.cache.keys().next().value!);
    }
    this.cache.set(key, part);
    return { ...summary(req, files.labels, column), ...part };
  }

  private async modelPart(req: DetailRequest, files: ProfileFiles, column: Float32Array, signal?: AbortSignal): Promise<ModelPart> {
    const stored = files.examples;
    const top = stored ? topRows(column, Math.max(TOP_EXAMPLES, TOKEN_EXAMPLES)) : [];
    const texts = top.map((r) => stored![files.exampleIndex[r]!]!);
    const examples: NeuronDetail['topExamples'] = [];
    for (let start = 0; start < texts.length; start += DETAIL_BATCH) {
      signal?.throwIfAborted();
      const batch = texts.slice(start, start + DETAIL_BATCH);
      this.passes++;
      const acts = await this.tokenValues(batch.map((t) => t.text), [req.site], signal);
      // Only this neuron's value per token is kept; the pass's [tokens, neurons] rows are dropped here.
      batch.forEach((t, i) => {
        const a = acts[i]!;
        const values = a.values.get(req.site)!;
        examples.push({ text: t.text, label: t.label, value: column[top[start + i]!]!, tokens: a.tokens.map((tok, k) => ({ text: tok.text, value: values[k * req.neurons + req.neuron]! })) });
      });
    }
    return {
      topExamples: examples.slice(0, TOP_EXAMPLES),
      topTokens: aggregateTopTokens(examples.map((e) => e.tokens)),
      ...(this.writesOf ? detailWritesFrom(this.writesOf(req.site, req.neuron, stored)) : {}),
      ...(stored ? {} : { examplesNote: `examples unavailable: ${join(req.dir, EXAMPLES_FILE)} does not exist (profiles made by "aura-lens profile" or "aura-lens merge" keep only the responses)` }),
    };
  }

  /** Drops what was read from a profile folder (a new profile replaced it). */
  forget(): void {
    this.files = undefined;
    this.matrix = undefined;
    this.cache.clear();
  }

  private async profileFiles(dir: string): Promise<ProfileFiles> {
    if (this.files?.dir === dir) return this.files;
    const order = JSON.parse(await readFile(join(dir, 'order.json'), 'utf8')) as { labels: number[]; exampleIndex: number[] };
    const examples = existsSync(join(dir, EXAMPLES_FILE)) ? readProfileExamples(dir) : undefined;
    this.files = { dir, labels: Uint8Array.from(order.labels), exampleIndex: order.exampleIndex, examples };
    return this.files;
  }

  private async column(req: DetailRequest, rows: number): Promise<Float32Array> {
    const path = responsesPath(req.dir, req.site, req.pooling);
    if (this.matrix?.path !== path) {
      // A sketch profile keeps histograms, not responses: its AUROC is in the experts table already.
      if (!existsSync(path)) throw new AuraUserError(`${req.site}:${req.neuron}: ${req.dir} keeps no responses (a sketch profile, or an incomplete one), so its neuron detail cannot be shown; its AUROC is ${req.auroc.toFixed(4)}`);
      const buf = await readFile(path);
      // A view when the bytes are aligned (they are for a file read whole), else one copy.
      const data = buf.byteOffset % 4 === 0 ? new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength >> 2) : new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
      this.matrix = { path, data };
    }
    const m = this.matrix.data;
    const out = new Float32Array(rows);
    for (let r = 0; r < rows; r++) out[r] = m[r * req.neurons + req.neuron]!;
    return out;
  }
}

/** A profile folder may be rewritten in place (a new profile to the same folder): forget() clears the cache then. */
function cacheKey(req: DetailRequest): string {
  return `${req.dir}\0${req.pooling}\0${req.site}\0${req.neuron}`;
}

function summary(req: DetailRequest, labels: Uint8Array, column: Float32Array): Omit<NeuronDetail, 'topExamples'> {
  const pos: number[] = [];
  const neg: number[] = [];
  column.forEach((v, r) => (labels[r] ? pos : neg).push(v));
  return {
    site: req.site,
    neuron: req.neuron,
    layer: req.layer,
    auroc: req.auroc,
    gain: req.gain,
    applied: req.applied,
    meanPositive: mean(pos),
    meanNegative: mean(neg),
    maxPositive: max(pos),
    maxNegative: max(neg),
    positive: sample(pos, SAMPLE),
    negative: sample(neg, SAMPLE),
  };
}

function topRows(column: Float32Array, k: number): number[] {
  return Array.from(column.keys())
    .sort((a, b) => column[b]! - column[a]! || a - b)
    .slice(0, k);
}

const mean = (a: number[]) => (a.length ? a.reduce((s, v) => s + v, 0) / a.length : 0);
const max = (a: number[]) => (a.length ? a.reduce((m, v) => Math.max(m, v), -Infinity) : 0);

/** Every k-th value when there are more than n: the distribution's shape at a bounded size. */
function sample(a: number[], n: number): number[] {
  if (a.length <= n) return a;
  const step = a.length / n;
  return Array.from({ length: n }, (_, i) => a[Math.floor(i * step)]!);
}
