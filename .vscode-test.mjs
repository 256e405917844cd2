// @vscode/test-cli's configuration: `npm run test:integration:electron` runs the integration suite in a
// desktop VS Code that @vscode/test-electron downloads (the network is needed once). `npm test` runs the
// same bundled files inside code-server instead (test/integration/runInCodeServer.ts), where no download
// is possible. Both read the order of the files from test/integration/suite/files.json.
import { readFileSync } from 'node:fs';
import { defineConfig } from '@vscode/test-cli';

const { files } = JSON.parse(readFileSync(new URL('./test/integration/suite/files.json', import.meta.url), 'utf8'));

export default defineConfig({
  label: 'integration',
  files: files.map((name) => `out/integration/${name}.js`),
  workspaceFolder: 'out/integration/workspace',
  launchArgs: ['--disable-extensions', '--disable-workspace-trust'],
  mocha: { ui: 'tdd', timeout: 10 * 60_000, color: false },
});
