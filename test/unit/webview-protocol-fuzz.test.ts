// The page's side of the protocol fuzzing (see protocol-fuzz.test.ts): whatever the host posts is
// either delivered (valid) or warned about (invalid), one of the two for every message, never thrown.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { HostConnection } from '../../webview/host-connection';
import { anything, mutate, params, validHost } from '../helpers/protocol-arbitraries';

test('the page connection takes any value from the host: delivered if valid, else warned about, never thrown', () => {
  let listener: ((e: Event) => void) | undefined;
  const win = { addEventListener: (_: string, l: (e: Event) => void) => void (listener = l), removeEventListener: () => undefined };
  let delivered = 0;
  let warned = 0;
  const conn = new HostConnection({ postMessage: () => undefined, getState: () => undefined, setState: () => undefined } as never, win as never, () => void delivered++, () => void warned++);
  fc.assert(
    fc.property(fc.oneof(anything, validHost, mutate(validHost as fc.Arbitrary<unknown>)), (x) => {
      const before = delivered + warned;
      listener!({ data: x } as MessageEvent);
      assert.equal(delivered + warned, before + 1);
    }),
    params,
  );
  conn.dispose();
  assert.ok(delivered > 0 && warned > 0);
});
