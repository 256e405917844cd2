// `aura-lens evaluate` under the protocol (issue 20, items 3-5): JSON version 2 with RealToxicityPrompts'
// names and k, intervals and a paired difference; with --choose, a seeded validation / test split,
// the point the rule picks on validation (re-derived here from the validation numbers), and only that
// point, the model itself and the method's controls measured on test.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { loadConceptData } from '../../src/aura/datasets';
import { profileConcept } from '../../src/aura/profile';
import { evaluateCommand } from '../../src/cli/evaluate';
import { writeInterventionFile } from '../../src/aura/intervention-file';
import { sweepArms } from '../../src/aura/sweep';
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
    dir = scratchDir('eval-protocol');
    await profileConcept(m, await loadConceptData({ kind: 'memory', examples }), dir, { batchSize: 16 });
  } finally {
    await m.dispose();
  }
  prompts = join(dir, 'prompts.txt');
  writeFileSync(prompts, ['you are a', 'the weather is', 'what a damn', 'she said the', 'we went to', 'this is so'].join('\n') + '\n');
});

const common = () => ['--prompts', prompts, '--neutral', prompts, '--samples', '2', '--max-new-tokens', '3', '--threads', '1'];

describe('evaluate: names, version, intervals', () => {
  it('reports toxicityProbability, expectedMaxToxicity, meanToxicity and k, the old keys beside them, intervals and the paired difference', async () => {
    const iv = join(dir, 'iv.json');
    await writeInterventionFile(iv, sweepArms(dir, ['aura'], [])[0]!.file);
    const r = await run([model, '--intervention', iv, ...common()]);
    assert.equal(r.format, 'aura-lens-evaluation');
    assert.equal(r.version, 2);
    assert.equal(r.samplesPerPrompt, 2);
    for (const side of [r, r.baseline]) {
      const t = side.toxicity;
      assert.equal(t.samplesPerPrompt, 2);
      assert.equal(t.score, t.toxicityProbability);
      assert.equal(t.prob, t.meanToxicity);
      assert.ok(side.intervals.toxicityProbability.low <= t.toxicityProbability && t.toxicityProbability <= side.intervals.toxicityProbability.high);
      assert.ok(side.intervals.perplexity.low <= side.perplexity && side.perplexity <= side.intervals.perplexity.high);
    }
    const d = r.difference;
    const dp = r.toxicity.toxicityProbability - r.baseline.toxicity.toxicityProbability;
    assert.ok(d.toxicityProbability.low <= dp + 1e-12 && dp - 1e-12 <= d.toxicityProbability.high);
    const change = r.perplexity / r.baseline.perplexity - 1;
    assert.ok(d.perplexityChange.low <= change + 1e-9 && change - 1e-9 <= d.perplexityChange.high);
  });
});

describe('evaluate --choose', () => {
  it('splits the prompts, chooses on validation by the rule, and reports the chosen point and its controls on test', async () => {
    const r = await run([model, '--profile', dir, '--methods', 'aura', '--sweep', '0,0.5,1', '--choose', 'max-cut:ppl<=+50%', '--validation', '0.5', '--seed', '3', ...common()]);
    assert.equal(r.version, 2);
    const p = r.protocol;
    assert.deepEqual(p.split, { seed: 3, validationFraction: 0.5, validation: { prompts: 3, neutral: 3 }, test: { prompts: 3, neutral: 3 } });
    assert.equal(p.rule, 'max-cut:ppl<=+50%');
    // Validation: the model itself, then aura and each control at 0.5 and 1.
    assert.deepEqual(
      p.validation.points.map((q: any) => `${q.method}/${q.control}/${q.strength}`),
      ['none/null/0', 'aura/null/0.5', 'aura/null/1', 'aura/random/0.5', 'aura/random/1', 'aura/lowest/0.5', 'aura/lowest/1'],
    );
    // The rule re-derived from the validation numbers: lowest toxicity probability, then expected max
    // toxicity, perplexity and strength, among the model itself and aura's points within +50% perplexity.
    const base = p.validation.points[0];
    const ok = p.validation.points.filter((q: any) => q.control === null && q.perplexity <= base.perplexity * 1.5);
    ok.sort((a: any, b: any) => a.toxicity.toxicityProbability - b.toxicity.toxicityProbability || a.toxicity.expectedMaxToxicity - b.toxicity.expectedMaxToxicity || a.perplexity - b.perplexity || a.strength - b.strength);
    const want = ok[0];
    assert.deepEqual(p.chosen, { method: want.method, strength: want.strength });
    // Test: measured afresh on other prompts (3 of them), with the controls at the chosen strength.
    assert.equal(p.test.baseline.toxicity.prompts, 3);
    if (want.method === 'none') assert.equal(p.test.chosen, null);
    else {
      assert.equal(p.test.chosen.strength, want.strength);
      assert.deepEqual(p.test.controls.map((c: any) => [c.control, c.strength]), [['random', want.strength], ['lowest', want.strength]]);
      assert.ok(p.test.chosen.difference.toxicityProbability);
    }
    assert.notDeepEqual(p.test.baseline.perplexity, base.perplexity, 'test perplexity is measured on other texts');
  });

  it('refuses a rule it cannot read, or one without a sweep, in one line naming the flag', async () => {
    for (const [args, re] of [
      [['--profile', dir, '--methods', 'aura', '--sweep', '0,1', '--choose', 'best'], /--choose: unknown objective "best"/],
      [['--choose', 'max-cut'], /--choose picks a point of a sweep/],
      [['--profile', dir, '--methods', 'aura', '--sweep', '0,1', '--validation', '0.5'], /--validation sets the share of prompts a --choose rule sees/],
      [['--profile', dir, '--methods', 'aura', '--sweep', '0,1', '--choose', 'max-cut', '--validation', '1'], /--validation: 1 is not a fraction in \(0, 1\)/],
    ] as [string[], RegExp][]) {
      await assert.rejects(run([model, ...common(), ...args]), (e: Error) => isUserError(e) && re.test(e.message) && !e.message.includes('\n'));
    }
  });
});
