// The neuron detail's token aggregate: each example's three strongest tokens, merged by word across
// examples (issue 11, item 12). Expected values worked out by hand from the inputs below.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aggregateTopTokens } from '../../src/host/top-tokens';

const ex = (...pairs: [string, number][]) => pairs.map(([text, value]) => ({ text, value }));

test('peak tokens are counted across examples, merged by trimmed lower-case text', () => {
  const examples = [
    ex(['You', 0.1], [' idiot', 2.0], [' are', 0.3], [' so', 0.2], ['!', 0.5]),
    ex(['What', 0.0], [' an', 0.1], [' Idiot', 1.0], [' fool', 1.5]),
    ex([' idiot', 3.0], [' ', 9.0], [' fool', 0.5], [' really', 0.4], [' x', 0.45]),
  ];
  // Example 1: idiot 2.0, ! 0.5, are 0.3.  Example 2: fool 1.5, Idiot 1.0, an 0.1.
  // Example 3 (the blank token is skipped): idiot 3.0, fool 0.5, x 0.45.
  const got = aggregateTopTokens(examples);
  assert.deepEqual(got.slice(0, 2), [
    { text: 'idiot', count: 3, mean: 2.0, max: 3.0 },
    { text: 'fool', count: 2, mean: 1.0, max: 1.5 },
  ]);
  assert.deepEqual(
    got.slice(2).map((t) => [t.text, t.count, t.mean]),
    [
      ['!', 1, 0.5],
      ['x', 1, 0.45],
      ['are', 1, 0.3],
      ['an', 1, 0.1],
    ],
  );
});

test('the limit and the per-example count are honoured; no examples gives nothing', () => {
  const examples = [ex(['a', 5], ['b', 4], ['c', 3], ['d', 2])];
  assert.deepEqual(
    aggregateTopTokens(examples, 2, 10).map((t) => t.text),
    ['a', 'b'],
  );
  assert.equal(aggregateTopTokens(examples, 4, 3).length, 3);
  assert.deepEqual(aggregateTopTokens([]), []);
});
