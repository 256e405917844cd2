// The editor's highlight scale and ghost text (src/editor/heat.ts, ghost-text.ts): the levels follow
// the score relative to the selection's strongest token, the hover defines the percentage and links
// each expert to the panel, and the ghost text is cut at the editor's edge.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FLOOR, HEAT_LEVELS, heatLevels, hoverMarkdown, legendText, openExpertLink } from '../../src/editor/heat';
import { edgeColumn, ghostBudget, ghostText } from '../../src/editor/ghost-text';
import { hoverMarkdown as previewHover } from '../../src/editor/inline-preview-text';
import { createRequire } from 'node:module';
import fc from 'fast-check';

/** A CommonMark parser (markdown-it, as VS Code's own hover renders CommonMark), for what a hover shows. */
const markdownIt = createRequire(__filename)('markdown-it') as (opts?: object) => { render(src: string): string };
const commonmark = markdownIt({ html: false, linkify: false });

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
  const md = hoverMarkdown('idiot', 0.42, 0.42, 32, [{ site: 'L3.mlp', neuron: 17, auroc: 0.81, activation: 1.5, exceeds: 0.9 }]);
  assert.match(md, /\*\*42%\*\*/);
  assert.match(md, /top 32 experts/);
  assert.match(md, /above their responses on the profile's non-toxic examples/);
  // exceedance 0.9 = 2F - 1: the activation is above F = 95% of the non-toxic responses.
  assert.match(md, /\| 95% \|$/m);
  const link = openExpertLink('L3.mlp', 17);
  assert.ok(md.includes(`](${link})`));
  assert.deepEqual(JSON.parse(decodeURIComponent(link.slice(link.indexOf('?') + 1))), [{ site: 'L3.mlp', neuron: 17 }]);
  // One piece, in reading order (weak, the ramp, strongest): several decorations at one position are
  // ordered by VS Code, not by us.
  const legend = legendText(0.42, 3, 9);
  assert.match(legend, /^ +AurA activity: weak ▁▂▄▆█ strongest \(42%\) · 3\/9 tokens · hover one$/);
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
  const html = commonmark.render(md);
  assert.equal((html.match(/<blockquote>/g) ?? []).length, 2, html);
  assert.match(md, /command:aura\.acceptPreview/);
});

/** The text of rendered HTML: tags dropped, the entities markdown-it writes decoded. */
function textOf(html: string): string {
  return html.replace(/<[^>]*>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
}

test("the preview hover shows the model's text as written: no emphasis, links, HTML or entities from it", () => {
  const tricky = '**bold** _it_ [x](command:aura.acceptPreview) <b>hi</b> &amp; `code` # h \\ ~~s~~ 1. a | b';
  const html = commonmark.render(previewHover({ intervened: tricky, original: 'plain', label: 'AurA 50%', done: true }));
  const quotes = [...html.matchAll(/<blockquote>([\s\S]*?)<\/blockquote>/g)].map((m) => m[1]!);
  assert.equal(quotes.length, 2, html);
  assert.equal(textOf(quotes[0]!).trim(), tricky);
  assert.doesNotMatch(quotes[0]!, /<(strong|em|a|code|b|s|del|h1|ol)\b/);
  // Our own two links are still links.
  assert.equal((html.match(/<a href="command:/g) ?? []).length, 2);
});

test('an indented line from the model stays text, not an indented code block', () => {
  for (const line of ['    *', '\t\t* x', '        `a` [b]']) {
    const html = commonmark.render(previewHover({ intervened: line, original: 'x', label: 'AurA', done: true }));
    const first = /<blockquote>([\s\S]*?)<\/blockquote>/.exec(html)![1]!;
    assert.doesNotMatch(first, /<pre>|<code>/, html);
    // The indentation itself comes back too (as the characters it was), not only the words.
    assert.equal(textOf(first).replace(/^\s*<p>|<\/p>\s*$/g, '').replace(/^\n+|\n+$/g, ''), line);
  }
});

test('any single line a model writes comes back as written from the hover', () => {
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom(...'*_[]()<>&`#!\\~|-+.=:abc 1'.split('')), maxLength: 40 }), (line) => {
      fc.pre(line.trim().length > 0);
      const html = commonmark.render(previewHover({ intervened: line, original: 'x', label: 'AurA', done: true }));
      const first = /<blockquote>([\s\S]*?)<\/blockquote>/.exec(html)![1]!;
      // CommonMark trims a paragraph's leading and trailing spaces; everything else shows as written.
      assert.equal(textOf(first).trim(), line.trim());
    }),
    { numRuns: 500 },
  );
});
