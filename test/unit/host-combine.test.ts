// The compare card's "Combine with this concept" (issue 20, item 9), host side: the page's message
// makes the panel's current intervention the per-neuron product (or min) of the current method's gains
// on profile A and on profile B. The reference is AurA's formula written out here, gain = 1 - 2(AUROC
// - 0.5) where AUROC > 0.5 and 1 elsewhere, at each input's strength (1 - s(1 - g)), multiplied or
// min'd per neuron; hand-set gains of A take the place of its formula; transport maps are refused.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { PROFILE_FORMAT, PROFILE_VERSION, aurocPath } from '../../src/aura/profile/store';
import { readAurocs } from '../../src/aura/profile/score';
import { mulberry32 } from '../../src/aura/random';
import { isUserError } from '../../src/engine/errors';
import { objectSource, readConfig } from '../../src/host/config';
import { currentInterventionFile } from '../../src/host/intervention-export';
import { memoryLogger } from '../../src/host/logger';
import { compareProfiles } from '../../src/host/profile-compare';
import { Workbench } from '../../src/host/workbench';
import { PanelController } from '../../src/panel/panel-controller';
import { parseHostMessage } from '../../src/shared/protocol';
import { scratchDir } from '../helpers/scratch';
import type { ModelHost, ModelInfo } from '../../src/host/model-host/api';
import type { HostMessage } from '../../src/shared/protocol';

type Site = { id: string; neurons: number };
const SITES: Site[] = [
  { id: 'transformer.h.0.mlp.c_fc', neurons: 40 },
  { id: 'transformer.h.1.mlp.c_fc', neurons: 30 },
];

function writeProfile(name: string, aurocs: number[][], fingerprint = 'sha256:model'): string {
  const dir = scratchDir(name);
  mkdirSync(join(dir, 'auroc'), { recursive: true });
  const manifest = { format: PROFILE_FORMAT, version: PROFILE_VERSION, model: { name: 'synthetic', fingerprint }, data: { source: `${name}.jsonl`, positives: 10, negatives: 10, hash: 'sha256:0' }, seqLen: 16, batchSize: 4, sites: SITES, examples: 20, batches: 5, pooling: 'max' };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  SITES.forEach((s, i) => writeFileSync(aurocPath(dir, s.id, 'max'), new Uint8Array(Float64Array.from(aurocs[i]!).buffer)));
  return dir;
}

function aurocs(seed: number): number[][] {
  const rng = mulberry32(seed);
  return SITES.map((s) => Array.from({ length: s.neurons }, () => Math.round(rng() * 40) / 40));
}

/** AurA by hand: 1 - 2(AUROC - 0.5) for experts, 1 for the rest, then the strength. */
const aura = (auroc: number, strength = 1) => 1 - strength * (1 - (auroc > 0.5 ? 1 - 2 * (auroc - 0.5) : 1));

function setup() {
  const A = aurocs(1);
  const B = aurocs(2);
  const dirA = writeProfile('toxic', A);
  const dirB = writeProfile('sad', B);
  const log = memoryLogger();
  const config = readConfig(objectSource({}), true);
  const wb = new Workbench({ host: { dispose: async () => undefined } as unknown as ModelHost, log, cacheRoot: '/nonexistent', config: () => config, demo: () => ({ root: '', model: '', concept: '', prompts: '', neutral: '' }) });
  wb.intervention.setAurocs(readAurocs(dirA).sites);
  const posted: HostMessage[] = [];
  const noop = () => undefined;
  const c = new PanelController(wb, (m) => posted.push(m), { useDemoModel: noop, openModelFolder: noop, profile: noop, importIntervention: noop, evaluate: noop, exportIntervention: noop, compareProfile: noop }, log);
  const gains = () => SITES.flatMap((s) => [...wb.intervention.appliedGains()!.get(s.id)!]);
  return { A: A.flat(), B: B.flat(), dirA, dirB, wb, c, posted, gains, dispose: () => (c.dispose(), wb.intervention.dispose()) };
}

function close(actual: number[], expected: number[], what: string) {
  assert.equal(actual.length, expected.length);
  actual.forEach((g, i) => assert.ok(Math.abs(g - expected[i]!) < 1e-6, `${what}: neuron ${i}: ${g} vs ${expected[i]}`));
}

