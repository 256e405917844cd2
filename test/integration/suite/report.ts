// One line per test, to the console and, when AURA_IT_RESULTS names a file, to that file: the remote
// extension host's console is not the launcher's, so runInCodeServer.ts prints the file.
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';

const { EVENT_RUN_BEGIN, EVENT_RUN_END, EVENT_TEST_FAIL, EVENT_TEST_PASS } = Mocha.Runner.constants;

export function reportTo(runner: Mocha.Runner, file: string | undefined): void {
  const line = (text: string) => {
    console.log(text);
    if (!file) return;
    mkdirSync(dirname(file), { recursive: true });
    appendFileSync(file, `${text}\n`);
  };
  let passed = 0;
  let failed = 0;
  runner.on(EVENT_RUN_BEGIN, () => line(`integration suite: ${runner.total} tests in VS Code ${vscode.version}`));
  runner.on(EVENT_TEST_PASS, (t) => {
    passed++;
    line(`ok - ${t.fullTitle()} (${t.duration ?? 0} ms)`);
  });
  runner.on(EVENT_TEST_FAIL, (t, err: Error) => {
    failed++;
    line(`not ok - ${t.fullTitle()}: ${err.stack ?? err.message}`);
  });
  runner.on(EVENT_RUN_END, () => line(`${passed} passed, ${failed} failed`));
}
