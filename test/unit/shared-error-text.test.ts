import assert from 'node:assert/strict';
import { test } from 'node:test';
import { notificationText, shortPath, splitErrorPath } from '../../src/shared/error-text';

test('a leading absolute path moves after the reason', () => {
  assert.equal(
    notificationText('/home/u/models/very/long/folder/name: no such model folder or .onnx file'),
    'No such model folder or .onnx file (…/folder/name)',
  );
});

test('Windows paths and paths with spaces and colons inside are recognised', () => {
  assert.deepEqual(splitErrorPath('C:\\Users\\me\\My Models\\gpt2: no tokenizer.json in the model folder'), {
    reason: 'No tokenizer.json in the model folder',
    path: 'C:\\Users\\me\\My Models\\gpt2',
  });
  // The first ": " ends the path (a colon without a following space belongs to it).
  assert.equal(splitErrorPath('/data/a:b/x.jsonl: line 3: expected JSON').path, '/data/a:b/x.jsonl');
  assert.equal(splitErrorPath('/data/a:b/x.jsonl: line 3: expected JSON').reason, 'Line 3: expected JSON');
});

test('messages that do not start with a path are left as they are', () => {
  for (const m of ['unknown site id "x" (this model has 2 sites)', 'cancelled', 'relative/path: nope', '']) {
    assert.equal(notificationText(m), m);
  }
});

test('short paths stay whole', () => {
  assert.equal(shortPath('/a/b'), '/a/b');
  assert.equal(shortPath('/a/b/c'), '…/b/c');
});

test('a reason that was said of the path keeps the file as its subject, not "Is empty (…)" (issue 23 item 9)', () => {
  assert.equal(notificationText('/home/u/data/toxic.txt: is empty'), 'toxic.txt is empty (…/data/toxic.txt)');
  assert.equal(notificationText('C:\\data\\runs\\gpt2: is a file; expected a folder for the profile'), 'gpt2 is a file; expected a folder for the profile (…\\runs\\gpt2)');
  assert.equal(notificationText('/m/tokenizer.json: does not load as a Hugging Face tokenizer'), 'tokenizer.json does not load as a Hugging Face tokenizer (/m/tokenizer.json)');
  // "island" starts with "is" but is no predicate.
  assert.equal(notificationText('/a/b/c: island not found'), 'Island not found (…/b/c)');
});
