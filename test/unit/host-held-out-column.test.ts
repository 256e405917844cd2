// The panel's held-out AUROC (issue 9, item 1): computed in the model process with the profile's
// statistics, with the split of "aura-lens fit --held-out", and compared here with the NumPy /
// scikit-learn reference of test/fixtures/aura/make_stats_golden.py (never with this code's output):
// per neuron, in the table's ranking order, and in the neuron detail.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { profileStatistics } from '../../src/aura/stats/significance';
import { expertsSnapshot } from '../../src/host/experts-snapshot';
import { PANEL_HELD_OUT, PANEL_STATS, panelStatistics } from '../../src/host/model-host/panel-stats';
import { transportFromWire } from '../../src/host/model-host/transport-wire';
import { detailStatsFrom, expertStatsFrom } from '../../src/host/panel-feeds';
import { GOLDEN_SITE, goldenProfileFolder, goldenStats as g } from '../helpers/golden-profile';
import { writeOneSiteProfile } from '../helpers/profile-folder';
import { scratchDir } from '../helpers/scratch';

function close(got: ArrayLike<number> | undefined, want: number[], what: string): void {
  assert.ok(got, `${what}: missing`);
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) <= 1e-12, `${what}[${i}]: got ${got[i]}, want ${want[i]}`);
}

// The reference's split: the panel's fraction, the reference's seed (the panel's own seed is 0).
const options = { ...PANEL_STATS('max'), seed: g.heldOut.seed };

describe('held-out AUROC in the panel vs the NumPy reference', () => {
  const dir = goldenProfileFolder('held-out-column');

  it('the panel holds out the fraction the reference was computed for', () => assert.equal(PANEL_HELD_OUT, g.heldOut.fraction));

  it('per neuron: held-out AUROC and the AUROC of the other part equal the reference; the statistics describe the ranking part (issue 20, item 1)', async () => {
    const { stats } = await panelStatistics(dir, 'max', { options });
    const site = stats.sites[0]!;
    close(site.heldOutAuroc, g.heldOut.heldAuroc, 'held-out AUROC');
    close(site.rankAuroc, g.heldOut.rankAuroc, 'ranking-part AUROC');
    close(site.auroc, g.heldOut.rankAuroc, 'AUROC the ranking (and q) uses');
    assert.deepEqual(stats.heldOut, {
      fraction: 0.3,
      rank: { positives: g.positives - g.heldOut.heldPositives.length, negatives: g.negatives - g.heldOut.heldNegatives.length },
      held: { positives: g.heldOut.heldPositives.length, negatives: g.heldOut.heldNegatives.length },
    });
  });

  it('the same split as "fit --held-out": the CLI statistics give the same held-out values', async () => {
    const { stats } = await panelStatistics(dir, 'max', { options });
    const cli = profileStatistics(dir, { resamples: 0, permutations: 0, heldOut: PANEL_HELD_OUT, seed: g.heldOut.seed });
    assert.deepEqual([...stats.sites[0]!.heldOutAuroc!], [...cli.sites[0]!.heldOutAuroc!]);
    assert.deepEqual([...stats.sites[0]!.rankAuroc!], [...cli.sites[0]!.auroc]);
  });

  it('the table column is in the ranking order, and the detail carries the neuron\'s values', async () => {
    const { stats } = await panelStatistics(dir, 'max', { options });
    const ranked = expertsSnapshot([{ siteId: GOLDEN_SITE, auroc: Float64Array.from(g.auroc) }], [{ id: GOLDEN_SITE, layer: 0, kind: 'mlp.in', neurons: g.neurons }], {
      source: 'golden',
      positives: g.positives,
      negatives: g.negatives,
      pooling: 'max',
    });
    const col = expertStatsFrom(stats, ranked);
    assert.equal(col.heldOutFraction, 0.3);
    for (let i = 0; i < ranked.auroc.length; i++) assert.ok(Math.abs(col.heldOut![i]! - g.heldOut.heldAuroc[ranked.neuron[i]!]!) <= 1e-12, `row ${i}`);
    // The rows are not in neuron order, so the test above would catch a column left unpermuted.
    assert.notDeepEqual([...ranked.neuron], [...ranked.neuron].sort((a, b) => a - b));
    for (let k = 0; k < g.neurons; k++) {
      const d = detailStatsFrom(stats, GOLDEN_SITE, k);
      assert.ok(Math.abs(d.heldOutAuroc! - g.heldOut.heldAuroc[k]!) <= 1e-12);
      assert.ok(Math.abs(d.rankAuroc! - g.heldOut.rankAuroc[k]!) <= 1e-12);
      assert.equal(d.heldOutFraction, 0.3);
      assert.deepEqual(d.ci, [stats.sites[0]!.ciLow![k], stats.sites[0]!.ciHigh![k]]);
      assert.equal(d.qValue, stats.sites[0]!.q[k]);
    }
    assert.deepEqual(detailStatsFrom(stats, 'no.such.site', 0), {});
    assert.deepEqual(detailStatsFrom(undefined, GOLDEN_SITE, 0), {});
  });
});

describe('a profile too small to split', () => {
  it('has no held-out column, and says why instead of failing', async () => {
    const dir = writeOneSiteProfile(scratchDir('held-out-small'), { name: 'small', labels: [1, 0, 1, 0], neurons: 3, responses: Float32Array.from({ length: 12 }, (_, i) => (i * 7) % 5) });
    // 30% of 2 rounds to 1 held out, leaving 1 to rank: still a split. 10% of 2 holds none out.
    const { stats } = await panelStatistics(dir, 'max', { options: { ...PANEL_STATS('max'), heldOutColumn: 0.1 } });
    assert.equal(stats.sites[0]!.heldOutAuroc, undefined);
    assert.equal(stats.heldOut, undefined);
    assert.ok(stats.warnings.some((w) => /no held-out AUROC: holding out 0\.1 of each class leaves a part without one \(2 toxic, 2 non-toxic/.test(w)), stats.warnings.join('\n'));
    assert.ok(stats.sites[0]!.q.length === 3, 'the other statistics are there');
  });

  it('a profile with one toxic example opens for the gain methods: no transport maps, a line saying why (found by the integration suite)', async () => {
    const dir = writeOneSiteProfile(scratchDir('aura-one-toxic-'), { name: 'small', labels: [0, 1, 0], neurons: 3, responses: Float32Array.from([0, 1, 2, 5, 0, 1, 1, 2, 0]) });
    const { stats, transport, notes } = await panelStatistics(dir, 'max');
    assert.deepEqual(transport, { 'linear-act': [], 'mean-act': [] });
    assert.equal(transportFromWire(transport).size, 0, 'the panel offers neither transport method');
    assert.ok(notes.some((n) => /Linear-AcT and Mean-AcT are not offered for this profile: .*at least 2 examples per class, got 1 toxic and 2 non-toxic/.test(n)), notes.join('\n'));
    assert.equal(stats.sites[0]!.auroc.length, 3, 'the statistics are there');
  });
});
