// The intervention form of the rewritten graph (src/engine/intervention-form.ts): a graph carries only the
// intervention nodes its interventions need, every form gives PyTorch's numbers (goldens from
// test/fixtures/make_fixtures.py and test/fixtures/aura/make_stats_golden.py), the session only upgrades
// (so slider moves never rebuild it), and no session is released while a run uses it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { effectiveGains, parseIntervention } from '../../src/aura/intervention-file';
import { factorFeeds, stepFeeds } from '../../src/engine/feeds';
import { interventionForm } from '../../src/engine/intervention-form';
import { COLLECT_INPUT, TOKEN_ROWS_INPUT } from '../../src/engine/io-names';
import { ort } from '../../src/engine/ort-session';
import { readIoSpec } from '../../src/engine/io-spec';
import { LanguageModel } from '../../src/engine/model';
import { GraphSessions } from '../../src/engine/session-cache';
import { rewrite } from '../../src/engine/surgery';
import { ModelWork } from '../../src/host/model-host/model-work';
import { demoAssets } from '../../src/aura/demo-assets';
import { MODELS, golden, maxAbsDiff, toGains } from '../helpers/fixtures';
import type { InterventionForm, Intervention } from '../../src/engine/model';
import type { NodeProto } from '../../src/engine/onnx/proto';

const g = golden('gpt2-tiny');
const ref = JSON.parse(readFileSync(join(__dirname, '../fixtures/aura/stats-golden.json'), 'utf8')).range;

/** The transport reference's range-limited maps (what engine-range.test.ts checks against PyTorch). */
function ranged(): Intervention {
  const sites: Record<string, unknown> = {};
  for (const [id, m] of Object.entries(ref.sites as Record<string, Record<string, number[]>>)) {
    sites[id] = { neurons: m.gain!.length, gain: m.gain, bias: m.bias, lo: m.lo, hi: m.hi };
  }
  return effectiveGains(parseIntervention({ format: 'aura-lens.intervention', version: 2, method: 'linear-act', params: { strength: ref.strength }, sites }));
}

