// `profile --json` carries the split-half stability that summary.json holds (issue 20, item 6), on
// the gpt2-tiny fixture; the values themselves are checked against a hand computation in
// stats-stability.test.ts.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { profileCommand } from '../../src/cli/profile';
import { MODELS } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';
import { runJsonInProcess } from '../helpers/cli';

test('profile --json reports stability equal to summary.json, with the rule and the k capped at the neurons', async () => {
  const dir = scratchDir('cli-profile-stability');
  const data = join(dir, 'data.jsonl');
  const words = ['damn', 'fool', 'idiot', 'stupid', 'hate'];
  const lines = Array.from({ length: 40 }, (_, i) =>
    JSON.stringify(i % 2 ? { text: `you are a ${words[i % 5]} number ${i}`, label: 1 } : { text: `the weather is fine on day ${i}`, label: 0 }),
  );
  writeFileSync(data, lines.join('\n') + '\n');
  const out = join(dir, 'profile');
  const r = await runJsonInProcess(profileCommand, [join(MODELS, 'gpt2-tiny'), '--data', data, '--out', out, '--bootstrap', '0', '--permutations', '0', '--threads', '1']);
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
  assert.deepEqual(r.stability, summary.stability);
  const neurons = (r.sites as { neurons: number }[]).reduce((a, s) => a + s.neurons, 0);
  assert.equal(r.stability.neurons, neurons);
  assert.deepEqual(r.stability.topK.map((t: { k: number }) => t.k), [...new Set([10, 100, 1000].map((k) => Math.min(k, neurons)))]);
  assert.deepEqual(r.stability.halves, { a: { positives: 10, negatives: 10 }, b: { positives: 10, negatives: 10 } });
  assert.match(r.stability.rule, /Jaccard >= 0\.5/);
  assert.equal(r.stability.stable, r.stability.topK.find((t: { k: number }) => t.k === Math.min(100, neurons)).jaccard >= 0.5);
  assert.equal(r.warnings.some((w: string) => w.startsWith('unstable experts')), !r.stability.stable);
});
