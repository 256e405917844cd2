// One user-error type for engine/ and aura/ (issue 10 item 22): the CLI maps it to exit 1 by `instanceof`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuraUserError } from '../../src/aura/errors';
import { UserError, isUserError } from '../../src/engine/errors';

test('aura and engine user errors are one class, recognised by instanceof and across a process boundary', () => {
  const a = new AuraUserError('--k: expected\na positive integer');
  assert.ok(a instanceof UserError);
  assert.ok(new UserError('x') instanceof AuraUserError);
  assert.equal(a.name, 'UserError');
  assert.equal(a.message, '--k: expected a positive integer');
  assert.ok(isUserError(a));
  // What host/model-host/rpc.ts rebuilds on the other side of a child process: a plain Error with the name.
  const rebuilt = Object.defineProperty(new Error('m'), 'name', { value: 'UserError' });
  assert.ok(isUserError(rebuilt));
  assert.ok(!isUserError(new Error('internal')));
  assert.ok(!isUserError(Object.defineProperty(new Error('m'), 'name', { value: 'AuraUserError' })));
});
