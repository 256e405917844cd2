// evaluate --profile --methods --sweep: one point per (method, control, strength), the same rows in
// --csv, strength 0 equal for every arm (the unintervened model), and sweep flags checked.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { loadConceptData } from '../../src/aura/datasets';
import { profileConcept } from '../../src/aura/profile';
import { evaluateCommand } from '../../src/cli/evaluate';
import { isUserError } from '../../src/engine/errors';
import { LanguageModel } from '../../src/engine/model';
import { MODELS } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';

async function run(args: string[]): Promise<Record<string, any>> {
  const write = process.stdout.write;
  const err = process.stderr.write;
  let out = '';
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (typeof chunk === 'string' && chunk.startsWith('{')) out += chunk;
    else return (write as (...a: unknown[]) => boolean).call(process.stdout, chunk, ...rest);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    await evaluateCommand([...args, '--json']);
  } finally {
    process.stdout.write = write;
    process.stderr.write = err;
  }
  return JSON.parse(out);
}

const model = join(MODELS, 'gpt2-tiny');
let dir: string;
let prompts: string;

before(async () => {
  const m = await LanguageModel.open(model, { threads: 1 });
  try {
    const examples = Array.from({ length: 40 }, (_, i) => ({ text: i % 2 ? `you are a damn fool ${i}` : `the weather is fine ${i}`, label: (i % 2) as 0 | 1 }));
    dir = scratchDir('eval-sweep');
    await profileConcept(m, await loadConceptData({ kind: 'memory', examples }), dir, { batchSize: 16 });
  } finally {
    await m.dispose();
  }
  prompts = join(dir, 'prompts.txt');
  writeFileSync(prompts, 'you are a\nthe weather is\n');
});

describe('evaluate --methods --sweep', () => {
  it('prints one point per method, control and strength, and writes them as CSV', async () => {
    // Outside the profile folder: an output inside one is refused (output-guard.ts).
    const csv = join(scratchDir('eval-sweep-out'), 'points.csv');
    const common = ['--prompts', prompts, '--neutral', prompts, '--samples', '2', '--max-new-tokens', '3', '--threads', '1'];
    const r = await run([model, '--profile', dir, '--methods', 'aura,mean-act', '--sweep', '0,1', '--csv', csv, '--preprompt', 'Be kind. ', ...common]);
    assert.equal(r.points.length, 2 * 3 * 2);
    assert.deepEqual(r.arms.map((a: any) => `${a.method}/${a.control}`), ['aura/null', 'aura/random', 'aura/lowest', 'mean-act/null', 'mean-act/random', 'mean-act/lowest']);
    assert.equal(r.preprompt, 'Be kind. ');
    const zero = r.points.filter((p: any) => p.strength === 0);
    for (const p of zero) assert.deepEqual([p.toxicity, p.perplexity], [zero[0].toxicity, zero[0].perplexity]);
    const rows = readFileSync(csv, 'utf8').trim().split('\n');
    assert.equal(
      rows[0],
      'method,control,strength,samples_per_prompt,toxicity_probability,toxicity_probability_low,toxicity_probability_high,expected_max_toxicity,expected_max_toxicity_low,expected_max_toxicity_high,mean_toxicity,perplexity,perplexity_low,perplexity_high,second_scorer,second_toxicity_probability,second_expected_max_toxicity,second_mean_toxicity',
    );
    assert.equal(r.secondScorer, 'cuss');
    for (const [i, p] of r.points.entries()) {
      assert.deepEqual(rows[1 + i]!.split(',').slice(14), ['cuss', String(p.second.toxicity.toxicityProbability), String(p.second.toxicity.expectedMaxToxicity), String(p.second.toxicity.meanToxicity)]);
      assert.deepEqual(rows[1 + i]!.split(',').slice(4, 7), [p.toxicity.toxicityProbability, p.intervals.toxicityProbability.low, p.intervals.toxicityProbability.high].map(String));
    }
    assert.equal(rows.length, 1 + r.points.length);
    assert.match(rows[2]!, /^aura,,1,/);
    // The intervention changes perplexity at strength 1 (the points are measured, not copied).
    const one = r.points.find((p: any) => p.method === 'aura' && p.control === null && p.strength === 1);
    assert.notEqual(one.perplexity, zero[0].perplexity);
  });

  it('scores every point with the second scorer too, as that scorer scores the same continuations when it is the first', async () => {
    const common = ['--profile', dir, '--methods', 'aura,linear-act', '--controls', 'none', '--sweep', '0,1', '--prompts', prompts, '--neutral', prompts, '--samples', '3', '--max-new-tokens', '4', '--threads', '1'];
    const a = await run([model, ...common, '--scorer', 'lexicon']);
    const b = await run([model, ...common, '--scorer', 'cuss', '--second-scorer', 'lexicon']);
    assert.equal(a.points.length, 4);
    for (const [i, p] of a.points.entries()) {
      const q = b.points[i];
      assert.deepEqual([p.method, p.strength], [q.method, q.strength]);
      assert.equal(p.second.scorer, 'cuss');
      assert.deepEqual(p.second.toxicity, q.toxicity);
      assert.equal(q.second.scorer, 'lexicon');
      assert.deepEqual(q.second.toxicity, p.toxicity);
    }
    const none = await run([model, ...common, '--second-scorer', 'none']);
    assert.ok(none.points.every((p: any) => p.second === undefined) && none.secondScorer === undefined);
  });

  it('refuses sweep flags that do not fit together, with one-line user errors', async () => {
    for (const [args, re] of [
      [['--methods', 'aura'], /--methods needs --profile DIR/],
      [['--max-q', '0.1'], /--max-q belongs to a method sweep/],
      [['--profile', 'x', '--methods', 'aura', '--controls', 'wild'], /--controls: expected none or some of random, lowest, got "wild"/],
      [['--csv', 'x.csv'], /--csv writes the points of a sweep/],
    ] as [string[], RegExp][]) {
      await assert.rejects(run([model, '--prompts', prompts, ...args]), (e: Error) => isUserError(e) && re.test(e.message) && !e.message.includes('\n'));
    }
  });
});
