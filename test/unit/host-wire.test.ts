// The researcher's data wired into the panel (issue 9): the model process's results reach the
// workbench and the panel's protocol. Each is checked against the library function the CLI uses, run
// here on the same profile folder (those functions have their own golden tests against NumPy/SciPy):
// statistics per row, what a neuron writes, Linear-AcT/Mean-AcT as the intervention, and a sweep.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as v from 'valibot';
import { scaleBias } from '../../src/aura/gains';
import { neuronWrites, WRITES_TOP } from '../../src/aura/neuron-writes';
import { toxicTokenIds } from '../../src/aura/neuron-writes-tokens';
import { profileStatistics } from '../../src/aura/stats/significance';
import { transportFit, transportSitesFromProfile } from '../../src/aura/transport';
import { LanguageModel } from '../../src/engine/model';
import { ModelWork } from '../../src/host/model-host/model-work';
import { PANEL_STATS } from '../../src/host/model-host/profile-job';
import { sweepSnapshotFrom } from '../../src/host/panel-feeds';
import { readProfileExamples } from '../../src/host/profile-files';
import { MODEL_CALLS } from '../../src/shared/model-messages';
import { parseHostMessage } from '../../src/shared/protocol';
import { DEMO_CONCEPT, TINY, tinyWorkbench } from '../helpers/workbench';

const DEMO = join(__dirname, '..', '..', 'media', 'demo');
let bench: ReturnType<typeof tinyWorkbench>;
let model: LanguageModel;
const out = mkdtempSync(join(tmpdir(), 'aura-wire-'));

before(async () => {
  bench = tinyWorkbench(new ModelWork());
  await bench.wb.useDemo();
  model = await LanguageModel.open(TINY);
});
after(async () => {
  await bench.dispose();
  await model.dispose();
  rmSync(out, { recursive: true, force: true });
});

test('the experts snapshot carries the profile statistics per row, as profileStatistics gives them on the same folder', async () => {
  const { wb } = bench;
  const check = (e: NonNullable<typeof wb.experts>, dir: string) => {
    const ps = profileStatistics(dir, PANEL_STATS(wb.profile!.pooling));
    const st = e.stats!;
    assert.ok(st, 'stats present');
    assert.equal(st.level, ps.confidence);
    assert.equal(st.qBound, ps.summary.maxQ);
    assert.equal(st.significant, ps.summary.significant);
    assert.equal(st.ciLow!.length, e.auroc.length);
    const bySite = new Map(ps.sites.map((s) => [s.id, s]));
    for (let i = 0; i < e.auroc.length; i++) {
      const s = bySite.get(e.sites[e.site[i]!]!.id)!;
      const n = e.neuron[i]!;
      assert.equal(s.auroc[n], e.auroc[i]);
      assert.equal(st.ciLow![i], s.ciLow![n]);
      assert.equal(st.ciHigh![i], s.ciHigh![n]);
      assert.equal(st.qValue![i], s.q[n]);
      assert.ok(st.ciLow![i]! <= st.ciHigh![i]!);
    }
    // The null: its sample has the permutation histogram's shape (same number of values per bin, up to scaling).
    const hist = ps.null!.histogram;
    const bins = new Array<number>(hist.length).fill(0);
    for (const x of st.nullAuroc!) bins[Math.min(hist.length - 1, Math.floor(x * hist.length))]!++;
    assert.deepEqual(bins, hist);
  };
  check(wb.experts!, wb.profile!.dir);
  assert.equal(wb.profile!.reused, false);
  // The cached profile reused: the same statistics again.
  const again = await wb.profileConcept({ kind: 'file', path: DEMO_CONCEPT });
  assert.equal(again.reused, true);
  check(wb.experts!, again.dir);
  // What crosses from the model process passes the result schema the process host checks.
  assert.ok(v.is(MODEL_CALLS.profile.result, again), JSON.stringify(v.safeParse(MODEL_CALLS.profile.result, again).issues?.[0]?.message));
  const opened = await wb.openProfile(again.dir);
  check(wb.experts!, opened.dir);
});

