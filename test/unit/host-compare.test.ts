// The panel's "Compare concepts" card, host side (issue 20, item 9): counts and Jaccard of the two
// profiles' expert sets against Sets built here from the AUROCs written (experts by a plain filter,
// top k by a full sort with the index as tie-break), the scatter's points against those AUROCs, the
// sample's size, seed and top experts, the CLI's one-line refusals, and the message the panel gets.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { topKIndices } from '../../src/aura/experts';
import { PROFILE_FORMAT, PROFILE_VERSION, aurocPath } from '../../src/aura/profile/store';
import { mulberry32 } from '../../src/aura/random';
import { isUserError } from '../../src/engine/errors';
import { objectSource, readConfig } from '../../src/host/config';
import { FitClient } from '../../src/host/fit-client';
import { memoryLogger } from '../../src/host/logger';
import { compareProfiles } from '../../src/host/profile-compare';
import { Workbench } from '../../src/host/workbench';
import { PanelController } from '../../src/panel/panel-controller';
import { parseHostMessage, parsePageMessage } from '../../src/shared/protocol';
import { scratchDir } from '../helpers/scratch';
import type { ModelHost } from '../../src/host/model-host/api';
import type { HostMessage } from '../../src/shared/protocol';

type Site = { id: string; neurons: number };
const SMALL: Site[] = [
  { id: 'transformer.h.0.mlp.c_fc', neurons: 70 },
  { id: 'transformer.h.1.mlp.c_fc', neurons: 50 },
];

function writeProfile(name: string, aurocs: number[][], sites: Site[], fingerprint = 'sha256:model'): string {
  const dir = scratchDir(name);
  mkdirSync(join(dir, 'auroc'), { recursive: true });
  const manifest = { format: PROFILE_FORMAT, version: PROFILE_VERSION, model: { name: 'synthetic', fingerprint }, data: { source: `${name}.jsonl`, positives: 10, negatives: 10, hash: 'sha256:0' }, seqLen: 16, batchSize: 4, sites, examples: 20, batches: 5, pooling: 'max' };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  sites.forEach((s, i) => writeFileSync(aurocPath(dir, s.id, 'max'), new Uint8Array(Float64Array.from(aurocs[i]!).buffer)));
  return dir;
}

function aurocs(sites: Site[], seed: number, grid?: number): number[][] {
  const rng = mulberry32(seed);
  return sites.map((s) => Array.from({ length: s.neurons }, () => (grid ? Math.round(rng() * grid) / grid : rng())));
}

/** The reference: sets from the flat AUROCs, no code of the product's. */
function reference(a: number[], b: number[], k: number) {
  const experts = (x: number[]) => new Set(x.flatMap((v, i) => (v > 0.5 ? [i] : [])));
  const top = (x: number[]) => new Set(x.map((v, i) => [v, i] as const).sort((p, q) => q[0] - p[0] || p[1] - q[1]).slice(0, k).map(([, i]) => i));
  const overlap = (A: Set<number>, B: Set<number>) => {
    const both = [...A].filter((i) => B.has(i)).length;
    const union = new Set([...A, ...B]).size;
    return { a: A.size, b: B.size, both, jaccard: union ? both / union : null };
  };
  return { experts: overlap(experts(a), experts(b)), topK: { k, ...overlap(top(a), top(b)) }, topA: top(a), topB: top(b) };
}

test('small profiles: every neuron is a point, counts and Jaccard match Sets, top flags match the top k', () => {
  const A = aurocs(SMALL, 1, 20);
  const B = aurocs(SMALL, 2, 20);
  const dirA = writeProfile('toxic', A, SMALL);
  const dirB = writeProfile('sad', B, SMALL);
  const c = compareProfiles(dirA, dirB, { k: 10 });
  const a = A.flat();
  const b = B.flat();
  const ref = reference(a, b, 10);
  assert.equal(c.neurons, 120);
  assert.deepEqual(c.experts, ref.experts);
  assert.deepEqual(c.topK, ref.topK);
  assert.ok(ref.topK.both < 10 && ref.experts.both > 0, 'the data exercise partial overlap');
  assert.deepEqual([...c.x], a);
  assert.deepEqual([...c.y], b);
  assert.deepEqual([...c.top], a.map((_, i) => (ref.topA.has(i) ? 1 : 0) | (ref.topB.has(i) ? 2 : 0)));
  assert.match(c.a, /^[^/]*toxic.*\(toxic\.jsonl\)$/);
  assert.match(c.b, /\(sad\.jsonl\)$/);
  assert.ok(parseHostMessage({ type: 'didCompare', comparison: c }), 'the message passes the page\'s check');
});

