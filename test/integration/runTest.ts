// Runs the integration suite in a real VS Code downloaded by @vscode/test-electron (the conventional
// layout; it needs the network once to download VS Code, so it is not part of `npm test`).
// Usage: npm run build && node --import tsx test/integration/runTest.ts
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  const root = resolve(__dirname, '..', '..');
  // VS Code loads the suite with require(): bundle it to JavaScript first, vscode left external.
  const out = join(root, 'out', 'integration');
  mkdirSync(out, { recursive: true });
  await build({ entryPoints: [join(__dirname, 'suite', 'index.ts')], outfile: join(out, 'suite.js'), bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'], logLevel: 'warning' });
  const workspace = mkdtempSync(join(tmpdir(), 'aura-it-'));
  await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: join(out, 'suite.js'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
