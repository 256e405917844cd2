// The editor's highlight scale and ghost text (src/editor/heat.ts, ghost-text.ts): the levels follow
// the score relative to the selection's strongest token, the hover defines the percentage and links
// each expert to the panel, and the ghost text is cut at the editor's edge.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FLOOR, HEAT_LEVELS, heatLevels, hoverMarkdown, legendText, openExpertLink } from '../../src/editor/heat';
import { edgeColumn, ghostBudget, ghostText } from '../../src/editor/ghost-text';
import { hoverMarkdown as previewHover } from '../../src/editor/inline-preview-text';

test('the strongest token takes the top level, whatever its absolute score', () => {
  // Absolute scores as measured on a selection with one insult: all under 0.3.
  const scores = [0.03, 0.05, 0.04, 0.27, 0.06, 0.12];
  const levels = heatLevels(scores);
  assert.equal(levels[3], HEAT_LEVELS);
  // Under FLOOR of the maximum: plain.
  for (const [i, s] of scores.entries()) if (s / 0.27 < FLOOR) assert.equal(levels[i], 0, `score ${s}`);
  assert.ok(levels[5]! >= 1 && levels[5]! < HEAT_LEVELS);
});

test('levels grow with the score and nothing is coloured when no expert fires', () => {
  const scores = Array.from({ length: 101 }, (_, i) => i / 100);
  const levels = heatLevels(scores);
  for (let i = 1; i < levels.length; i++) assert.ok(levels[i]! >= levels[i - 1]!);
  assert.deepEqual(heatLevels([0, 0.001, 0.01]), [0, 0, 0]);
  assert.deepEqual(heatLevels([]), []);
});

test('the hover defines the percentage and links each expert to the panel', () => {
  const md = hoverMarkdown('idiot', 0.42, 0.42, 32, [{ site: 'L3.mlp', neuron: 17, auroc: 0.81, activation: 1.5 }]);
  assert.match(md, /\*\*42%\*\*/);
  assert.match(md, /top 32 experts/);
  assert.match(md, /mean response on the toxic examples/);
  const link = openExpertLink('L3.mlp', 17);
  assert.ok(md.includes(`](${link})`));
  assert.deepEqual(JSON.parse(decodeURIComponent(link.slice(link.indexOf('?') + 1))), [{ site: 'L3.mlp', neuron: 17 }]);
  const legend = legendText(0.42, 3, 9);
  assert.match(legend.after, /42%/);
  assert.match(legend.after, /3\/9 tokens/);
});

test('ghost text is one line, cut with an ellipsis at the budget', () => {
  assert.equal(ghostText(' a\nb'), ' a ⏎ b');
  assert.ok(ghostText('x'.repeat(1000)).endsWith('…'));
  const cut = ghostText('y'.repeat(200), 30);
  assert.equal(cut.length, 30);
  assert.ok(cut.endsWith('…'));
  assert.equal(ghostText('short', 30), 'short');
});

test('the edge is the wrap column, else the first ruler, else 80 columns', () => {
  assert.equal(edgeColumn({ wordWrap: 'wordWrapColumn', wordWrapColumn: 72 }), 72);
  assert.equal(edgeColumn({ wordWrap: 'off', wordWrapColumn: 72, rulers: [{ column: 90 }] }), 90);
  assert.equal(edgeColumn({ rulers: [120, 80] }), 120);
  assert.equal(edgeColumn({}), 80);
  assert.equal(ghostBudget(30, 100), 70);
  assert.equal(ghostBudget(95, 100), 24);
});

test('the preview hover shows the method, both continuations and the links', () => {
  const md = previewHover({ intervened: 'kind words', original: 'rude\nwords', label: 'AurA 100%', done: true });
  assert.match(md, /\*\*AurA 100%\*\*/);
  assert.match(md, /> kind words/);
  assert.match(md, /> rude\n> words/);
  assert.match(md, /command:aura\.acceptPreview/);
});
