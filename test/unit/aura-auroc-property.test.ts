// Property tests of the sort-based AUROC against the definition counted pair by pair (O(P·Q) per
// neuron): random shapes that cross the gather's blocks and tiles, values drawn to tie often, -0 next
// to +0, ±Infinity, subnormals and the largest floats, and NaN anywhere (rejected, naming the neuron).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { aurocPerNeuron, aurocRange } from '../../src/aura/auroc';
import { AuraUserError } from '../../src/aura/errors';
import { columnScratch, sortColumn, tieTerm, twiceU } from '../../src/aura/stats/column';

/** The definition: each pair with p > q counts 2, each tie 1, over 2·P·Q. */
function pairwise(pos: ArrayLike<number>, neg: ArrayLike<number>, n: number): number[] {
  const P = pos.length / n;
  const Q = neg.length / n;
  const out: number[] = [];
  for (let j = 0; j < n; j++) {
    let twice = 0;
    for (let a = 0; a < P; a++) {
      const p = pos[a * n + j]!;
      for (let b = 0; b < Q; b++) {
        const q = neg[b * n + j]!;
        twice += p > q ? 2 : p === q ? 1 : 0;
      }
    }
    out.push(twice / (2 * P * Q));
  }
  return out;
}

const MAX_F32 = 3.4028234663852886e38;
const MIN_SUBNORMAL_F32 = 1.401298464324817e-45;
/** Few distinct values (many ties), the special ones, and any float32. */
const value = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: -3, max: 3 }).map((v) => v / 2) },
  { weight: 2, arbitrary: fc.constantFrom(0, -0, Infinity, -Infinity, MAX_F32, -MAX_F32, MIN_SUBNORMAL_F32, -MIN_SUBNORMAL_F32, 1e-40, -1e-40) },
  { weight: 3, arbitrary: fc.float({ noNaN: true }) },
);

/** P, Q and n with a P×n and a Q×n matrix; n up to 70 crosses the 32-neuron gather block, P, Q the 16-row tile. */
const problem = fc
  .record({ P: fc.integer({ min: 1, max: 37 }), Q: fc.integer({ min: 1, max: 37 }), n: fc.integer({ min: 1, max: 70 }) })
  .chain(({ P, Q, n }) =>
    fc.record({
      n: fc.constant(n),
      pos: fc.array(value, { minLength: P * n, maxLength: P * n }),
      neg: fc.array(value, { minLength: Q * n, maxLength: Q * n }),
    }),
  );

