// A minimal sequential test runner for the extension host: named async tests, a timeout each, a
// summary, and a rejection (a failed run) when any test fails. mocha is not among the project's
// dependencies; this keeps the suite runnable by both launchers (test-electron and code-server) without
// it. Lines go to the console and, when AURA_IT_RESULTS names a file, to that file (the code-server
// launcher prints it: the remote extension host's console is not the launcher's).
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

interface Case {
  name: string;
  fn: () => Promise<void> | void;
  timeoutMs: number;
}

const cases: Case[] = [];

export function test(name: string, fn: Case['fn'], timeoutMs = 120_000): void {
  cases.push({ name, fn, timeoutMs });
}

export function report(line: string): void {
  console.log(line);
  const file = process.env.AURA_IT_RESULTS;
  if (!file) return;
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, `${line}\n`);
}

export async function runRegistered(): Promise<void> {
  const failures: string[] = [];
  const filter = process.env.AURA_IT_GREP ? new RegExp(process.env.AURA_IT_GREP) : undefined;
  const selected = filter ? cases.filter((c) => filter.test(c.name)) : cases;
  report(`integration suite: ${selected.length} tests in VS Code ${(await import('vscode')).version}`);
  for (const c of selected) {
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(c.fn),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${c.timeoutMs} ms`)), c.timeoutMs))),
      ]);
      report(`ok - ${c.name} (${Date.now() - started} ms)`);
    } catch (e) {
      failures.push(c.name);
      report(`not ok - ${c.name}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    } finally {
      clearTimeout(timer);
    }
  }
  report(`${selected.length - failures.length} passed, ${failures.length} failed`);
  if (failures.length > 0) throw new Error(`${failures.length} integration test(s) failed: ${failures.join('; ')}`);
}
