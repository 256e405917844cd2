// One neuron, looked into: how it responds to toxic vs non-toxic examples (read back from the
// profile's response matrices), and the examples and tokens that drive it most (per-token values of
// all of them from one batched pass of the model). Runs in the model process (ModelWork), so reading
// a response matrix of tens of MB never blocks the extension host.
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
/** Examples whose peak tokens are aggregated (one forward pass over this many texts). */
const TOKEN_EXAMPLES = 24;
/** Responses per class sent to the page for the distribution chart. */
const SAMPLE = 2000;

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

  async detail(req: DetailRequest, signal?: AbortSignal): Promise<NeuronDetail> {
    const files = await this.profileFiles(req.dir);
    const column = await this.column(req, files.labels.length);
    const pos: number[] = [];
    const neg: number[] = [];
    column.forEach((v, r) => (files.labels[r] ? pos : neg).push(v));
    const stored = files.examples;
    const top = stored ? topRows(column, Math.max(TOP_EXAMPLES, TOKEN_EXAMPLES)) : [];
    const texts = top.map((r) => stored![files.exampleIndex[r]!]!);
    const acts = texts.length > 0 ? await this.tokenValues(texts.map((t) => t.text), [req.site], signal) : [];
    const examples = top.map((r, i) => {
      const a = acts[i]!;
      const values = a.values.get(req.site)!;
      return {
        text: texts[i]!.text,
        label: texts[i]!.label,
        value: column[r]!,
        tokens: a.tokens.map((t, k) => ({ text: t.text, value: values[k * req.neurons + req.neuron]! })),
      };
    });
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
