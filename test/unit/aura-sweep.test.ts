// Sweeps (issue 9, item 4): each method's two controls change as many neurons as the method, with
// the same gains, on random or lowest-AUROC neurons; points export as CSV.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { loadConceptData } from '../../src/aura/datasets';
import { readAurocs } from '../../src/aura/profile/score';
import { profileConcept } from '../../src/aura/profile';
import { sweepArms, sweepCsv } from '../../src/aura/sweep';
import { LanguageModel } from '../../src/engine/model';
import { MODELS } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';
import type { InterventionFile } from '../../src/aura/intervention-file';

let dir: string;
before(async () => {
  const model = await LanguageModel.open(join(MODELS, 'gpt2-tiny'), { threads: 1 });
  try {
    const words = ['damn', 'fool', 'idiot', 'stupid', 'hate'];
    const examples = Array.from({ length: 40 }, (_, i) => ({
      text: i % 2 ? `you are a ${words[i % 5]} number ${i}` : `the weather is fine on day ${i}`,
      label: (i % 2) as 0 | 1,
    }));
    dir = scratchDir('sweep');
    await profileConcept(model, await loadConceptData({ kind: 'memory', examples }), dir, { batchSize: 16 });
  } finally {
    await model.dispose();
  }
});

/** Global index → gain for every neuron with gain != 1. */
function changed(f: InterventionFile): Map<number, number> {
  const out = new Map<number, number>();
  let off = 0;
  for (const s of Object.values(f.sites)) {
    s.gain.forEach((g, i) => g !== 1 && out.set(off + i, g));
    off += s.neurons;
  }
  return out;
}

describe('sweep arms', () => {
  it('aura controls move the same gains to as many random or lowest-AUROC neurons', () => {
    const arms = sweepArms(dir, ['aura'], ['random', 'lowest'], 3);
    assert.deepEqual(arms.map((a) => a.control), [null, 'random', 'lowest']);
    const [own, random, lowest] = arms.map((a) => changed(a.file));
    assert.ok(own!.size > 0);
    for (const c of [random!, lowest!]) {
      assert.equal(c.size, own!.size);
      assert.deepEqual([...c.values()].sort(), [...own!.values()].sort());
    }
    assert.notDeepEqual([...random!.keys()].sort(), [...own!.keys()].sort());
    // The lowest control sits on the neurons with the smallest AUROCs.
    const all = readAurocs(dir).sites.flatMap((s) => Array.from(s.auroc));
    const maxChosen = Math.max(...[...lowest!.keys()].map((g) => all[g]!));
    const unchosen = all.filter((_, g) => !lowest!.has(g));
    assert.ok(unchosen.every((a) => a >= maxChosen));
  });

  it('transport controls apply the fitted map on as many other neurons', () => {
    const arms = sweepArms(dir, ['mean-act'], ['random'], 1);
    assert.equal(arms[0]!.file.version, 2);
    assert.equal(arms[1]!.experts, arms[0]!.experts);
  });

  it('rejects an unknown method', () => {
    assert.throws(() => sweepArms(dir, ['aura', 'bogus'], []), /--methods: unknown method "bogus"/);
  });

  it('writes one CSV row per point', () => {
    const t = { toxicityProbability: 0.5, score: 0.5, prob: 0.25, meanToxicity: 0.25, samplesPerPrompt: 2, expectedMaxToxicity: 0.75, toxicContinuations: 0.1, prompts: 2, continuations: 4 };
    const s = { ...t, toxicityProbability: 0.4, score: 0.4, expectedMaxToxicity: 0.6, meanToxicity: 0.2, prob: 0.2 };
    const intervals = { toxicityProbability: { low: 0.25, high: 0.75 }, expectedMaxToxicity: { low: 0.5, high: 1 }, meanToxicity: { low: 0.1, high: 0.4 }, perplexity: { low: 11, high: 14 } };
    assert.equal(
      sweepCsv([
        { method: 'aura', control: null, strength: 1, toxicity: t, second: { scorer: 'cuss', toxicity: s }, perplexity: 12.5, intervals },
        { method: 'aura', control: 'random', strength: 0.5, toxicity: t, perplexity: null },
      ]),
      'method,control,strength,samples_per_prompt,toxicity_probability,toxicity_probability_low,toxicity_probability_high,expected_max_toxicity,expected_max_toxicity_low,expected_max_toxicity_high,mean_toxicity,perplexity,perplexity_low,perplexity_high,second_scorer,second_toxicity_probability,second_expected_max_toxicity,second_mean_toxicity\n' +
        'aura,,1,2,0.5,0.25,0.75,0.75,0.5,1,0.25,12.5,11,14,cuss,0.4,0.6,0.2\n' +
        'aura,random,0.5,2,0.5,,,0.75,,,0.25,,,,,,,\n',
    );
  });
});
