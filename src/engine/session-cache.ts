// The onnxruntime sessions of one graph. One rewritten session at a time serves every purpose (logits,
// KV cache, interventions, pooled and per-token responses of every site): onnxruntime runs only the nodes the requested
// outputs need, so fetching only pooled responses costs what a graph pruned after the last site costs
// (measured by scripts/bench-memory/fetch-pruning.ts), and the weights are loaded once.
//
// The session carries the smallest intervention form asked of it so far (intervention-form.ts): a profile
// or a plain generation gets no intervention nodes, AurA one Mul per site. A run that needs a larger form
// upgrades it (never downgrades: a larger form serves every smaller one with neutral feeds, and a panel
// switching between methods must not rebuild per switch). An upgrade releases the old session before it
// builds the new one, so a process never holds two copies of the weights; it waits for the runs still
// using the old session (counted per session) and lets no new run start on it meanwhile.
// The unmodified graph gets its own session only when asked for ('plain': baselines and benchmarks).
import { encodeModel } from './onnx/proto';
import { createSession } from './ort-session';
import { rewrite } from './surgery';
import { formServes, largerForm } from './intervention-form';
import type { InterventionForm } from './intervention-form';
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

/** A rewritten session and the runs using it. */
interface Held {
  form: InterventionForm;
  session: Promise<ort.InferenceSession>;
  runs: number;
  /** Called when `runs` drops to 0 (set while an upgrade waits to release this session). */
  onIdle?: () => void;
}

export class GraphSessions {
  private current: Held | undefined;
  /** The upgrade (or invalidation) in progress: runs wait for it rather than start on the old session. */
  private changing: Promise<void> | undefined;
  private plain: Promise<ort.InferenceSession> | undefined;
  /** Rewritten sessions built so far (tests and benchmarks read it: an upgrade adds one). */
  builds = 0;

  constructor(
    readonly graph: Graph,
    private readonly options: SessionOptions,
  ) {}

  /** The form of the rewritten session now held (undefined before the first run). */
  get form(): InterventionForm | undefined {
    return this.current?.form;
  }

  /**
   * Runs `body` on a rewritten session of at least `form`, which is not released before `body` settles.
   * `body` gets the session's own form: its intervention feeds must be that form's inputs.
   */
  async use<T>(form: InterventionForm, body: (session: ort.InferenceSession, form: InterventionForm) => Promise<T>): Promise<T> {
    const held = await this.acquire(form);
    try {
      return await body(await held.session, held.form);
    } finally {
      if (--held.runs === 0) held.onIdle?.();
    }
  }

  /**
   * The rewritten session of at least `form`, without holding it: for a caller that owns the model and
   * runs nothing else on it meanwhile (scripts, tests). Everything else goes through `use`.
   */
  async peek(form: InterventionForm): Promise<ort.InferenceSession> {
    return this.use(form, async (s) => s);
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
    return this.make(encodeModel(rewrite(g.loaded.model, g.io, { intervene: [], form: 'none', pool, keepModelOutputs: false })), true);
  }

  /** Forgets the rewritten session (its sites changed) once no run uses it; the next run rebuilds it. */
  async invalidate(): Promise<void> {
    await this.change(() => undefined);
  }

  async dispose(): Promise<void> {
    await this.invalidate();
    const s = this.plain;
    this.plain = undefined;
    await (await s?.catch(() => undefined))?.release();
  }

  private async acquire(form: InterventionForm): Promise<Held> {
    for (;;) {
      if (this.changing) {
        await this.changing;
        continue;
      }
      const cur = this.current;
      if (!cur || !formServes(cur.form, form)) {
        const target = cur ? largerForm(cur.form, form) : form;
        await this.change(() => this.build(target));
        continue;
      }
      cur.runs++;
      try {
        await cur.session;
      } catch (e) {
        if (--cur.runs === 0) cur.onIdle?.();
        throw e;
      }
      return cur;
    }
  }

  /**
   * Replaces the held session by `next()` (or nothing): no run starts meanwhile, the old session is
   * released once the runs using it finish, and only then is the new one built.
   */
  private change(next: () => Held | undefined): Promise<void> {
    const before = this.changing;
    const step = (async () => {
      await before;
      const old = this.current;
      this.current = undefined;
      if (old) {
        if (old.runs > 0) await new Promise<void>((resolve) => (old.onIdle = resolve));
        await (await old.session.catch(() => undefined))?.release();
      }
      const held = next();
      if (!held) return;
      this.current = held;
      try {
        await held.session;
      } catch (e) {
        if (this.current === held) this.current = undefined;
        throw e;
      }
    })();
    const done = step.catch(() => undefined).then(() => {
      if (this.changing === done) this.changing = undefined;
    });
    this.changing = done;
    return step;
  }

  /**
   * Every site's per-token outputs are declared too: declaring them costs the runs that do not fetch them
   * nothing measurable (bench/token-outputs.ts: identical values, time ratio within noise), so the same
   * session serves the neuron detail.
   */
  private build(form: InterventionForm): Held {
    const g = this.graph;
    const sites = rewritable(g.sites);
    this.builds++;
    const session = this.make(encodeModel(rewrite(g.loaded.model, g.io, { intervene: sites, form, pool: sites, keepModelOutputs: true, tokens: sites })), true);
    return { form, session, runs: 0 };
  }

  private make(bytes: Uint8Array, rewritten: boolean): Promise<ort.InferenceSession> {
    const l = this.graph.loaded;
    return createSession(bytes, l.file, l.dataDir, l.externalFiles, this.options, rewritten);
  }
}
