// The profile cache keeps the most recently used profiles and removes the rest.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { pruneProfiles } from '../../src/host/model-host/profile-job';
import { scratchDir } from '../helpers/scratch';

it('keeps the most recently used profiles and never the current one', () => {
  const root = scratchDir('cache');
  const dirs = Array.from({ length: 5 }, (_, i) => {
    const d = join(root, i.toString(16).padStart(24, '0'));
    mkdirSync(d);
    writeFileSync(join(d, 'summary.json'), '{}');
    const t = new Date(Date.UTC(2026, 0, 1 + i));
    utimesSync(d, t, t);
    return d;
  });
  mkdirSync(join(root, 'not-a-profile'));
  const removed = pruneProfiles(root, dirs[0]!, 2);
  assert.deepEqual(removed.sort(), [dirs[1]!, dirs[2]!]);
  assert.ok(existsSync(dirs[0]!) && existsSync(dirs[3]!) && existsSync(dirs[4]!));
  assert.ok(existsSync(join(root, 'not-a-profile')));
});
