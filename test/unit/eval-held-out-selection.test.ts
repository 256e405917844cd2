// The panel's held-out column (issue 20, item 1): the experts whose held-out AUROC is summarised must
// be chosen without the held-out texts. The data are built so that choosing on every example picks
// "leaky" neurons that separate the classes only on the held-out texts (held-out AUROC 1); the
// reference is computed here from the pairwise definition of AUROC (P(pos > neg) + P(tie) / 2, as
// scikit-learn's roc_auc_score), never from the code under test.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { profileStatistics } from '../../src/aura/stats/significance';
import { mulberry32 } from '../../src/aura/random';
import { heldOutSplit } from '../../src/aura/stats/split';
import { PANEL_STATS } from '../../src/host/model-host/panel-stats';
import { writeOneSiteProfile } from '../helpers/profile-folder';
import { scratchDir } from '../helpers/scratch';

const P = 40;
const Q = 40;
const FRACTION = 0.3;
const GENUINE = 4;
const LEAKY = 6;
const N = GENUINE + LEAKY;

function pairwiseAuroc(pos: number[], neg: number[]): number {
  let s = 0;
  for (const a of pos) for (const b of neg) s += a > b ? 1 : a === b ? 0.5 : 0;
  return s / (pos.length * neg.length);
}

/** Standard normal draws from a seeded uniform (Box-Muller). */
function normal(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

function build() {
  const split = heldOutSplit(P, Q, FRACTION, 0);
  const heldPos = new Set(split.pos.held);
  const heldNeg = new Set(split.neg.held);
  const rand = mulberry32(7);
  // values[class][row][neuron]
  const value = (isPos: boolean, row: number, k: number): number => {
    if (k < GENUINE) return (isPos ? 2 : 0) + normal(rand);
    const held = isPos ? heldPos.has(row) : heldNeg.has(row);
    // Leaky: no information on the ranking part (all tied), perfect separation on the held-out part.
    return held ? (isPos ? 10 : -10) : 0;
  };
  const pos = Array.from({ length: P }, (_, r) => Array.from({ length: N }, (_, k) => value(true, r, k)));
  const neg = Array.from({ length: Q }, (_, r) => Array.from({ length: N }, (_, k) => value(false, r, k)));
  return { split, pos, neg };
}

function writeProfile(pos: number[][], neg: number[][]): string {
  const dir = scratchDir('held-out-selection');
  // Interleaved rows, so the code must undo the folder's order to find each class's k-th example.
  const labels: number[] = [];
  for (let i = 0; i < Math.max(P, Q); i++) {
    if (i < Q) labels.push(0);
    if (i < P) labels.push(1);
  }
  const m = new Float32Array(labels.length * N);
  let p = 0;
  let q = 0;
  labels.forEach((l, r) => m.set(l ? pos[p++]! : neg[q++]!, r * N));
  return writeOneSiteProfile(dir, { name: 'selection', labels, neurons: N, responses: m, batchSize: 8 });
}

describe('held-out column: experts are chosen on the ranking part only', () => {
  const { split, pos, neg } = build();
  const col = (rows: number[][], idx: Uint32Array, k: number) => Array.from(idx, (r) => Math.fround(rows[r]![k]!));
  const rankAuroc = (k: number) => pairwiseAuroc(col(pos, split.pos.rank, k), col(neg, split.neg.rank, k));
  const heldAuroc = (k: number) => pairwiseAuroc(col(pos, split.pos.held, k), col(neg, split.neg.held, k));
  const allAuroc = (k: number) =>
    pairwiseAuroc(
      pos.map((r) => Math.fround(r[k]!)),
      neg.map((r) => Math.fround(r[k]!)),
    );

  it('the data would fool a selection on every example', () => {
    for (let k = GENUINE; k < N; k++) {
      assert.equal(rankAuroc(k), 0.5, `leaky neuron ${k} carries nothing on the ranking part`);
      assert.equal(heldAuroc(k), 1);
      assert.ok(allAuroc(k) > 0.7, `leaky neuron ${k} looks like an expert on all examples: ${allAuroc(k)}`);
    }
    for (let k = 0; k < GENUINE; k++) assert.ok(rankAuroc(k) > 0.85, `genuine neuron ${k}: ${rankAuroc(k)}`);
  });

  it('summary.heldOut averages the held-out AUROC of the experts the ranking part chose', () => {
    const dir = writeProfile(pos, neg);
    const stats = profileStatistics(dir, { ...PANEL_STATS('max'), resamples: 0, permutations: 0 });
    // Only the genuine neurons have AUROC > 0.5 on the ranking part (and, at about 0.9 on 28 + 28
    // examples, p below 1e-6), so they are the experts; the leaky ones are not, whatever their q.
    const want = Array.from({ length: GENUINE }, (_, k) => heldAuroc(k));
    const wantMean = want.reduce((a, b) => a + b, 0) / GENUINE;
    const wantRank = Array.from({ length: GENUINE }, (_, k) => rankAuroc(k)).reduce((a, b) => a + b, 0) / GENUINE;
    assert.ok(stats.summary.heldOut, 'the column is on');
    assert.equal(stats.summary.heldOut.experts, GENUINE);
    assert.ok(Math.abs(stats.summary.heldOut.meanHeldOutAuroc! - wantMean) <= 1e-12, `mean held-out AUROC ${stats.summary.heldOut.meanHeldOutAuroc}, want ${wantMean}`);
    assert.ok(Math.abs(stats.summary.heldOut.meanRankAuroc! - wantRank) <= 1e-12, `mean ranking AUROC ${stats.summary.heldOut.meanRankAuroc}, want ${wantRank}`);
    assert.equal(stats.summary.significant, GENUINE);
  });

  it('the q-values and AUROCs the panel shows describe the ranking part; the held-out AUROC the rest', () => {
    const dir = writeProfile(pos, neg);
    const stats = profileStatistics(dir, { ...PANEL_STATS('max'), resamples: 0, permutations: 0 });
    const s = stats.sites[0]!;
    for (let k = 0; k < N; k++) {
      assert.ok(Math.abs(s.auroc[k]! - rankAuroc(k)) <= 1e-12, `AUROC ${k}`);
      assert.ok(Math.abs(s.rankAuroc![k]! - rankAuroc(k)) <= 1e-12, `ranking AUROC ${k}`);
      assert.ok(Math.abs(s.heldOutAuroc![k]! - heldAuroc(k)) <= 1e-12, `held-out AUROC ${k}`);
    }
    // Leaky neurons are tied on the ranking part: p = 0.5 exactly, so never significant.
    for (let k = GENUINE; k < N; k++) assert.ok(s.q[k]! > 0.05, `q of leaky ${k}: ${s.q[k]}`);
  });
});
