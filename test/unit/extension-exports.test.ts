// Issue 19 item 19: activate's exports reach any extension that asks for them; the test hooks (which
// change the intervention and read the editor) are in them only when VS Code runs the extension's tests.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extensionExports } from '../../src/extension-exports';
import type { AuraTestHooks } from '../../src/extension-exports';

// vscode.ExtensionMode as vscode.d.ts numbers it (the enum itself lives in the editor, not in node).
const PRODUCTION = 1;
const DEVELOPMENT = 2;
const TEST = 3;

describe('extension exports', () => {
  const api = { model: () => undefined, expertCount: () => 7 };
  const hooks = { lastProblem: () => 'x' } as unknown as AuraTestHooks;

  it('production and development: no test hooks, and the hooks are never built', () => {
    for (const mode of [PRODUCTION, DEVELOPMENT]) {
      let built = 0;
      const e = extensionExports(mode, api, () => (built++, hooks));
      assert.equal('testing' in e, false, `mode ${mode}`);
      assert.equal(built, 0);
      assert.equal(e.expertCount(), 7);
    }
  });

  it('test mode: the hooks are there', () => {
    const e = extensionExports(TEST, api, () => hooks);
    assert.equal(e.testing, hooks);
    assert.equal(e.testing!.lastProblem(), 'x');
  });
});
