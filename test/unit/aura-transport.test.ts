// Linear-AcT and Mean-AcT against a NumPy re-implementation of apple/ml-act's maths
// (test/fixtures/aura/make_stats_golden.py), and their file form (version 2, lo/hi).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { effectiveGains, interventionFromFit, parseIntervention, serializeIntervention } from '../../src/aura/intervention-file';
import { fitTransportSite, transportFit } from '../../src/aura/transport';
import type { TransportMethod } from '../../src/aura/transport';

const golden = JSON.parse(readFileSync(join(__dirname, '../fixtures/aura/stats-golden.json'), 'utf8'));
const t = golden.transport;
const pos = Float32Array.from(t.pos as number[]);
const neg = Float32Array.from(t.neg as number[]);

function closeF32(got: Float32Array, want: number[], tol: number, what: string): void {
  for (let i = 0; i < want.length; i++) {
    assert.ok(Math.abs(got[i]! - want[i]!) <= tol * Math.max(1, Math.abs(want[i]!)), `${what}[${i}]: got ${got[i]}, want ${want[i]}`);
  }
}

for (const method of ['linear-act', 'mean-act'] as TransportMethod[]) {
  describe(`${method} vs the NumPy reference`, () => {
    const fit = fitTransportSite(method, pos, neg, t.neurons);
    const want = t[method];
    it('fits gain and bias per neuron', () => {
      closeF32(fit.gain, want.gain, 1e-6, 'gain');
      closeF32(fit.bias, want.bias, 1e-6, 'bias');
    });
    it('stores the source range as lo and hi', () => {
      assert.deepEqual(Array.from(fit.lo), want.lo.map(Math.fround));
      assert.deepEqual(Array.from(fit.hi), want.hi.map(Math.fround));
    });
    it('leaves a neuron with a constant source as it is', () => {
      assert.equal(fit.changed[4], 0);
    });
    it('writes a version 2 file that reads back, and applies the strength as x + s*((g*x + b) - x)', () => {
      const r = transportFit(method, [{ siteId: 'transformer.h.0.mlp.c_fc', fit }], 0.5);
      const file = interventionFromFit(r, { model: { name: 'm' }, pooling: 'mean', data: { positives: t.positives, negatives: t.negatives, source: 'x' } });
      assert.equal(file.version, 2);
      const back = parseIntervention(JSON.parse([...serializeIntervention(file)].join('')));
      assert.deepEqual(back.sites['transformer.h.0.mlp.c_fc'], file.sites['transformer.h.0.mlp.c_fc']);
      const e = effectiveGains(back).get('transformer.h.0.mlp.c_fc')!;
      for (let k = 0; k < t.neurons; k++) {
        const x = (want.lo[k] + want.hi[k]) / 2;
        const expected = x + 0.5 * (want.gain[k] * x + want.bias[k] - x);
        const got = e.gain[k]! * x + e.bias![k]!;
        assert.ok(Math.abs(got - expected) < 1e-5, `neuron ${k}: ${got} vs ${expected}`);
      }
    });
  });
}

describe('transport selection', () => {
  it('keeps the map only on the selected neurons', () => {
    const fit = fitTransportSite('linear-act', pos, neg, t.neurons);
    const keep = new Map([['s', Uint8Array.from([1, 0, 1, 0, 1, 0])]]);
    const r = transportFit('linear-act', [{ siteId: 's', fit }], 1, keep);
    assert.equal(r.experts, 2); // neuron 4 is the identity anyway
    assert.equal(r.sites[0]!.gain[1], 1);
    assert.equal(r.sites[0]!.bias![1], 0);
  });
});
