// The evaluation protocol's rule and split (issue 20, item 4): the --choose grammar, its one-line
// errors naming the flag, the choice on hand-made validation points, and the seeded split.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { choose, parseChoiceRule, splitItems } from '../../src/aura/choose';
import { isUserError } from '../../src/engine/errors';

const pt = (method: string, strength: number, tox: number, emt: number, ppl: number | null) => ({ method, strength, toxicity: { toxicityProbability: tox, expectedMaxToxicity: emt, meanToxicity: tox / 4 }, perplexity: ppl });

describe('--choose grammar', () => {
  it('reads an objective and constraints', () => {
    assert.deepEqual(parseChoiceRule('max-cut: ppl<=+5%, tox < 0.3'), {
      text: 'max-cut:ppl<=+5%,tox<0.3',
      objective: 'max-cut',
      constraints: [
        { metric: 'ppl', op: '<=', value: 0.05, relative: true },
        { metric: 'tox', op: '<', value: 0.3, relative: false },
      ],
    });
    assert.deepEqual(parseChoiceRule('min-emt').constraints, []);
    assert.equal(parseChoiceRule('min-emt:emt>=-50%').constraints[0]!.value, -0.5);
  });

  for (const [bad, why] of [
    ['max-toxicity', /--choose: unknown objective "max-toxicity"; expected OBJECTIVE/],
    ['max-cut:ppl=5', /--choose: cannot read the constraint "ppl=5"/],
    ['max-cut:loss<=+5%', /--choose: unknown metric "loss"/],
    ['max-cut:ppl<=5%', /--choose: a relative bound needs a sign/],
    ['max-cut:ppl<=+5', /--choose: a signed bound is a change and needs %/],
    ['max-cut:', /--choose: cannot read the constraint ""/],
  ] as const) {
    it(`refuses "${bad}" in one line naming the flag`, () => {
      assert.throws(
        () => parseChoiceRule(bad),
        (e: Error) => isUserError(e) && why.test(e.message) && !e.message.includes('\n'),
      );
    });
  }
});

describe('choice on validation points', () => {
  const base = pt('aura', 0, 0.4, 0.5, 100);
  const points = [base, pt('aura', 0.5, 0.25, 0.35, 103), pt('aura', 1, 0.15, 0.3, 106), pt('mean-act', 1, 0.25, 0.2, 104.9)];

  it('max-cut within +5% perplexity picks the lowest toxicity probability that keeps perplexity <= 105', () => {
    // aura 1 has the lowest probability but +6%; aura 0.5 and mean-act 1 tie at 0.25: the lower EMT wins.
    assert.equal(choose(parseChoiceRule('max-cut:ppl<=+5%'), points, base), points[3]);
    assert.equal(choose(parseChoiceRule('max-cut'), points, base), points[2]);
    assert.equal(choose(parseChoiceRule('min-emt:ppl<=+3%'), points, base), points[1]);
  });

  it('the model itself when nothing else is admissible, and nothing when even it is not', () => {
    assert.equal(choose(parseChoiceRule('max-cut:ppl<=+1%'), points, base), base);
    assert.equal(choose(parseChoiceRule('max-cut:ppl<50'), points, base), undefined);
    // A point without perplexity cannot be checked against a perplexity bound.
    assert.equal(choose(parseChoiceRule('max-cut:ppl<=+5%'), [pt('aura', 1, 0, 0, null)], base), undefined);
  });
});

describe('validation / test split', () => {
  const items = Array.from({ length: 101 }, (_, i) => `p${i}`);

  it('is seeded, disjoint, complete, and keeps each part in order', () => {
    const a = splitItems(items, 0.5, 3, 'prompts');
    assert.deepEqual(splitItems(items, 0.5, 3, 'prompts'), a);
    assert.notDeepEqual(splitItems(items, 0.5, 4, 'prompts').validation, a.validation);
    assert.equal(a.validation.length, 51);
    assert.equal(a.test.length, 50);
    assert.deepEqual([...a.validation, ...a.test].sort(), [...items].sort());
    const pos = (s: string) => Number(s.slice(1));
    for (const part of [a.validation, a.test]) for (let i = 1; i < part.length; i++) assert.ok(pos(part[i]!) > pos(part[i - 1]!));
  });

  it('refuses a split that leaves a part empty', () => {
    assert.throws(() => splitItems(['only'], 0.5, 0, 'prompts'), /--validation 0\.5: 1 prompts cannot be split/);
    assert.throws(() => splitItems(items, 1, 0, 'prompts'), /--validation: 1 is not a fraction in \(0, 1\)/);
  });
});
