// Runs the integration suite in a real desktop VS Code downloaded by @vscode/test-electron (the
// conventional layout; it needs the network once to download VS Code). Where no download is possible,
// `npm run test:integration` runs the same suite inside code-server instead (runInCodeServer.ts).
// Usage: npm run build && node --import tsx test/integration/runTest.ts
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { ROOT, bundleSuite } from './bundle-suite';
import { writeFixtures } from './fixtures';

async function main(): Promise<void> {
  const suite = await bundleSuite();
  const workspace = mkdtempSync(join(tmpdir(), 'aura-it-'));
  writeFixtures(workspace);
  await runTests({
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: suite,
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