test('product: the current gains become AurA(A) x AurA(B) per neuron, the panel says so, and an export states the rule', () => {
  const t = setup();
  try {
    assert.ok(t.A.some((a, i) => a > 0.5 && t.B[i]! > 0.5) && t.A.some((a, i) => a > 0.5 && t.B[i]! <= 0.5) && t.A.some((a, i) => a <= 0.5 && t.B[i]! > 0.5), 'experts of both, of A only and of B only');
    t.c.receive({ type: 'combineWithComparison', rule: 'product' });
    assert.match((t.posted.at(-1) as { message: string }).message, /nothing to combine with yet/, 'no comparison yet: refused');
    t.c.showComparison(t.dirA, compareProfiles(t.dirA, t.dirB), t.dirB);
    t.c.receive({ type: 'combineWithComparison', rule: 'product' });
    close(t.gains(), t.A.map((a, i) => aura(a) * aura(t.B[i]!)), 'product');
    const iv = t.wb.intervention.snapshot();
    assert.equal(iv.combined, `product of ${basename(t.dirA)} and ${basename(t.dirB)}`);
    assert.equal(iv.method, 'aura');
    assert.equal(iv.strength, 1);
    const last = t.posted.filter((m) => m.type === 'didChangeIntervention').at(-1);
    assert.ok(last && parseHostMessage(last), 'the snapshot with its combined line passes the page\'s check');
    const model = { name: 'synthetic', fingerprint: 'sha256:model' } as unknown as ModelInfo;
    const file = currentInterventionFile(model, t.wb.intervention, undefined, 'max');
    assert.deepEqual(file.combined, { rule: 'product', inputs: [{ path: t.dirA, method: 'aura', strength: 1 }, { path: t.dirB, method: 'aura', strength: 1 }] });
    close(SITES.flatMap((s) => [...file.sites[s.id]!.gain]), t.A.map((a, i) => aura(a) * aura(t.B[i]!)), 'exported gains');
    // A new profile is a new intervention: the combined line goes.
    t.wb.intervention.setAurocs(readAurocs(t.dirB).sites);
    assert.equal(t.wb.intervention.snapshot().combined, undefined);
  } finally {
    t.dispose();
  }
});

test('min at strength 0.5, with a hand-set gain on A: min(1 - s(1 - gA), 1 - s(1 - gB)) per neuron', () => {
  const t = setup();
  try {
    t.wb.intervention.update({ method: 'aura', strength: 0.5, k: null, alpha: null });
    const site = SITES[1]!.id;
    t.wb.intervention.setOverride(site, 3, 0.2);
    t.c.showComparison(t.dirA, compareProfiles(t.dirA, t.dirB), t.dirB);
    t.c.receive({ type: 'combineWithComparison', rule: 'min' });
    const hand = SITES[0]!.neurons + 3;
    const gA = t.A.map((a, i) => (i === hand ? 1 - 0.5 * (1 - 0.2) : aura(a, 0.5)));
    close(t.gains(), gA.map((g, i) => Math.min(g, aura(t.B[i]!, 0.5))), 'min');
    assert.match(t.wb.intervention.snapshot().combined!, /^min of /);
    assert.equal(t.wb.intervention.snapshot().strength, 1, 'the combination holds each input at its strength');
  } finally {
    t.dispose();
  }
});

test('a transport map is refused in one line and the intervention stays as it was', () => {
  const t = setup();
  try {
    const n = (s: Site) => s.neurons;
    const transport = new Map([['linear-act' as const, SITES.map((s) => ({ siteId: s.id, fit: { gain: new Float32Array(n(s)).fill(0.5), bias: new Float32Array(n(s)), lo: new Float32Array(n(s)).fill(-1), hi: new Float32Array(n(s)).fill(1), changed: new Uint8Array(n(s)).fill(1) } }))]]);
    t.wb.intervention.setAurocs(readAurocs(t.dirA).sites, transport);
    t.wb.intervention.update({ method: 'linear-act', strength: 1, k: null, alpha: null });
    const before = t.gains();
    let error: unknown;
    try {
      t.wb.intervention.combineWithProfile(t.dirA, t.dirB, 'product');
    } catch (e) {
      error = e;
    }
    assert.ok(isUserError(error), 'a user error');
    assert.match((error as Error).message, /^linear-act: a transport map's bias and range do not combine neuron by neuron/);
    assert.ok(!(error as Error).message.includes('\n'));
    assert.deepEqual(t.gains(), before);
    assert.equal(t.wb.intervention.snapshot().combined, undefined);
    // Through the panel the refusal reaches the page as its one-line error.
    t.c.showComparison(t.dirA, compareProfiles(t.dirA, t.dirB), t.dirB);
    t.c.receive({ type: 'combineWithComparison', rule: 'min' });
    assert.match((t.posted.at(-1) as { type: string; message: string }).message, /^linear-act: /);
  } finally {
    t.dispose();
  }
});
