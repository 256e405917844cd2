// Runs the integration suite (test/integration/suite) against the real `vscode` API, in the Node
// extension host of the code-server that the e2e test installs (scripts/e2e/setup.sh), headless.
//
// How: the way VS Code's own browser integration tests and @vscode/test-web start an extension under
// test. The workbench URL carries a `payload` query (a JSON list of [name, value] pairs) naming
// `extensionDevelopmentPath` (this repository, loaded as an extension under development, not
// installed) and `extensionTestsPath` (the bundled suite), both as vscode-remote URIs on the server.
// The remote extension host then requires the suite, calls its run(), and reports the outcome to the
// page, which calls `window.codeAutomationExit(code)`: Playwright exposes that function and we exit
// with the code. The suite also appends its lines to AURA_IT_RESULTS (the extension host inherits
// code-server's environment), which is printed here, so a failure is readable without the logs.
//
//   npm run build && node --import tsx test/integration/runInCodeServer.ts
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { CACHE, checkSetup, launchBrowser, log, startCodeServer, type CodeServer } from '../e2e/harness';
import { ROOT, bundleSuite } from './bundle-suite';
import { fixtureFiles } from './fixtures';

const RESULTS = path.join(ROOT, 'test-results', 'integration');
const RUN_DIR = path.join(CACHE, 'run-integration');
const TIMEOUT_MS = Number(process.env.AURA_IT_TIMEOUT_MS ?? 15 * 60_000);

async function main(): Promise<number> {
  checkSetup();
  if (!existsSync(path.join(ROOT, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run `npm run build` first');
  const suite = await bundleSuite();
  rmSync(RESULTS, { recursive: true, force: true });
  const resultsFile = path.join(RESULTS, 'suite.log');
  let server: CodeServer | undefined;
  const browser = await launchBrowser();
  try {
    server = await startCodeServer(undefined, fixtureFiles(), {
      runDir: RUN_DIR,
      resultsDir: RESULTS,
      // The suite runs in a trusted workspace, as `--disable-workspace-trust` does for test-electron.
      settings: { 'security.workspace.trust.enabled': false },
      env: { AURA_IT_RESULTS: resultsFile },
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const exit = new Promise<number>((resolve) => {
      void page.exposeFunction('codeAutomationExit', (code: number) => resolve(Number(code)));
    });
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => console.log(`[page ${type}]`, ...args));
    page.on('pageerror', (e) => log(`page error: ${e.message}`));
    const authority = new URL(server.url).host;
    const remote = (p: string) => `vscode-remote://${authority}${p.split(path.sep).join('/')}`;
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', remote(ROOT)],
      ['extensionTestsPath', remote(suite)],
      ['skipWelcome', 'true'],
    ]);
    log(`workbench with extensionDevelopmentPath=${ROOT}, extensionTestsPath=${path.relative(ROOT, suite)}`);
    await page.goto(`${server.url}?folder=${encodeURIComponent(server.workspace)}&payload=${encodeURIComponent(payload)}`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<number>((resolve) => {
      timer = setTimeout(() => {
        log(`no result from the extension host after ${TIMEOUT_MS / 1000} s`);
        resolve(124);
      }, TIMEOUT_MS);
    });
    const code = await Promise.race([exit, timeout]);
    clearTimeout(timer);
    // The lines came live through codeAutomationLog; on a failure they are printed again, together.
    if (existsSync(resultsFile)) {
      if (code !== 0) process.stdout.write(readFileSync(resultsFile, 'utf8'));
    } else log(`the suite wrote nothing to ${path.relative(ROOT, resultsFile)}: did the extension host start it? see ${path.relative(ROOT, RESULTS)}/code-server.log`);
    log(`extension host exit code ${code}`);
    return code;
  } finally {
    await browser.close().catch(() => {});
    await server?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
