// The experts cross to the page packed (issue 24 item 5): at most 12 bytes a neuron on the wire for a
// 100k-neuron profile with every statistics column, measured as VS Code serialises a webview message
// (JSON, with each typed array's whole underlying ArrayBuffer sent beside it once); what the page
// unpacks matches the host's columns (ids exactly, values to 2^-17, on the same side of 0.5); and the
// panel sends a ranking once per profile, not again to a page that holds it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Emitter } from '../../src/host/events';
import { memoryLogger } from '../../src/host/logger';
import { expertsFromWire, expertsToWire } from '../../src/host/model-host/experts-wire';
import { PanelController } from '../../src/panel/panel-controller';
import { fromUnit16, packExperts, toUnit16, unpackExperts } from '../../src/shared/experts-packed';
import { parseHostMessage } from '../../src/shared/protocol';
import type { Workbench } from '../../src/host/workbench';
import type { ExpertsSnapshot, HostMessage, SiteInfo } from '../../src/shared/protocol';

/**
 * Bytes of a message as VS Code's extension host sends it to a webview (serializeWebviewMessage):
 * the JSON text with typed arrays replaced by small references, plus every distinct ArrayBuffer they
 * view, whole (so a column that is a view into a larger buffer costs the larger buffer).
 */
function wireBytes(message: unknown): number {
  const buffers = new Set<ArrayBufferLike>();
  const json = JSON.stringify(message, (_k, value: unknown) => {
    if (ArrayBuffer.isView(value)) {
      buffers.add(value.buffer);
      return { $$vscode_array_buffer_reference$$: true, index: buffers.size - 1, view: { byteLength: value.byteLength, byteOffset: value.byteOffset } };
    }
    return value;
  });
  let bytes = Buffer.byteLength(json);
  for (const b of buffers) bytes += b.byteLength;
  return bytes;
}

/** A seeded profile of `n` neurons over 32 layers with intervals, held-out AUROCs, q-values, badges and a null sample. */
function fakeProfile(n: number): ExpertsSnapshot {
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const layers = 32;
  const per = n / layers;
  const sites: SiteInfo[] = Array.from({ length: layers }, (_, l) => ({ id: `model.layers.${l}.mlp.act`, layer: l, kind: 'mlp.in', neurons: per }));
  // Ranked by AUROC descending, as the host ranks them.
  const values = Array.from({ length: n }, (_, g) => ({ g, a: Math.round(rand() * 2048) / 2048 })).sort((x, y) => y.a - x.a || x.g - y.g);
  const site = Uint32Array.from(values, (v) => Math.floor(v.g / per));
  const neuron = Uint32Array.from(values, (v) => v.g % per);
  const auroc = Float64Array.from(values, (v) => v.a);
  const ciLow = auroc.map((a) => Math.max(0, a - 0.05 - rand() * 0.05));
  const ciHigh = auroc.map((a) => Math.min(1, a + 0.05 + rand() * 0.05));
  return {
    key: 'profile-1',
    source: '/profiles/toxicity',
    positives: 32,
    negatives: 32,
    pooling: 'max',
    sites,
    site,
    neuron,
    auroc,
    perLayer: sites.map((s) => ({ layer: s.layer, experts: 0, neurons: s.neurons })),
    stats: {
      level: 0.95,
      ciLow,
      ciHigh,
      heldOut: auroc.map(() => rand()),
      heldOutFraction: 0.25,
      qValue: auroc.map(() => rand()),
      qBound: 0.05,
      significant: 10,
      nullAuroc: Float64Array.from({ length: 100_000 }, (_, i) => (Math.floor(i / 1000) + 0.5) / 100),
      stableBadge: Uint32Array.from(auroc, (_, i) => (i < 100 ? 1 + (i % 2) : 0)),
    },
  };
}

test('the experts message of a 100k-neuron profile is at most 12 bytes a neuron on the wire', () => {
  const n = 100_000;
  const e = fakeProfile(n);
  const message: HostMessage = { type: 'didChangeExpertsPacked', experts: packExperts(e) };
  const packed = wireBytes(message);
  const unpacked = wireBytes({ type: 'didChangeExperts', experts: e });
  console.log(`# experts message, ${n} neurons: packed ${packed} bytes (${(packed / n).toFixed(2)} B/neuron), unpacked ${unpacked} bytes (${(unpacked / n).toFixed(2)} B/neuron)`);
  assert.ok(packed / n <= 12, `${(packed / n).toFixed(2)} bytes a neuron`);
  // The message passes the page's check (structured clone, as postMessage delivers it).
  assert.ok(parseHostMessage(structuredClone(message)), 'the packed message passes the protocol');
});

test('the page unpacks what the host ranked: ids exactly, values to 2^-17 and on the same side of 0.5', () => {
  const e = fakeProfile(3_200);
  const u = unpackExperts(structuredClone(packExperts(e)));
  assert.deepEqual(u.site, e.site);
  assert.deepEqual(u.neuron, e.neuron);
  assert.deepEqual(u.stats?.stableBadge, e.stats!.stableBadge);
  for (const col of ['ciLow', 'ciHigh', 'heldOut'] as const) {
    const a = e.stats![col]!;
    const b = u.stats![col]!;
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= 2 ** -17 + 1e-12, `${col}[${i}]: ${a[i]} -> ${b[i]}`);
  }
  // AUROCs of 32 x 32 texts are multiples of 1/2048: exact after the trip.
  assert.deepEqual(u.auroc, e.auroc);
  assert.equal(u.stats?.qValue, undefined, 'q-values stay on the host (the detail carries a neuron\'s own)');
  assert.ok(u.stats!.nullAuroc!.length <= 4096);
});

