// Property-based fuzzing of every host <-> page message (fast-check, 10,000 generated inputs per
// property): any value either parses or is rejected with `undefined`; nothing throws, and whatever
// parses satisfies the protocol again. Messages built to the protocol's rules (written out here by
// hand, independently of the schemas) always parse, with only their known fields; single-field
// violations of those rules are always rejected.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { objectSource, readConfig } from '../../src/host/config';
import { memoryLogger } from '../../src/host/logger';
import { Workbench } from '../../src/host/workbench';
import { PanelController } from '../../src/panel/panel-controller';
import { parseHostMessage, parsePageMessage } from '../../src/shared/protocol';
import type { ModelHost } from '../../src/host/model-host/api';
import { anything, comparison, experts, packedExperts, mutate, nat, num, params, rec, settings, str, validHost, validPage } from '../helpers/protocol-arbitraries';

for (const [name, parse, valid] of [
  ['page -> host', parsePageMessage, validPage],
  ['host -> page', parseHostMessage, validHost],
] as const) {
  test(`${name}: every message built to the protocol parses, unknown fields dropped`, () => {
    fc.assert(
      fc.property(valid, str, (m, extra) => {
        const parsed = parse({ ...m, [`x_${extra}`]: 1 }) as unknown;
        assert.deepEqual(parsed, m);
      }),
      params,
    );
  });

  test(`${name}: any value parses or is rejected with undefined, and what parses parses again`, () => {
    fc.assert(
      fc.property(fc.oneof(anything, mutate(valid as fc.Arbitrary<unknown>)), (x) => {
        const parsed = parse(x) as unknown;
        if (parsed === undefined) return;
        assert.equal(typeof parsed, 'object');
        assert.deepEqual(parse(parsed), parsed);
      }),
      params,
    );
  });
}

test('single-field violations are rejected (page -> host)', () => {
  const bad = fc.oneof(
    settings.chain((s) => fc.constantFrom({ ...s, strength: 1.5 }, { ...s, strength: -0.1 }, { ...s, strength: NaN }, { ...s, k: 0 }, { ...s, k: 2.5 }, { ...s, alpha: Infinity }, { ...s, method: 'evil' })).map((s) => ({ type: 'setIntervention', settings: s })),
    rec({ type: fc.constant('setOverride'), site: str, neuron: nat, gain: fc.oneof(fc.double({ min: 2.0000001, max: 1e9, noNaN: true }), fc.double({ max: -1e-9, min: -1e9, noNaN: true }), fc.constant(NaN)) }),
    rec({ type: fc.constant('selectNeuron'), site: str, neuron: fc.oneof(fc.integer({ max: -1 }), fc.double({ min: 0.1, max: 0.9 }), fc.constant('3')) }),
    rec({ type: fc.constant('runPreview'), prompt: fc.constant('x'.repeat(20_001)) }),
    rec({ type: fc.constant('export'), format: str.filter((f) => !['json', 'safetensors', 'onnx'].includes(f)) }),
    rec({ type: fc.constant('combineWithComparison'), rule: fc.oneof(str.filter((r) => r !== 'product' && r !== 'min'), fc.constant(undefined)) }),
    rec({ type: str.filter((t) => !['ready', 'cancelPreview', 'profile', 'useDemoModel', 'openModelFolder', 'importIntervention', 'evaluate', 'setIntervention', 'setOverride', 'selectNeuron', 'runPreview', 'export'].includes(t)) }),
  );
  fc.assert(fc.property(bad, (m) => assert.equal(parsePageMessage(m), undefined)), params);
});

test('single-field violations are rejected (host -> page)', () => {
  const bad = fc.oneof(
    experts.filter((e) => e.site.length > 0).map((e) => ({ type: 'didChangeExperts', experts: { ...e, auroc: e.auroc.slice(1) } })),
    experts.filter((e) => e.site.length > 0).map((e) => ({ type: 'didChangeExperts', experts: { ...e, auroc: [NaN, ...e.auroc.slice(1)] } })),
    packedExperts.filter((e) => e.rows > 0).map((e) => ({ type: 'didChangeExpertsPacked', experts: { ...e, auroc: e.auroc.slice(1) } })),
    packedExperts.filter((e) => e.rows > 0).map((e) => ({ type: 'didChangeExpertsPacked', experts: { ...e, auroc: Float64Array.from(e.auroc) } })),
    packedExperts.filter((e) => e.rows > 0).map((e) => ({ type: 'didChangeExpertsPacked', experts: { ...e, ref: Uint8Array.from([...e.ref.slice(0, -3), 0xff, 0xff, 0xff]) } })),
    packedExperts.filter((e) => e.rows > 0).map((e) => ({ type: 'didChangeExpertsPacked', experts: { ...e, ref: e.ref.slice(1) } })),
    rec({ type: fc.constant('didChangeProgress'), progress: rec({ task: fc.option(str, { nil: null }), done: fc.constantFrom(NaN, Infinity, '1'), total: num }) }),
    rec({ type: fc.constant('didUpdatePreview'), preview: rec({ runId: fc.integer({ max: -1 }), prompt: str, original: str, intervened: str, done: fc.boolean() }) }),
    rec({ type: fc.constant('didAppendPreview'), append: rec({ runId: nat, seq: fc.constantFrom(0, -1, 1.5, NaN), side: fc.constantFrom('original', 'intervened'), text: str }) }),
    rec({ type: fc.constant('didAppendPreview'), append: rec({ runId: nat, seq: fc.constant(1), side: str.filter((x) => x !== 'original' && x !== 'intervened'), text: str }) }),
    rec({ type: fc.constant('didError'), message: fc.oneof(fc.integer(), fc.constant(null)) }),
    comparison.map((c) => ({ type: 'didCompare', comparison: { ...c, y: Float64Array.from([...c.y, 0.5]) } })),
    comparison.map((c) => ({ type: 'didCompare', comparison: { ...c, experts: { ...c.experts, jaccard: 1.5 } } })),
    comparison.filter((c) => c.x.length > 0).map((c) => ({ type: 'didCompare', comparison: { ...c, x: Float64Array.from([NaN, ...c.x.slice(1)]) } })),
  );
  fc.assert(fc.property(bad, (m) => assert.equal(parseHostMessage(m), undefined)), params);
});

test('the host panel controller takes any value from the page: handled or dropped and logged, never thrown', () => {
  const log = memoryLogger();
  const host = { dispose: async () => undefined } as unknown as ModelHost;
  const config = readConfig(objectSource({}), true);
  const wb = new Workbench({ host, log, cacheRoot: '/nonexistent', config: () => config, demo: () => ({ root: '', model: '', concept: '', prompts: '', neutral: '' }) });
  const noop = () => undefined;
  const actions = { useDemoModel: noop, openModelFolder: noop, profile: noop, importIntervention: noop, evaluate: noop, exportIntervention: noop };
  const controller = new PanelController(wb, () => undefined, actions, log);
  try {
    fc.assert(fc.property(fc.oneof(anything, validPage, mutate(validPage as fc.Arbitrary<unknown>)), (x) => void controller.receive(x)), params);
  } finally {
    controller.dispose();
  }
});
