// Through the workbench and the model work (as the panel runs them): profiling writes the statistics
// and transport fits into the profile folder's cache, profiling the same data again and opening the
// folder read them back (said in the output channel), and the neuron detail carries the neuron's
// interval, q-value and held-out AUROC from those statistics.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { statisticsCachePath, transportCachePath } from '../../src/aura/stats/cache';
import { ModelWork } from '../../src/host/model-host/model-work';
import { DEMO_CONCEPT, tinyWorkbench } from '../helpers/workbench';
import type { ProfileOutcome } from '../../src/host/model-host/api';

describe('statistics cache through the workbench', () => {
  let bench: ReturnType<typeof tinyWorkbench>;
  let first: ProfileOutcome;
  before(async () => {
    bench = tinyWorkbench(new ModelWork());
    first = await bench.wb.useDemo();
  });
  after(() => bench.dispose());

  it('the first profile computes and caches them, and says so in the log', () => {
    assert.equal(first.reused, false);
    assert.ok(existsSync(statisticsCachePath(first.dir, first.pooling)));
    assert.ok(existsSync(transportCachePath(first.dir)));
    assert.ok(bench.log.lines.some((l) => l.includes(`statistics cached in ${statisticsCachePath(first.dir, first.pooling)}`)), bench.log.lines.join('\n'));
  });

  it('profiling the same data again reuses the profile and reads the statistics back', async () => {
    const again = await bench.wb.profileConcept({ kind: 'file', path: DEMO_CONCEPT });
    assert.equal(again.reused, true);
    assert.ok(again.notes?.some((n) => n.startsWith('statistics read from')), (again.notes ?? []).join('\n'));
    assert.ok(again.notes?.some((n) => n.startsWith('transport fits read from')));
    assert.deepEqual(again.stats, first.stats);
    assert.deepEqual(again.transport, first.transport);
    assert.deepEqual(again.experts, first.experts);
  });

  it('Open Profile Folder on that folder reads them back too', async () => {
    const opened = await bench.wb.openProfile(first.dir);
    assert.ok(opened.notes?.some((n) => n.startsWith('statistics read from')), (opened.notes ?? []).join('\n'));
    assert.deepEqual(opened.stats, first.stats);
    assert.ok(bench.log.lines.some((l) => l.includes('statistics read from')));
  });

  it('the neuron detail carries its interval, q-value and held-out AUROC', async () => {
    const e = bench.wb.experts!;
    const site = e.sites[e.site[0]!]!.id;
    const neuron = e.neuron[0]!;
    const d = await bench.wb.neuronDetail(site, neuron);
    const s = first.stats!.sites.find((x) => x.id === site)!;
    assert.deepEqual(d.ci, [s.ciLow![neuron], s.ciHigh![neuron]]);
    assert.equal(d.qValue, s.q[neuron]);
    assert.equal(d.heldOutAuroc, s.heldOutAuroc![neuron]);
    assert.equal(d.rankAuroc, s.rankAuroc![neuron]);
    assert.equal(d.heldOutFraction, 0.3);
    // And the table's column is there for every row.
    assert.equal(e.stats?.heldOut?.length, e.auroc.length);
  });
});
