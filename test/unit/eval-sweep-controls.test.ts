// The sweep's controls for transport methods (issue 20, item 2). Linear-AcT and Mean-AcT fit a map on
// (nearly) every neuron, so "as many neurons, each with its own map" was the method itself. A control
// now carries the method's maps to other neurons (random, or the lowest-AUROC ones, strongest map
// first), each map rescaled from its own neuron's toxic range onto the receiving neuron's range; the
// test checks that definition at sample points by hand and that the evaluation's numbers differ.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { loadConceptData } from '../../src/aura/datasets';
import { effectiveGains } from '../../src/aura/intervention-file';
import { profileConcept } from '../../src/aura/profile';
import { readAurocs } from '../../src/aura/profile/score';
import { sweepArms } from '../../src/aura/sweep';
import { perplexity } from '../../src/engine/generation/perplexity';
import { LanguageModel } from '../../src/engine/model';
import { MODELS } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';
import type { InterventionFile } from '../../src/aura/intervention-file';

let dir: string;
let model: LanguageModel;
before(async () => {
  model = await LanguageModel.open(join(MODELS, 'gpt2-tiny'), { threads: 1 });
  const words = ['damn', 'fool', 'idiot', 'stupid', 'hate'];
  const examples = Array.from({ length: 40 }, (_, i) => ({
    text: i % 2 ? `you are a ${words[i % 5]} number ${i}` : `the weather is fine on day ${i}`,
    label: (i % 2) as 0 | 1,
  }));
  dir = scratchDir('eval-controls');
  await profileConcept(model, await loadConceptData({ kind: 'memory', examples }), dir, { batchSize: 16 });
});

interface Map1 {
  gain: number;
  bias: number;
  lo: number;
  hi: number;
}

/** Every neuron's map (global index = sites concatenated), and the set it changes. */
function maps(f: InterventionFile): { all: Map1[]; changed: Set<number> } {
  const all: Map1[] = [];
  const changed = new Set<number>();
  for (const s of Object.values(f.sites)) {
    for (let i = 0; i < s.neurons; i++) {
      const m = { gain: s.gain[i]!, bias: s.bias?.[i] ?? 0, lo: s.lo?.[i] ?? -Infinity, hi: s.hi?.[i] ?? Infinity };
      if (m.gain !== 1 || m.bias !== 0) changed.add(all.length);
      all.push(m);
    }
  }
  return { all, changed };
}

const apply = (m: Map1, x: number) => (x > m.lo && x < m.hi ? m.gain * x + m.bias : x);

const TEXTS = ['the weather is fine today and the sun is out', 'we walked to the park and sat by the lake', 'she read a book about old ships'];

describe('transport controls', () => {
  for (const method of ['linear-act', 'mean-act'] as const) {
    it(`${method}: each control changes as many neurons, by the method's maps moved to other neurons, and measures differently`, async () => {
      const arms = sweepArms(dir, [method], ['random', 'lowest'], 1);
      assert.deepEqual(arms.map((a) => a.control), [null, 'random', 'lowest']);
      const [own, random, lowest] = arms.map((a) => maps(a.file));
      assert.ok(own!.changed.size > 0);
      for (const [name, c] of [['random', random!], ['lowest', lowest!]] as const) {
        assert.equal(c.changed.size, own!.changed.size, `${name}: as many neurons`);
        // Not the method again: some neuron's map differs at the middle of its source range.
        let differ = 0;
        for (const g of c.changed) {
          const m = own!.all[g]!;
          const mid = (m.lo + m.hi) / 2;
          if (Math.abs(apply(c.all[g]!, mid) - apply(m, mid)) > 1e-6) differ++;
        }
        assert.ok(differ > c.changed.size / 2, `${name}: only ${differ} of ${c.changed.size} maps differ from the method's`);
        // Each control map is one of the method's maps, rescaled from its neuron's range to this one's:
        // y(lo_t + z*w_t) = lo_t + (y_s(lo_s + z*w_s) - lo_s) * w_t / w_s for z inside (0, 1).
        const sources = [...own!.changed].map((s) => own!.all[s]!);
        for (const t of c.changed) {
          const m = c.all[t]!;
          const wt = m.hi - m.lo;
          if (!(wt > 0)) continue;
          const found = sources.some((s) => {
            const ws = s.hi - s.lo;
            return [0.25, 0.5, 0.75].every((z) => {
              const want = m.lo + (apply(s, s.lo + z * ws) - s.lo) * (wt / ws);
              return Math.abs(apply(m, m.lo + z * wt) - want) <= 1e-4 * Math.max(1, Math.abs(want));
            });
          });
          assert.ok(found, `${name}: neuron ${t}'s map is none of the method's maps rescaled`);
        }
      }
      // The lowest control gives the strongest map to the neuron with the lowest AUROC.
      const aurocs = readAurocs(dir).sites.flatMap((s) => Array.from(s.auroc));
      const lowestNeuron = aurocs.map((a, i) => ({ a, i })).sort((x, y) => x.a - y.a || x.i - y.i)[0]!.i;
      assert.ok(lowest!.changed.has(lowestNeuron));
      // The numbers differ: perplexity on the same texts with each arm at full strength.
      const ppl = [];
      for (const a of arms) ppl.push((await perplexity(model, TEXTS, { intervention: effectiveGains(a.file, 1), maxLength: 32 })).perplexity);
      assert.notEqual(ppl[1], ppl[0], `${method}: random control measured as the method (${ppl.join(', ')})`);
      assert.notEqual(ppl[2], ppl[0], `${method}: lowest control measured as the method (${ppl.join(', ')})`);
    });
  }

  it('aura: controls still sit on other neurons (a different set, same gains)', () => {
    const arms = sweepArms(dir, ['aura'], ['random', 'lowest'], 1);
    const [own, random, lowest] = arms.map((a) => maps(a.file));
    for (const c of [random!, lowest!]) {
      assert.equal(c.changed.size, own!.changed.size);
      assert.notDeepEqual([...c.changed].sort(), [...own!.changed].sort());
    }
  });
});

process.on('beforeExit', () => void model?.dispose());