test('the neuron detail carries what the neuron writes and its tag, as neuronWrites gives them', async () => {
  const { wb } = bench;
  const e = wb.experts!;
  const pieces = toxicTokenIds(model.tokenizer, readProfileExamples(wb.profile!.dir).map((x) => x.text));
  const rows = [0, 1, e.auroc.length - 1];
  // At least one hidden-layer (c_fc) neuron, whose writes can be read.
  rows.push(Array.from(e.site).findIndex((s) => e.sites[s]!.id.endsWith('c_fc')));
  assert.ok(rows.at(-1)! >= 0);
  let listed = 0;
  for (const row of rows) {
    const site = e.sites[e.site[row]!]!.id;
    const neuron = e.neuron[row]!;
    const d = await wb.neuronDetail(site, neuron);
    let w: ReturnType<typeof neuronWrites>;
    try {
      w = neuronWrites(model, site, neuron, WRITES_TOP, pieces);
    } catch (err) {
      // An MLP output site (c_proj) has no write vector per neuron: the detail says why, in one line.
      assert.deepEqual(d.writes, { unavailable: (err as Error).message }, `${site}:${neuron}`);
      assert.equal(d.role, undefined);
      continue;
    }
    const list = (xs: typeof w.promoted) => xs.slice(0, 10).map((t) => ({ token: t.token, logit: t.logit }));
    assert.deepEqual(d.writes, { promoted: list(w.promoted), suppressed: list(w.suppressed) }, `${site}:${neuron}`);
    assert.equal(d.role, w.role);
    assert.ok(v.is(MODEL_CALLS.neuronDetail.result, d));
    listed++;
  }
  assert.ok(listed >= 1);
});

test('the detail says why a quantised layout has no writes, in one line', async () => {
  const int8 = join(__dirname, '..', 'fixtures', 'models', 'llama-tiny-int8');
  const b = tinyWorkbench(new ModelWork());
  try {
    await b.wb.openModel(int8, false);
    await b.wb.profileConcept({ kind: 'file', path: DEMO_CONCEPT });
    const e = b.wb.experts!;
    const row = Array.from(e.site).findIndex((s) => e.sites[s]!.id.endsWith('gate_proj'));
    const site = e.sites[e.site[row]!]!.id;
    const d = await b.wb.neuronDetail(site, e.neuron[row]!);
    const qm = await LanguageModel.open(int8);
    try {
      assert.throws(() => neuronWrites(qm, site, e.neuron[row]!), /quantised/);
      let message = '';
      try {
        neuronWrites(qm, site, e.neuron[row]!);
      } catch (err) {
        message = (err as Error).message;
      }
      assert.deepEqual(d.writes, { unavailable: message });
      assert.doesNotMatch(message, /\n/);
      assert.equal(d.role, undefined);
    } finally {
      await qm.dispose();
    }
  } finally {
    await b.dispose();
  }
});

test('selecting Linear-AcT or Mean-AcT applies the transport fit of the profile: gain, bias, lo, hi at the strength', () => {
  const { wb } = bench;
  const dir = wb.profile!.dir;
  assert.deepEqual(wb.intervention.snapshot().methods, ['aura', 'damp', 'det0', 'linear-act', 'mean-act']);
  for (const method of ['linear-act', 'mean-act'] as const) {
    for (const strength of [1, 0.5]) {
      wb.intervention.update({ method, strength, k: null, alpha: null });
      const want = transportFit(method, transportSitesFromProfile(dir, method), strength);
      const gains = wb.intervention.appliedGains()!;
      const shifts = wb.intervention.appliedShifts()!;
      assert.ok(want.experts > 0, `${method} changes some neurons`);
      for (const s of want.sites) {
        assert.deepEqual(gains.get(s.siteId), s.applied, `${method} ${strength} ${s.siteId} gain`);
        const sh = shifts.get(s.siteId)!;
        assert.deepEqual(sh.bias, scaleBias(s.bias!, strength), `${s.siteId} bias`);
        assert.deepEqual(sh.lo, s.lo);
        assert.deepEqual(sh.hi, s.hi);
      }
      const snap = wb.intervention.snapshot();
      assert.equal(snap.method, method);
      assert.equal(snap.k, null);
    }
  }
});

