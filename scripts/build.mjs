// Bundles the CLI (and, once it exists, the extension host and the webview page) with esbuild.
// Type checking is a separate step (`npm run typecheck`), as in vscode-extension-samples/esbuild-sample:
// esbuild strips types without checking them, which keeps rebuilds fast.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** onnxruntime-node is a native addon: it must stay a runtime require, never be inlined. */
const external = ['vscode', 'onnxruntime-node'];

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  external,
  logLevel: 'warning',
};

const entries = [
  { entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js' },
  { entryPoints: ['src/aura/auroc-worker.ts'], outfile: 'dist/auroc-worker.js' },
  { entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js' },
].filter((e) => existsSync(e.entryPoints[0]));

await Promise.all(entries.map((e) => build({ ...common, ...e })));
if (watch) console.error('watch mode is not implemented; rerun the build');
