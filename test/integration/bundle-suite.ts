// VS Code loads the suite with require(): it is bundled to JavaScript first, `vscode` left external.
// The bundle lies inside the extension's folder (out/), so that the extension host's `require('vscode')`
// interception sees it as part of the extension under test.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

export const ROOT = resolve(__dirname, '..', '..');

export async function bundleSuite(): Promise<string> {
  const out = join(ROOT, 'out', 'integration');
  mkdirSync(out, { recursive: true });
  const outfile = join(out, 'suite.js');
  await build({
    entryPoints: [join(__dirname, 'suite', 'index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    external: ['vscode', 'onnxruntime-node'],
    logLevel: 'warning',
  });
  return outfile;
}
