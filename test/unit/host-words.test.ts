// Host-side words (issue 23 item 9): the continuation joined to its prompt as the tokenizer joins
// words, the "demo model ready" actions, shares that never round to 0%. Expected strings are written
// by hand from the fixture's vocabulary and the rules each case names.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { demoReadyMessage, OPEN_PANEL_ACTION } from '../../src/commands/demo-ready';
import { continuationDecoder } from '../../src/engine/generation/continuation-text';
import { loadTokenizer } from '../../src/engine/tokenizer';
import { sharePct } from '../../src/shared/format';

const FIXTURES = join(__dirname, '..', 'fixtures');

test('with a word-level tokenizer the continuation starts with the space that joins it to the prompt', () => {
  const tok = loadTokenizer(join(FIXTURES, 'tokenizers', 'wordlevel', 'tokenizer.json'));
  const prompt = tok.encode('the cat sat');
  const continuation = continuationDecoder(tok, prompt);
  // Decoded alone the first word has no space before it: "the cat sat" + "on" would read "the cat saton".
  assert.equal(tok.decode(tok.encode('on')), 'on');
  assert.equal(continuation(tok.encode('on')), ' on');
  assert.equal('the cat sat' + continuation(tok.encode('on the mat')), 'the cat sat on the mat');
  assert.equal(continuation([]), '');
});

test('with a byte-level BPE tokenizer (GPT-2) the continuation is what the ids decode to, unchanged', () => {
  const tok = loadTokenizer(join(FIXTURES, 'models', 'gpt2-tiny-pertensor', 'tokenizer.json'));
  const prompt = tok.encode('The cat');
  const generated = tok.encode(' sat on the mat');
  assert.equal(continuationDecoder(tok, prompt)(generated), ' sat on the mat');
});

test('"demo model ready" offers Open Experts Panel only when the panel is closed', () => {
  assert.deepEqual(demoReadyMessage(1234, false, false), { text: 'AurA: demo model ready, 1,234 expert neurons found.', actions: [OPEN_PANEL_ACTION] });
  const open = demoReadyMessage(1234, true, true);
  assert.deepEqual(open.actions, []);
  assert.equal(open.text, 'AurA: demo model ready, 1,234 expert neurons found (cached profile); the experts panel shows them.');
});

test('a share is never "0%" when something is there, nor "100%" when something is missing', () => {
  // 10 / 5,760 = 0.1736…%; 1 / 1,400,000 = 0.0000714…%; 5,759 / 5,760 = 99.9826…%.
  assert.equal(sharePct(10, 5_760), '0.17%');
  assert.equal(sharePct(1, 1_400_000), '0.000071%');
  assert.equal(sharePct(5_759, 5_760), '99.98%');
  assert.equal(sharePct(2_880, 5_760), '50%');
  assert.equal(sharePct(0, 5_760), '0%');
  assert.equal(sharePct(5_760, 5_760), '100%');
  assert.equal(sharePct(1, 0), '–');
});
