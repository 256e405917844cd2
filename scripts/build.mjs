// Bundles the CLI, the extension host, the model process, the AUROC worker and the webview page with esbuild.
// Type checking is a separate step (`npm run typecheck`), as in vscode-extension-samples/esbuild-sample:
// esbuild strips types without checking them, which keeps rebuilds fast.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** onnxruntime-node is a native addon: it must stay a runtime require, never be inlined. */
// @kubernetes/client-node is ESM with a large HTTP stack, loaded only by `launch k8s --submit`: keep it out of the bundle.
const external = ['vscode', 'onnxruntime-node', '@kubernetes/client-node'];

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
  // The model runs in this child process, so neither its heap nor a crash of it reaches the extension host.
  { entryPoints: ['src/host/model-host/process-entry.ts'], outfile: 'dist/model-process.js' },
  // The intervention fit at scale (1.4M neurons), off the extension host's thread.
  { entryPoints: ['src/host/fit-worker.ts'], outfile: 'dist/fit-worker.js' },
].filter((e) => existsSync(e.entryPoints[0]));

/**
 * The experts panel's page: a browser bundle (d3, the UI toolkit) with its stylesheet next to it as
 * dist/webview.css. It sees only webview/ and src/shared/ (tsconfig.webview.json checks that).
 */
const webview = {
  entryPoints: ['webview/main.ts'],
  outfile: 'dist/webview.js',
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

await Promise.all([
  ...entries.map((e) => build({ ...common, ...e })),
  ...(existsSync(webview.entryPoints[0]) ? [build(webview)] : []),
]);
if (watch) console.error('watch mode is not implemented; rerun the build');
