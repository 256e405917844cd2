// AURA_LENS_SYNC_MS: how often a profile records its finished batches (default 2 s; 0 after every batch).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { isUserError } from '../../src/aura/errors';
import { DEFAULT_SYNC_MS, syncEveryMs } from '../../src/aura/profile/sync-interval';

it('reads milliseconds from AURA_LENS_SYNC_MS, 2000 when unset, and refuses anything else in one line', () => {
  assert.equal(syncEveryMs({}), DEFAULT_SYNC_MS);
  assert.equal(DEFAULT_SYNC_MS, 2000);
  assert.equal(syncEveryMs({ AURA_LENS_SYNC_MS: '' }), 2000);
  assert.equal(syncEveryMs({ AURA_LENS_SYNC_MS: '0' }), 0);
  assert.equal(syncEveryMs({ AURA_LENS_SYNC_MS: '250' }), 250);
  for (const bad of ['-1', '1.5', '2s', '0x10', ' 5']) {
    assert.throws(() => syncEveryMs({ AURA_LENS_SYNC_MS: bad }), (e: Error) => isUserError(e) && e.message.startsWith('AURA_LENS_SYNC_MS: expected milliseconds') && !e.message.includes('\n'));
  }
});
