// The extension host must never be blocked for long: profiling runs in the model process, and the
// lag monitor measures the host's event loop meanwhile. What the unit lane asserts is the structure
// that keeps the loop free (the model's forwards run in the other process, none on this thread); the
// lag itself depends on the machine's load and is held to its budget in the budgets lane
// (bench/budgets.ts, "profiling lag"). The number is still reported here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LanguageModel } from '../../src/engine/model';
import { ProcessModelHost } from '../../src/host/model-host/process-host';
import { tinyWorkbench } from '../helpers/workbench';

test('profiling through the model process keeps the event loop free, and the profile is cached', async (t) => {
  const host = new ProcessModelHost();
  const { wb, log, dispose } = tinyWorkbench(host);
  const passes = ['extract', 'logits', 'step', 'stepAndPool'] as const;
  const originals = passes.map((name) => LanguageModel.prototype[name]);
  let forwardsHere = 0;
  for (const name of passes) {
    const original = LanguageModel.prototype[name] as (this: LanguageModel, req: unknown) => Promise<unknown>;
    (LanguageModel.prototype as unknown as Record<string, unknown>)[name] = function (this: LanguageModel, req: unknown) {
      forwardsHere++;
      return original.call(this, req);
    };
  }
  try {
    await wb.useDemo();
    const lag = wb.lastProfileLag!;
    t.diagnostic(`max event-loop lag while profiling: ${lag.maxMs} ms (p99 ${lag.p99Ms} ms, ${lag.samples} samples over ${lag.seconds} s)`);
    assert.ok(host.pid && host.pid !== process.pid, 'the model lives in another process');
    assert.equal(forwardsHere, 0, 'no forward of the model ran on the extension host thread');
    assert.ok(lag.samples > 0, 'the lag probe ran');
    assert.ok(log.lines.some((l) => l.includes('max event-loop lag')), 'the lag is logged');
    const experts = wb.experts!;
    assert.equal(experts.auroc.length, 2 * (64 + 16));
    assert.ok(experts.auroc.every((a, i) => i === 0 || experts.auroc[i - 1]! >= a), 'sorted by AUROC');

    const again = await wb.profileConcept({ kind: 'file', path: wb.profile!.source });
    assert.equal(again.reused, true, 'the second profile of the same data comes from the cache');
    assert.equal(forwardsHere, 0);
  } finally {
    passes.forEach((name, i) => ((LanguageModel.prototype as unknown as Record<string, unknown>)[name] = originals[i]));
    await dispose();
  }
});
