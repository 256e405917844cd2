// The inline preview's layout over several lines (issue 23, item 8): the continuation is no longer cut
// at the first line's edge but wraps onto the lines below as a block starting in the selection's end
// column. Expected rows are written out by hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { layoutContinuation, MAX_ROWS } from '../../src/editor/ghost-text';

const text = (rows: { text: string }[]) => rows.map((r) => r.text);

test('a continuation longer than the first line wraps at words onto the following lines, whole', () => {
  // Selection "The cat sat" (11 chars) ends line 0; edge 40; then two empty lines and one of 5 chars.
  const c = ' and then it looked at the dog for a very long time, until the sun went down.';
  const rows = layoutContinuation(c, { line: 4, column: 11, lineLengths: [11, 0, 0, 5], edge: 40, minWidth: 10 });
  // Row 0: 40 - 11 = 29 columns; rows below: 40 - 11 = 29 columns, indented to column 11.
  assert.deepEqual(text(rows), [' and then it looked at the', 'dog for a very long time,', 'until the sun went down.']);
  assert.deepEqual(rows.map((r) => r.line), [4, 5, 6]);
  assert.deepEqual(rows.map((r) => r.indent), [0, 11, 11]);
  for (const r of rows) assert.ok(r.text.length <= 29, JSON.stringify(r.text));
  // Nothing lost: the rows joined at the spaces they broke on are the continuation.
  assert.equal(text(rows).join(' '), c);
});

test("the model's line breaks start new rows, and a line longer than the column pushes its row right", () => {
  const rows = layoutContinuation('one\ntwo\nthree', { line: 0, column: 6, lineLengths: [6, 2, 9], edge: 80, minWidth: 10 });
  assert.deepEqual(text(rows), ['one', 'two', 'three']);
  assert.deepEqual(rows.map((r) => r.indent), [0, 4, 0]);
});

test('what does not fit in the lines the document has is cut with an ellipsis', () => {
  const rows = layoutContinuation('aaaa bbbb cccc dddd eeee', { line: 0, column: 10, lineLengths: [10, 0], edge: 20, minWidth: 10 });
  // Two rows of 10: "aaaa bbbb" and "cccc dddd", then "eeee" has no line left.
  assert.deepEqual(text(rows), ['aaaa bbbb', 'cccc dddd…']);
});

test('a word longer than a row is split, and the rows below never exceed MAX_ROWS', () => {
  const rows = layoutContinuation('x'.repeat(25), { line: 0, column: 0, lineLengths: [0, 0, 0], edge: 10, minWidth: 10 });
  assert.deepEqual(text(rows), ['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
  const many = layoutContinuation('y '.repeat(500), { line: 0, column: 0, lineLengths: new Array(100).fill(0), edge: 10, minWidth: 10 });
  assert.equal(many.length, 1 + MAX_ROWS);
  assert.ok(many.at(-1)!.text.endsWith('…'));
});

test('a short continuation stays on one row; at the edge the first row still gets the minimum width', () => {
  assert.deepEqual(text(layoutContinuation(' fine', { line: 0, column: 3, lineLengths: [3, 0], edge: 80 })), [' fine']);
  const rows = layoutContinuation(' ' + 'word '.repeat(10), { line: 0, column: 78, lineLengths: [78, 0], edge: 80, minWidth: 24 });
  assert.ok(rows[0]!.text.length <= 24 && rows[0]!.text.length > 0);
});
