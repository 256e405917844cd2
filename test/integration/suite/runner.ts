// A minimal sequential test runner for the extension host: named async tests, a timeout each, a
// summary on the console, and a rejection (a failed run) when any test fails.

interface Case {
  name: string;
  fn: () => Promise<void> | void;
  timeoutMs: number;
}

const cases: Case[] = [];

export function test(name: string, fn: Case['fn'], timeoutMs = 120_000): void {
  cases.push({ name, fn, timeoutMs });
}

export async function runRegistered(): Promise<void> {
  const failures: string[] = [];
  for (const c of cases) {
    const started = Date.now();
    try {
      await Promise.race([Promise.resolve().then(c.fn), new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out after ${c.timeoutMs} ms`)), c.timeoutMs))]);
      console.log(`ok - ${c.name} (${Date.now() - started} ms)`);
    } catch (e) {
      failures.push(c.name);
      console.error(`not ok - ${c.name}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  }
  console.log(`${cases.length - failures.length} passed, ${failures.length} failed`);
  if (failures.length > 0) throw new Error(`${failures.length} integration test(s) failed: ${failures.join('; ')}`);
}
