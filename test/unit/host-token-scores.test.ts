// Token highlights: each expert's activation over its largest response on the concept data, clamped,
// weighted by how much the method dampens it; the hover lists the strongest contributors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { heatLevel } from '../../src/editor/heat';
import { ghostText } from '../../src/editor/ghost-text';
import { scoreTokens, topExperts } from '../../src/host/token-scores';
import type { ExpertsSnapshot } from '../../src/shared/protocol';

const acts = {
  tokens: [
    { text: 'you', start: 0, end: 3 },
    { text: ' idiot', start: 3, end: 9 },
  ],
  // site a: 2 neurons; site b: 1 neuron; [tokens, neurons]
  values: new Map([
    ['a', new Float32Array([0, 0.1, 4, 0.5])],
    ['b', new Float32Array([-1, 1])],
  ]),
};
const widths = new Map([
  ['a', 2],
  ['b', 1],
]);

test('scores are weighted means of clamped, normalised activations', () => {
  const experts = [
    { site: 'a', neuron: 0, auroc: 0.9, gain: 0.2, scale: 2 },
    { site: 'b', neuron: 0, auroc: 0.7, gain: 0.6, scale: 2 },
  ];
  const [you, idiot] = scoreTokens(acts, experts, widths);
  // weights 0.8 and 0.4; token 0: a=0 -> 0, b=-1 -> clamped 0.
  assert.equal(you!.score, 0);
  assert.equal(you!.top.length, 0);
  // token 1: a=4/2 -> clamped 1, b=1/2 = 0.5: (0.8*1 + 0.4*0.5) / 1.2
  assert.ok(Math.abs(idiot!.score - 1 / 1.2) < 1e-9);
  assert.deepEqual(idiot!.top.map((t) => `${t.site}:${t.neuron}`), ['a:0', 'b:0']);
});

test('at gain 1 (strength or method leaves it alone) the AUROC still weights the expert', () => {
  const [, idiot] = scoreTokens(acts, [{ site: 'a', neuron: 1, auroc: 0.75, gain: 1, scale: 1 }], widths);
  assert.equal(idiot!.score, 0.5);
});

test('top experts are the best ranked with AUROC above 0.5', () => {
  const e = { sites: [{ id: 'a', layer: 0, kind: 'mlp.in', neurons: 2 }], site: [0, 0], neuron: [1, 0], auroc: [0.8, 0.5] } as unknown as ExpertsSnapshot;
  assert.deepEqual(topExperts(e, 5), [{ site: 'a', neuron: 1, auroc: 0.8 }]);
});

test('heat levels and ghost text', () => {
  assert.equal(heatLevel(0, 0.5), 0);
  assert.equal(heatLevel(0.1, 0.5), 0);
  assert.equal(heatLevel(0.16, 0.5), 1);
  assert.equal(heatLevel(0.5, 0.5), 5);
  assert.equal(ghostText(' a\nb'), ' a ⏎ b');
  assert.ok(ghostText('x'.repeat(1000)).endsWith('…'));
});