test('hand-made rows: sites and neurons from the refs, 0.5 kept as the boundary, 1 exact', () => {
  const sites: SiteInfo[] = [
    { id: 'a', layer: 0, kind: 'mlp.in', neurons: 3 },
    { id: 'b', layer: 1, kind: 'mlp.in', neurons: 2 },
  ];
  const e: ExpertsSnapshot = {
    source: 's',
    positives: 1,
    negatives: 1,
    pooling: 'max',
    sites,
    site: Uint32Array.from([1, 0, 0, 1]),
    neuron: Uint32Array.from([1, 2, 0, 0]),
    auroc: Float64Array.from([1, 0.5 + 2 ** -20, 0.5, 0.5 - 2 ** -20]),
    perLayer: [
      { layer: 0, experts: 1, neurons: 3 },
      { layer: 1, experts: 1, neurons: 2 },
    ],
    stats: { qValue: Float64Array.from([0.01, 0.01, 0.01, 0.5]), qBound: 0.05 },
  };
  const p = packExperts(e);
  // Global indices: b:1 is 3 + 1 = 4, a:2 is 2, a:0 is 0, b:0 is 3; each shifted left by two (no badge).
  assert.deepEqual([...p.ref], [16, 0, 0, 8, 0, 0, 0, 0, 0, 12, 0, 0]);
  const u = unpackExperts(p);
  assert.deepEqual([...u.site], [1, 0, 0, 1]);
  assert.deepEqual([...u.neuron], [1, 2, 0, 0]);
  assert.equal(u.auroc[0], 1);
  assert.ok(u.auroc[1]! > 0.5, 'just above 0.5 stays an expert');
  assert.equal(u.auroc[2], 0.5);
  assert.ok(u.auroc[3]! < 0.5);
  // Significant (q <= 0.05 and AUROC > 0.5): rows 0 (layer 1) and 1 (layer 0); row 2 is at 0.5, row 3 has q 0.5.
  assert.deepEqual(u.perLayer.map((l) => [l.layer, l.significant]), [
    [0, 1],
    [1, 1],
  ]);
  assert.equal(toUnit16(0.25), 16384);
  assert.equal(fromUnit16(16384), 0.25);
});

test('the panel sends a ranking once per profile, and not again to a page that holds it', () => {
  const experts = new Emitter<ExpertsSnapshot | undefined>();
  const stub = {
    experts: undefined as ExpertsSnapshot | undefined,
    onDidChangeModel: new Emitter<void>().event,
    onDidChangeExperts: experts.event,
    onDidChangeProgress: new Emitter<void>().event,
    intervention: { onDidChange: new Emitter<void>().event, snapshot: () => ({ method: 'aura', strength: 1, k: null, alpha: null, overrides: [], affected: 0 }) },
    preview: { onDidUpdate: new Emitter<void>().event, snapshot: undefined },
    summary: () => null,
    progress: { task: null, done: 0, total: 0 },
  };
  const posted: HostMessage[] = [];
  const noop = () => undefined;
  const c = new PanelController(stub as unknown as Workbench, (m) => posted.push(m), { useDemoModel: noop, openModelFolder: noop, profile: noop, importIntervention: noop, evaluate: noop, exportIntervention: noop }, memoryLogger());
  const sent = () => posted.filter((m) => m.type === 'didChangeExperts' || m.type === 'didChangeExpertsPacked');
  const one = fakeProfile(320);
  stub.experts = one;
  experts.fire(one);
  assert.equal(sent().length, 1);
  assert.equal(sent()[0]!.type, 'didChangeExpertsPacked');
  // The same ranking announced again (the profile reopened): nothing crosses.
  experts.fire(one);
  assert.equal(sent().length, 1);
  // A page that reopens holding this ranking: everything else is sent, the experts are not.
  c.receive({ type: 'ready', experts: 'profile-1' });
  assert.equal(sent().length, 1);
  assert.ok(posted.some((m) => m.type === 'didChangeIntervention'), 'the rest of the snapshots were sent');
  // A fresh page (nothing held) gets it once.
  c.receive({ type: 'ready' });
  assert.equal(sent().length, 2);
  // A new profile is sent.
  const two = { ...fakeProfile(320), key: 'profile-2' };
  stub.experts = two;
  experts.fire(two);
  assert.equal(sent().length, 3);
  // The same profile opened again arrives from the model process anew: its key names its content, so it is not sent.
  const again = expertsFromWire(expertsToWire(fakeProfile(320)));
  const reopened = expertsFromWire(expertsToWire(fakeProfile(320)));
  assert.equal(reopened.key, again.key);
  experts.fire(again);
  assert.equal(sent().length, 4);
  experts.fire(reopened);
  assert.equal(sent().length, 4, 'the reopened profile was not sent again');
  // One AUROC changed is another ranking.
  const changed = fakeProfile(320);
  changed.auroc[5] = changed.auroc[5]! - 2 ** -11;
  assert.notEqual(expertsFromWire(expertsToWire(changed)).key, again.key);
  c.dispose();
});
