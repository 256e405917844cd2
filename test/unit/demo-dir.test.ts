// Issue 10 item 20: `npm run demo` writes into the per-user cache folder, not the current folder.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { defaultDemoDir } from '../../src/cli/demo';

describe('demo output folder', () => {
  it('is the per-user cache folder of each platform, never the current folder', () => {
    assert.equal(defaultDemoDir({}, 'linux', '/home/u'), join('/home/u', '.cache', 'aura-lens', 'demo'));
    assert.equal(defaultDemoDir({ XDG_CACHE_HOME: '/xdg' }, 'linux', '/home/u'), join('/xdg', 'aura-lens', 'demo'));
    assert.equal(defaultDemoDir({}, 'darwin', '/Users/u'), join('/Users/u', 'Library', 'Caches', 'aura-lens', 'demo'));
    assert.equal(defaultDemoDir({ LOCALAPPDATA: 'C:\\L' }, 'win32', 'C:\\U'), join('C:\\L', 'aura-lens', 'demo'));
    assert.notEqual(defaultDemoDir(), join(process.cwd(), 'aura-lens-demo'));
  });
});