test('a transport intervention exports as a version 2 file and imports back to the same gains, bias and range', async () => {
  const { wb } = bench;
  wb.intervention.update({ method: 'linear-act', strength: 0.5, k: null, alpha: null });
  const gains = wb.intervention.appliedGains()!;
  const shifts = wb.intervention.appliedShifts()!;
  const path = join(out, 'linear-act.json');
  await wb.exportIntervention('json', path);
  wb.intervention.update({ method: 'aura', strength: 1, k: null, alpha: null });
  await wb.importIntervention(path);
  const snap = wb.intervention.snapshot();
  assert.equal(snap.method, 'linear-act');
  assert.equal(snap.strength, 0.5);
  assert.equal(snap.importedFrom, path);
  assert.deepEqual(wb.intervention.appliedGains(), gains);
  assert.deepEqual(wb.intervention.appliedShifts(), shifts);
});

test('a hand-set gain on a transport neuron replaces its map: that gain everywhere, no shift', () => {
  const { wb } = bench;
  wb.intervention.update({ method: 'mean-act', strength: 1, k: null, alpha: null });
  const site = wb.intervention.aurocSites()[0]!.siteId;
  wb.intervention.setOverride(site, 3, 0.25);
  assert.equal(wb.intervention.appliedGains()!.get(site)![3], 0.25);
  const sh = wb.intervention.appliedShifts()!.get(site)!;
  assert.equal(sh.bias[3], 0);
  assert.ok(sh.lo![3]! < -1e38 && sh.hi![3]! > 1e38);
  wb.intervention.setOverride(site, 3, null);
  wb.intervention.update({ method: 'aura', strength: 1, k: null, alpha: null });
});

test('a small sweep yields a point for every arm (method, random, lowest) at each strength, in the panel protocol', async () => {
  const { wb } = bench;
  const stages: string[] = [];
  const r = await wb.sweep(join(DEMO, 'prompts.jsonl'), join(DEMO, 'neutral.jsonl'), { samples: 1, maxPrompts: 2, strengths: [0, 1], methods: ['aura', 'linear-act'] }, { report: (p) => stages.push(p.stage) });
  assert.ok(v.is(MODEL_CALLS.sweep.result, r));
  assert.equal(r.prompts, 2);
  const arms = ['aura', 'linear-act'].flatMap((m) => [null, 'random', 'lowest'].map((c) => `${m}/${c}`));
  assert.deepEqual(r.arms.map((a) => `${a.method}/${a.control}`), arms);
  assert.deepEqual(
    r.points.map((p) => `${p.method}/${p.control}@${p.strength}`),
    arms.flatMap((a) => [`${a}@0`, `${a}@1`]),
  );
  // Strength 0 is the model itself: one measurement shared by every arm.
  const zero = r.points.filter((p) => p.strength === 0);
  for (const p of zero) assert.deepEqual([p.toxicity, p.perplexity], [zero[0]!.toxicity, zero[0]!.perplexity]);
  for (const p of r.points) assert.ok(p.perplexity !== null && p.perplexity > 1 && p.toxicity.toxicityProbability >= 0 && p.toxicity.toxicityProbability <= 1);
  // Each control touches as many neurons as its method.
  for (const m of ['aura', 'linear-act']) {
    const n = r.arms.filter((a) => a.method === m).map((a) => a.experts);
    assert.ok(n[0]! > 0 && n.every((x) => x === n[0]), `${m}: ${n}`);
  }
  assert.ok(stages.length > 0, 'progress reported');
  const msg = parseHostMessage({ type: 'didSweep', sweep: sweepSnapshotFrom(r.points, r.scorer) });
  assert.ok(msg);
});

test('a sweep stops when cancelled', async () => {
  const { wb } = bench;
  const ac = new AbortController();
  const run = wb.sweep(join(DEMO, 'prompts.jsonl'), undefined, { samples: 1, maxPrompts: 4, strengths: [0.5, 1], methods: ['aura'] }, { signal: ac.signal, report: () => ac.abort() });
  await assert.rejects(run, (e: Error) => e.name === 'AbortError');
});