describe('AUROC properties (fast-check)', () => {
  it('float32 and float64 inputs equal the pairwise count, bit for bit', () => {
    fc.assert(
      fc.property(problem, ({ n, pos, neg }) => {
        const p32 = Float32Array.from(pos);
        const n32 = Float32Array.from(neg);
        const want = pairwise(p32, n32, n);
        assert.deepEqual(Array.from(aurocPerNeuron(p32, n32, n)), want);
        assert.deepEqual(Array.from(aurocPerNeuron(Float64Array.from(p32), Float64Array.from(n32), n)), want);
      }),
      { numRuns: 400 },
    );
  });

  it('a range of neurons equals the same neurons of the whole, and leaves the rest untouched', () => {
    fc.assert(
      fc.property(problem, fc.nat(), fc.nat(), ({ n, pos, neg }, a, b) => {
        const p32 = Float32Array.from(pos);
        const n32 = Float32Array.from(neg);
        const start = a % n;
        const end = start + 1 + (b % (n - start));
        const out = new Float64Array(n).fill(-1);
        aurocRange(p32, n32, n, start, end, out);
        const whole = pairwise(p32, n32, n);
        for (let k = 0; k < n; k++) assert.equal(out[k], k >= start && k < end ? whole[k] : -1, `neuron ${k}`);
      }),
      { numRuns: 200 },
    );
  });

  it('-0 and +0 are one value: flipping the sign of every zero changes nothing', () => {
    fc.assert(
      fc.property(problem, ({ n, pos, neg }) => {
        const p32 = Float32Array.from(pos);
        const n32 = Float32Array.from(neg);
        const flip = (m: Float32Array): Float32Array => m.map((v) => (v === 0 ? (Object.is(v, -0) ? 0 : -0) : v));
        assert.deepEqual(Array.from(aurocPerNeuron(flip(p32), n32, n)), Array.from(aurocPerNeuron(p32, flip(n32), n)));
        assert.deepEqual(Array.from(aurocPerNeuron(flip(p32), flip(n32), n)), pairwise(p32, n32, n));
      }),
      { numRuns: 200 },
    );
  });

  it('rejects a NaN of any sign and payload, naming the first neuron that has one and its class', () => {
    // Payloads 1 and 0x7fffff are the NaNs next to ±Infinity and farthest from it.
    const nanBits = fc.record({ negative: fc.boolean(), payload: fc.oneof(fc.constantFrom(1, 0x400000, 0x7fffff), fc.integer({ min: 1, max: 0x7fffff })) }).map(({ negative, payload }) => (negative ? 0xff800000 : 0x7f800000) | payload);
    fc.assert(
      fc.property(problem, fc.array(fc.record({ inPos: fc.boolean(), at: fc.nat(), bits: nanBits }), { minLength: 1, maxLength: 3 }), ({ n, pos, neg }, nans) => {
        const p32 = Float32Array.from(pos);
        const n32 = Float32Array.from(neg);
        // Written as bits: a NaN read into a JS number may lose its payload.
        for (const { inPos, at, bits } of nans) {
          const m = new Int32Array((inPos ? p32 : n32).buffer);
          m[at % m.length] = bits | 0;
        }
        let neuron = n;
        let which = '';
        for (let k = 0; k < n && neuron === n; k++) {
          for (const [m, w] of [[p32, 'toxic'], [n32, 'non-toxic']] as const) {
            for (let r = k; r < m.length; r += n) if (Number.isNaN(m[r]) && neuron === n) [neuron, which] = [k, w];
          }
        }
        for (const [p, q] of [[p32, n32], [Float64Array.from(p32), Float64Array.from(n32)]] as const) {
          assert.throws(
            () => aurocPerNeuron(p, q, n),
            (e: Error) => e instanceof AuraUserError && e.message.includes(`neuron ${neuron} `) && e.message.includes(`some ${which} examples`),
          );
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('sorted column of the statistics (fast-check)', () => {
  it('is a stable sort by float32 value with -0 = +0, its tie groups, 2U and tie term equal the definitions', () => {
    fc.assert(
      fc.property(problem, fc.boolean(), ({ n, pos, neg }, asFloat64) => {
        const P = pos.length / n;
        const Q = neg.length / n;
        // float64 input is ordered as its float32 rounding.
        const p = asFloat64 ? Float64Array.from(pos) : Float32Array.from(pos);
        const q = asFloat64 ? Float64Array.from(neg) : Float32Array.from(neg);
        const scratch = columnScratch(P, Q); // reused across neurons, as the statistics do
        const want = pairwise(Float32Array.from(p), Float32Array.from(q), n);
        for (let k = 0; k < n; k++) {
          const v = (e: number): number => Math.fround(e < P ? p[e * n + k]! : q[(e - P) * n + k]!) + 0; // + 0 turns -0 into 0
          const ref = Array.from({ length: P + Q }, (_, e) => e).sort((a, b) => v(a) - v(b) || (v(a) === v(b) ? a - b : v(a) < v(b) ? -1 : 1));
          const col = sortColumn(p, q, n, k, scratch);
          assert.deepEqual(Array.from(col.order), ref, `neuron ${k} order`);
          const ends = ref.map((e, i) => (i === ref.length - 1 || v(e) !== v(ref[i + 1]!) ? 1 : 0));
          assert.deepEqual(Array.from(col.groupEnd), ends, `neuron ${k} groups`);
          assert.equal(twiceU(col) / (2 * P * Q), want[k], `neuron ${k} 2U`);
          const counts = new Map<number, number>();
          for (const e of ref) counts.set(v(e), (counts.get(v(e)) ?? 0) + 1);
          assert.equal(tieTerm(col), [...counts.values()].reduce((s, t) => s + t * t * t - t, 0), `neuron ${k} ties`);
        }
      }),
      { numRuns: 200 },
    );
  });
});
