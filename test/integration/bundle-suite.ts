// VS Code loads the suite with require(): it is bundled to JavaScript first, one file per suite file
// (suite/files.json) plus the entry (suite/index.ts → suite.js), `vscode` and `mocha` left external.
// The bundles lie inside the extension's folder (out/), so that the extension host's `require('vscode')`
// interception sees them as part of the extension under test, and `require('mocha')` finds the
// project's mocha, whose TDD globals the suite files use.
//   node --import tsx test/integration/bundle-suite.ts   # also writes out/integration/workspace, the
//                                                        # folder .vscode-test.mjs opens
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import order from './suite/files.json';

export const ROOT = resolve(__dirname, '..', '..');
export const OUT = join(ROOT, 'out', 'integration');

/** Bundles the entry and every suite file; returns the entry (`extensionTestsPath`). */
export async function bundleSuite(): Promise<string> {
  mkdirSync(OUT, { recursive: true });
  const entries = [{ in: join(__dirname, 'suite', 'index.ts'), out: 'suite' }, ...order.files.map((name) => ({ in: join(__dirname, 'suite', `${name}.ts`), out: name }))];
  await build({
    entryPoints: entries,
    outdir: OUT,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    external: ['vscode', 'onnxruntime-node', 'mocha'],
    logLevel: 'warning',
  });
  return join(OUT, 'suite.js');
}

if (require.main === module) {
  void (async () => {
    await bundleSuite();
    // The workspace @vscode/test-cli opens (.vscode-test.mjs), written afresh so that no earlier run's
    // exports or edits leak into this one.
    const { writeFixtures } = await import('./fixtures');
    const workspace = join(OUT, 'workspace');
    rmSync(workspace, { recursive: true, force: true });
    writeFixtures(workspace);
  })().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
