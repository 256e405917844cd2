// The onnxruntime sessions of one graph. One rewritten session serves every purpose (logits, KV cache,
// interventions, pooled responses of every site): onnxruntime runs only the nodes the requested outputs
// need, so fetching only pooled responses costs what a graph pruned after the last site costs (measured by
// scripts/bench-memory/fetch-pruning.ts), and the weights are loaded once. The unmodified graph gets its own
// session only when asked for ('plain': baselines and benchmarks).
import { encodeModel } from './onnx/proto';
import { createSession } from './ort-session';
import { rewrite } from './surgery';
import type { IoSpec } from './io-spec';
import type { LoadedGraph } from './onnx/load';
import type { SessionOptions, ort } from './ort-session';
import type { Site } from './sites/catalogue';

export interface Graph {
  loaded: LoadedGraph;
  io: IoSpec;
  sites: Site[];
}

/** Sites that get gain inputs and pooled outputs: all but custom sites whose width is not measured yet. */
export function rewritable(sites: Site[]): Site[] {
  return sites.filter((s) => s.neurons > 0);
}

export class GraphSessions {
  private full: Promise<ort.InferenceSession> | undefined;
  private plain: Promise<ort.InferenceSession> | undefined;

  constructor(
    readonly graph: Graph,
    private readonly options: SessionOptions,
  ) {}

  /**
   * The rewritten session: gain/bias inputs, pooled and per-token outputs for every site, model outputs
   * kept. Declaring the per-token outputs costs the runs that do not fetch them nothing measurable
   * (bench/token-outputs.ts: identical values, time ratio within noise), so one session serves them too.
   */
  rewritten(): Promise<ort.InferenceSession> {
    if (!this.full) {
      const g = this.graph;
      const sites = rewritable(g.sites);
      const s = this.make(encodeModel(rewrite(g.loaded.model, g.io, { intervene: sites, pool: sites, keepModelOutputs: true, tokens: sites })), true);
      s.catch(() => {
        if (this.full === s) this.full = undefined;
      });
      this.full = s;
    }
    return this.full;
  }

  /** The graph as exported. */
  unmodified(): Promise<ort.InferenceSession> {
    if (!this.plain) {
      const s = this.make(encodeModel(this.graph.loaded.model), false);
      s.catch(() => {
        if (this.plain === s) this.plain = undefined;
      });
      this.plain = s;
    }
    return this.plain;
  }

  /** A short-lived session pooling `pool` only (pruned after them), for measuring custom sites' widths. */
  async probe(pool: Site[]): Promise<ort.InferenceSession> {
    const g = this.graph;
    return this.make(encodeModel(rewrite(g.loaded.model, g.io, { intervene: rewritable(g.sites), pool, keepModelOutputs: false })), true);
  }

  /** Forgets the rewritten session (its sites changed); the next use rebuilds it. */
  async invalidate(): Promise<void> {
    const s = this.full;
    this.full = undefined;
    await (await s?.catch(() => undefined))?.release();
  }

  async dispose(): Promise<void> {
    const all = [this.full, this.plain];
    this.full = this.plain = undefined;
    for (const s of all) await (await s?.catch(() => undefined))?.release();
  }

  private make(bytes: Uint8Array, rewritten: boolean): Promise<ort.InferenceSession> {
    const l = this.graph.loaded;
    return createSession(bytes, l.file, l.dataDir, l.externalFiles, this.options, rewritten);
  }
}
