// The entry VS Code calls in the extension host (`extensionTestsPath` → run()): mocha with the TDD UI
// (`suite`/`test`), as @vscode/test-cli runs an extension's tests, over the suite files bundled beside
// this one, in files.json's order. Mocha is left out of the bundle and resolved from the project's
// node_modules, so every suite file sees the globals of this one instance.
import path from 'node:path';
import Mocha from 'mocha';
import { reportTo } from './report';
import order from './files.json';

/** A reporter that prints nothing of its own. */
class Silent extends Mocha.reporters.Base {}

export function run(): Promise<void> {
  // The lines are report.ts's (one per test, also to AURA_IT_RESULTS): the spec reporter's format
  // strings reach the launcher's log unformatted through the page's console.
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 10 * 60_000, reporter: Silent });
  if (process.env.AURA_IT_GREP) mocha.grep(new RegExp(process.env.AURA_IT_GREP));
  for (const name of order.files) mocha.addFile(path.join(__dirname, `${name}.js`));
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} integration test(s) failed`)) : resolve()));
    reportTo(runner, process.env.AURA_IT_RESULTS);
  });
}