test('a large profile: at most 5,000 points, all top experts of both sides, a seeded sample of distinct neurons', () => {
  const sites: Site[] = [0, 1, 2].map((l) => ({ id: `transformer.h.${l}.mlp.c_fc`, neurons: 20_000 }));
  const A = aurocs(sites, 3);
  const B = aurocs(sites, 4);
  const dirA = writeProfile('a', A, sites);
  const dirB = writeProfile('b', B, sites);
  const a = A.flat();
  const b = B.flat();
  const ref = reference(a, b, 100);
  const c = compareProfiles(dirA, dirB);
  assert.deepEqual(c.experts, ref.experts);
  assert.deepEqual(c.topK, ref.topK);
  assert.equal(c.x.length, 5000);
  // Continuous random AUROCs: each (A, B) pair names one neuron.
  const byPair = new Map(a.map((v, i) => [`${v},${b[i]}`, i]));
  const idx = [...c.x].map((x, r) => byPair.get(`${x},${c.y[r]}`));
  assert.ok(idx.every((i) => i !== undefined), 'every point is a neuron\'s (A, B) AUROC pair');
  assert.equal(new Set(idx).size, idx.length, 'no neuron drawn twice');
  const union = new Set([...ref.topA, ...ref.topB]);
  const drawnTop = idx.filter((_, r) => c.top[r] !== 0);
  assert.deepEqual(new Set(drawnTop), union, 'the top k of A and of B are all drawn, and flagged');
  idx.forEach((i, r) => assert.equal(c.top[r], (ref.topA.has(i!) ? 1 : 0) | (ref.topB.has(i!) ? 2 : 0)));
  assert.deepEqual(c.sample, { random: 5000 - union.size, seed: 1, top: union.size });
  const again = compareProfiles(dirA, dirB);
  assert.deepEqual([...again.x], [...c.x], 'same seed, same sample');
  const other = compareProfiles(dirA, dirB, { seed: 2 });
  assert.notDeepEqual([...other.x], [...c.x], 'another seed, another sample');
  assert.ok(parseHostMessage({ type: 'didCompare', comparison: c }));
});

function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(isUserError(e), `a user error, got ${String(e)}`);
    assert.ok(!(e as Error).message.includes('\n'), 'one line');
    return (e as Error).message;
  }
  assert.fail('expected a refusal');
}

test('a profile of another model or of other sites is refused in one line naming it', () => {
  const dirA = writeProfile('a', aurocs(SMALL, 1), SMALL);
  const otherModel = writeProfile('m', aurocs(SMALL, 1), SMALL, 'sha256:other');
  assert.match(refusal(() => compareProfiles(dirA, otherModel)), new RegExp(`^${otherModel}: profiles a different model`));
  const fewer = [SMALL[0]!];
  const otherSites = writeProfile('s', aurocs(fewer, 1), fewer);
  assert.match(refusal(() => compareProfiles(dirA, otherSites)), new RegExp(`^${otherSites}: profiles other sites`));
});

test('the panel asks for a comparison, gets it (or the refusal) validated, again on ready, and loses it with its profile', () => {
  const log = memoryLogger();
  const config = readConfig(objectSource({}), true);
  const wb = new Workbench({ host: { dispose: async () => undefined } as unknown as ModelHost, log, cacheRoot: '/nonexistent', config: () => config, demo: () => ({ root: '', model: '', concept: '', prompts: '', neutral: '' }) });
  const posted: HostMessage[] = [];
  let asked = 0;
  const noop = () => undefined;
  const c = new PanelController(wb, (m) => posted.push(m), { useDemoModel: noop, openModelFolder: noop, profile: noop, importIntervention: noop, evaluate: noop, exportIntervention: noop, compareProfile: () => void asked++ }, log);
  assert.deepEqual(parsePageMessage({ type: 'compareProfile', extra: 1 }), { type: 'compareProfile' });
  c.receive({ type: 'compareProfile' });
  assert.equal(asked, 1);
  const refused = { refused: 'b: profiles a different model', b: '/p/b' };
  c.showComparison('/p/a', refused);
  assert.deepEqual(posted.at(-1), { type: 'didCompare', comparison: refused });
  assert.ok(parseHostMessage(posted.at(-1)));
  posted.length = 0;
  c.receive({ type: 'ready' });
  assert.deepEqual(posted.filter((m) => m.type === 'didCompare'), [{ type: 'didCompare', comparison: refused }]);
  // No profile is open in this workbench, so the next experts change drops the comparison with it.
  (wb as unknown as { expertsChanged: { fire(x: unknown): void } }).expertsChanged.fire(undefined);
  assert.deepEqual(posted.at(-1), { type: 'didCompare', comparison: null });
  c.dispose();
});

test('the fit worker thread compares (the extension host only waits) and sends refusals back as user errors', async () => {
  const sites: Site[] = [0, 1].map((l) => ({ id: `transformer.h.${l}.mlp.c_fc`, neurons: 8_000 }));
  const dirA = writeProfile('wa', aurocs(sites, 5), sites);
  const dirB = writeProfile('wb', aurocs(sites, 6), sites);
  const client = new FitClient();
  assert.ok(client.hasWorker, 'the worker entry is found under tsx');
  try {
    const viaWorker = await client.compare(dirA, dirB);
    const here = compareProfiles(dirA, dirB);
    assert.deepEqual({ ...viaWorker, x: [...viaWorker.x], y: [...viaWorker.y], top: [...viaWorker.top] }, { ...here, x: [...here.x], y: [...here.y], top: [...here.top] });
    assert.ok(viaWorker.x instanceof Float64Array && viaWorker.top instanceof Uint32Array, 'typed arrays cross as typed arrays');
    const other = writeProfile('wm', aurocs(sites, 5), sites, 'sha256:other');
    await assert.rejects(client.compare(dirA, other), (e: Error) => isUserError(e) && e.message.startsWith(`${other}: profiles a different model`));
  } finally {
    client.dispose();
  }
});

test('topKIndices (a heap up to k = 4,096, a sort above) picks what a full sort with the index as tie-break picks', () => {
  const rng = mulberry32(9);
  const all = Float64Array.from({ length: 10_000 }, () => Math.round(rng() * 50) / 50);
  for (const k of [1, 7, 100, 4096, 4097, 9_999]) {
    const ref = [...all].map((v, i) => [v, i] as const).sort((p, q) => q[0] - p[0] || p[1] - q[1]).slice(0, k).map(([, i]) => i).sort((p, q) => p - q);
    assert.deepEqual([...topKIndices(all, k)], ref, `k = ${k}`);
  }
});