/** The nodes the rewrite adds to apply interventions (pooling and mask nodes excluded), by op type. */
function interventionOps(nodes: NodeProto[]): string[] {
  const all: NodeProto[] = [];
  const walk = (ns: NodeProto[]) => {
    for (const n of ns) {
      all.push(n);
      for (const a of n.attribute) if (a.g) walk(a.g.node);
    }
  };
  walk(nodes);
  return all.filter((n) => /^aura\/(gain|bias|lo|hi|inside|range|slice|cast)\//.test(n.name)).map((n) => n.opType);
}

const count = (ops: string[], op: string) => ops.filter((o) => o === op).length;
const args = () => ({ ids: g.batch.input_ids, mask: g.batch.attention_mask, logits: 'last' as const });

describe('intervention forms', () => {
  let model: LanguageModel;
  before(async () => {
    model = await LanguageModel.open(join(MODELS, 'gpt2-tiny'), { threads: 1 });
  });
  after(async () => model?.dispose());

  it('chooses the form from the intervention: gains only, a non-zero bias, a finite lo or hi', () => {
    const n = 4;
    const gain = new Float32Array(n).fill(0.5);
    assert.equal(interventionForm(undefined), 'none');
    assert.equal(interventionForm(new Map()), 'none');
    assert.equal(interventionForm(new Map([['a', { gain }]])), 'gain');
    assert.equal(interventionForm(new Map([['a', { gain, bias: new Float32Array(n) }]])), 'gain');
    assert.equal(interventionForm(new Map([['a', { gain, bias: Float32Array.of(0, 0, 0.1, 0) }]])), 'affine');
    const open = { lo: new Float32Array(n).fill(-Infinity), hi: new Float32Array(n).fill(Infinity) };
    assert.equal(interventionForm(new Map([['a', { gain, bias: Float32Array.of(0, 0, 0.1, 0), ...open }]])), 'affine');
    assert.equal(interventionForm(new Map([['a', { gain, ...open, hi: Float32Array.of(Infinity, 3, Infinity, Infinity) }]])), 'range');
    assert.equal(interventionForm(ranged()), 'range');
  });

  it('rewrites a gain-only graph with one Mul per site and no range nodes, a profile graph with none', () => {
    const io = readIoSpec(model.mainGraph.model.graph!, model.files.main);
    const sites = model.sites;
    const inputs = (form: InterventionForm) => {
      const m = rewrite(model.mainGraph.model, io, { intervene: sites, form, pool: sites, keepModelOutputs: true });
      return { names: m.graph!.input.map((i) => i.name).filter((n) => n.startsWith('aura.') && n !== COLLECT_INPUT), ops: interventionOps(m.graph!.node) };
    };
    const none = inputs('none');
    assert.deepEqual(none.names, []);
    assert.deepEqual(none.ops, []);
    const gain = inputs('gain');
    assert.deepEqual(gain.names, ['aura.gain']);
    assert.equal(count(gain.ops, 'Mul'), sites.length);
    for (const op of ['Add', 'Greater', 'Less', 'And', 'Where']) assert.equal(count(gain.ops, op), 0, op);
    const affine = inputs('affine');
    assert.deepEqual(affine.names, ['aura.gain', 'aura.bias']);
    assert.equal(count(affine.ops, 'Add'), sites.length);
    for (const op of ['Greater', 'Less', 'And', 'Where']) assert.equal(count(affine.ops, op), 0, op);
    const range = inputs('range');
    assert.deepEqual(range.names, ['aura.gain', 'aura.bias', 'aura.lo', 'aura.hi']);
    for (const op of ['Mul', 'Add', 'Greater', 'Less', 'And', 'Where']) assert.equal(count(range.ops, op), sites.length, op);
  });

  it('profiles on a session without intervention inputs, and upgrades only as far as needed, with the same numbers', async () => {
    const m = await LanguageModel.open(join(MODELS, 'gpt2-tiny'), { threads: 1 });
    try {
      const pooled = await m.extract({ ids: g.batch.input_ids, mask: g.batch.attention_mask, pool: g.sites.map((s) => s.id) });
      assert.deepEqual(m.sessionState(), { form: 'none', builds: 1 });
      // Only the pooling and per-token gates, no intervention input.
      assert.deepEqual((await m.session('extract')).inputNames.filter((n) => n.startsWith('aura.')), [COLLECT_INPUT, TOKEN_ROWS_INPUT]);
      const site = g.sites[0]!.id;
      assert.ok(maxAbsDiff(pooled.pooled!.get(site)!.max, g.pooled[site]!.max.flat()) <= 1e-5);
      const plain0 = await m.logits(args());
      assert.ok(maxAbsDiff(plain0.logits!, g.logits_last.flat()) <= 1e-4);

      const gained = await m.logits({ ...args(), intervention: toGains(g, false) });
      assert.deepEqual(m.sessionState(), { form: 'gain', builds: 2 });
      assert.ok(maxAbsDiff(gained.logits!, g.logits_last_gain.flat()) <= 1e-4);
      // Other gains (a slider move) are new feeds, not a new session.
      for (const scale of [0.25, 0.5, 0.75]) {
        const iv = new Map([...toGains(g, false)].map(([id, f]) => [id, { gain: f.gain.map((x) => x * scale) }]));
        await m.logits({ ...args(), intervention: iv });
      }
      await m.extract({ ...args(), pool: [site] });
      assert.deepEqual(m.sessionState(), { form: 'gain', builds: 2 });

      const biased = await m.logits({ ...args(), intervention: toGains(g, true) });
      assert.deepEqual(m.sessionState(), { form: 'affine', builds: 3 });
      assert.ok(maxAbsDiff(biased.logits!, g.logits_last_gain_bias.flat()) <= 1e-4);

      const r = await m.logits({ ...args(), intervention: ranged() });
      assert.deepEqual(m.sessionState(), { form: 'range', builds: 4 });
      assert.ok(maxAbsDiff(r.logits!, (ref.logits_last as number[][]).flat()) <= 1e-4);

      // The upgraded session serves every smaller form with neutral feeds: same numbers, no rebuild.
      const gainedAgain = await m.logits({ ...args(), intervention: toGains(g, false) });
      const biasedAgain = await m.logits({ ...args(), intervention: toGains(g, true) });
      const plainAgain = await m.logits(args());
      const pooledAgain = await m.extract({ ids: g.batch.input_ids, mask: g.batch.attention_mask, pool: [site] });
      assert.deepEqual(m.sessionState(), { form: 'range', builds: 4 });
      assert.ok(maxAbsDiff(gainedAgain.logits!, gained.logits!) <= 1e-6);
      assert.ok(maxAbsDiff(biasedAgain.logits!, biased.logits!) <= 1e-6);
      assert.ok(maxAbsDiff(plainAgain.logits!, plain0.logits!) <= 1e-6);
      assert.ok(maxAbsDiff(pooledAgain.pooled!.get(site)!.mean, pooled.pooled!.get(site)!.mean) <= 1e-6);
    } finally {
      await m.dispose();
    }
  });

  it('builds the reserved form first, so a baseline before an intervention needs no second session', async () => {
    const m = await LanguageModel.open(join(MODELS, 'gpt2-tiny'), { threads: 1 });
    try {
      m.reserveForms([toGains(g, false), toGains(g, true)]);
      assert.equal(m.sessionState().builds, 0, 'reserving builds nothing yet');
      const base = await m.logits(args());
      assert.deepEqual(m.sessionState(), { form: 'affine', builds: 1 });
      assert.ok(maxAbsDiff(base.logits!, g.logits_last.flat()) <= 1e-4);
      const biased = await m.logits({ ...args(), intervention: toGains(g, true) });
      assert.ok(maxAbsDiff(biased.logits!, g.logits_last_gain_bias.flat()) <= 1e-4);
      assert.deepEqual(m.sessionState(), { form: 'affine', builds: 1 });
    } finally {
      await m.dispose();
    }
  });

  it('releases an upgraded session only after the runs using it finish, and starts no new run on it', async () => {
    const graph = { loaded: model.mainGraph, io: readIoSpec(model.mainGraph.model.graph!, model.files.main), sites: model.sites };
    const sessions = new GraphSessions(graph, { threads: 1 });
    const feedsFor = (form: InterventionForm) => ({
      ...stepFeeds(graph.io, { ids: [[1, 2, 3]], mask: [[1, 1, 1]] }, (b) => model.emptyPast(b), { model: model.facts.vocabSize, tokenizer: model.tokenizer.vocabSize }),
      ...factorFeeds(model.sites, new Map(), form),
      [COLLECT_INPUT]: new ort.Tensor('bool', Uint8Array.of(0), [1]),
      [TOKEN_ROWS_INPUT]: new ort.Tensor('int64', BigInt64Array.of(0n), [1]),
    });
    const events: string[] = [];
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const first = sessions.use('gain', async (s, form) => {
      const release = s.release.bind(s);
      s.release = async () => {
        events.push('gain session released');
        return release();
      };
      entered();
      await gate;
      // Still usable: a released session would refuse to run.
      await s.run(feedsFor(form), [graph.io.logits]);
      events.push('run on the gain session done');
      return form;
    });
    await inside;
    const second = sessions.use('range', async (s, form) => {
      events.push(`run on the ${form} session`);
      await s.run(feedsFor(form), [graph.io.logits]);
      return form;
    });
    // A run that the gain session could serve, asked for while the upgrade waits, gets the new session.
    const third = sessions.use('none', async (_s, form) => form);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(events, [], 'nothing released or started while the first run holds its session');
    assert.equal(sessions.builds, 1);
    open();
    assert.deepEqual(await Promise.all([first, second, third]), ['gain', 'range', 'range']);
    assert.deepEqual(events, ['run on the gain session done', 'gain session released', 'run on the range session']);
    assert.equal(sessions.builds, 2);
    await sessions.dispose();
  });
});

describe('the model process keeps one session across slider moves', () => {
  it('builds the gain session when the model opens, and upgrades once for a range-limited import', async () => {
    const work = new ModelWork();
    const demo = demoAssets(join(__dirname, '..', '..'));
    await work.open({ path: demo.model, threads: 1 });
    const state = () => (work as unknown as { model: LanguageModel }).model.sessionState();
    try {
      assert.deepEqual(state(), { form: 'gain', builds: 1 });
      const info = (work as unknown as { model: LanguageModel }).model.sites;
      const settings = { maxNewTokens: 3, temperature: 0, topK: 0, topP: 1, seed: 1 };
      for (const alpha of [0.9, 0.5, 0.1]) {
        const gains = new Map(info.slice(0, 2).map((s) => [s.id, new Float32Array(s.neurons).fill(alpha)]));
        await work.generate({ prompt: 'You are such a', settings, gains });
      }
      await work.activations({ texts: ['You are such a'], sites: [info[0]!.id] });
      assert.deepEqual(state(), { form: 'gain', builds: 1 });
      const s = info[0]!;
      const gains = new Map([[s.id, new Float32Array(s.neurons).fill(0.5)]]);
      const shifts = new Map([[s.id, { bias: new Float32Array(s.neurons).fill(0.1), lo: new Float32Array(s.neurons).fill(-1), hi: new Float32Array(s.neurons).fill(1) }]]);
      await work.generate({ prompt: 'You are such a', settings, gains, shifts });
      await work.generate({ prompt: 'You are such a', settings, gains, shifts: new Map([[s.id, { ...shifts.get(s.id)!, hi: new Float32Array(s.neurons).fill(2) }]]) });
      assert.deepEqual(state(), { form: 'range', builds: 2 });
    } finally {
      await work.dispose();
    }
  });
});
