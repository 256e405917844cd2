// The end-to-end harness: a packaged .vsix installed into code-server (a real VS Code server build from
// npm, set up by scripts/e2e/setup.sh under .cache/e2e/), served on 127.0.0.1, and driven by Debian's
// Chromium through playwright-core. Nothing here downloads anything.
//
// Knobs (environment):
//   AURA_E2E_KEEP=1        leave code-server running at the end (or a failure) and print its URL
//                          (also `--keep` when the test file is run directly with node)
//   AURA_E2E_VSIX=path     install this .vsix instead of building and packaging one
//   AURA_E2E_HEADED=1      show the browser (needs a display)
//   AURA_E2E_SLOWMO=ms     slow every browser action down
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, mkdirSync, readdirSync, rmSync, writeFileSync, cpSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Frame, type Locator, type Page } from 'playwright-core';

export const ROOT = path.resolve(__dirname, '..', '..');
export const CACHE = path.join(ROOT, '.cache', 'e2e');
export const CODE_SERVER = path.join(CACHE, 'code-server', 'node_modules', 'code-server');
export const RUN_DIR = path.join(CACHE, 'run');
export const RESULTS = path.join(ROOT, 'test-results', 'e2e');
export const CHROMIUM = process.env.AURA_E2E_CHROMIUM ?? '/usr/bin/chromium';

export const KEEP = process.env.AURA_E2E_KEEP === '1' || process.argv.includes('--keep');

const t0 = Date.now();
export function log(msg: string): void {
  const s = ((Date.now() - t0) / 1000).toFixed(1).padStart(6);
  console.log(`[e2e ${s}s] ${msg}`);
}

/** Throws with the command to run when scripts/e2e/setup.sh has not been run (or did not finish). */
export function checkSetup(): void {
  const entry = path.join(CODE_SERVER, 'out', 'node', 'entry.js');
  const stamps = path.join(CACHE, 'stamps');
  const ready = existsSync(stamps) && readdirSync(stamps).some((f) => f.startsWith('all-'));
  if (!existsSync(entry) || !ready) {
    throw new Error(`code-server is not set up under ${path.relative(ROOT, CACHE)}: run \`bash scripts/e2e/setup.sh\` first`);
  }
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run \`bash scripts/e2e/setup.sh\` (it installs Debian's chromium)`);
}

/** Empties test-results/e2e/, so that what it holds after a run is that run's alone. */
export function resetResults(): void {
  rmSync(RESULTS, { recursive: true, force: true });
  mkdirSync(RESULTS, { recursive: true });
}

/** Builds (production) and packages the linux-x64 .vsix with scripts/package.mjs; returns its path. */
export function packageVsix(): string {
  if (process.env.AURA_E2E_VSIX) {
    const p = path.resolve(process.env.AURA_E2E_VSIX);
    if (!existsSync(p)) throw new Error(`AURA_E2E_VSIX=${p} does not exist`);
    return p;
  }
  mkdirSync(CACHE, { recursive: true });
  const out = path.join(CACHE, 'aura-lens-e2e.vsix');
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'package.mjs'), '--out', out], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) {
    throw new Error(`npm run package failed (exit ${r.status}):\n${(r.stdout + r.stderr).slice(-4000)}`);
  }
  const summary = r.stdout.split('\n').find((l) => l.startsWith('package: ') && l.includes('.vsix:'));
  log(summary ?? `packaged ${out}`);
  return out;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** User settings for a quiet, deterministic workbench. Workspace trust stays on: the test grants it. */
const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.colorTheme': 'Default Dark Modern',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': true,
  'editor.minimap.enabled': false,
  'git.enabled': false,
  'window.commandCenter': true,
};

export interface CodeServer {
  url: string;
  workspace: string;
  userDataDir: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Fresh user-data, extensions and workspace folders under .cache/e2e/run; installs the .vsix with
 * `--install-extension` (the way a user would), then serves the workspace on a free port.
 */
export async function startCodeServer(
  vsix: string | undefined,
  files: Record<string, string>,
  opts: { settings?: Record<string, unknown>; env?: Record<string, string>; runDir?: string; resultsDir?: string } = {},
): Promise<CodeServer> {
  const runDir = opts.runDir ?? RUN_DIR;
  const results = opts.resultsDir ?? RESULTS;
  rmSync(runDir, { recursive: true, force: true });
  const userDataDir = path.join(runDir, 'user-data');
  const extensionsDir = path.join(runDir, 'extensions');
  const workspace = path.join(runDir, 'workspace');
  const config = path.join(runDir, 'config.yaml');
  mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  mkdirSync(workspace, { recursive: true });
  mkdirSync(results, { recursive: true });
  writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...USER_SETTINGS, ...opts.settings }, null, 2));
  // Its own config file: code-server would otherwise write ~/.config/code-server/config.yaml.
  writeFileSync(config, 'auth: none\ncert: false\n');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(workspace, name)), { recursive: true });
    writeFileSync(path.join(workspace, name), text);
  }

  const entry = path.join(CODE_SERVER, 'out', 'node', 'entry.js');
  const common = ['--config', config, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];

  // Without a .vsix (the integration suite) the extension is loaded from its folder as under development.
  if (vsix) {
    log(`code-server --install-extension ${path.relative(ROOT, vsix)}`);
    const inst = spawnSync(process.execPath, [entry, ...common, '--install-extension', vsix], {
      cwd: runDir,
      encoding: 'utf8',
      timeout: 180_000,
    });
    const instOut = `${inst.stdout}${inst.stderr}`;
    if (inst.status !== 0 || !/successfully installed/i.test(instOut)) {
      throw new Error(`installing the .vsix into code-server failed (exit ${inst.status}):\n${instOut.slice(-3000)}`);
    }
  }

  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const logFile = path.join(results, 'code-server.log');
  // A file, not a pipe: a server left running (AURA_E2E_KEEP) must not write into a closed pipe.
  const logFd = openSync(logFile, 'w');
  const child: ChildProcess = spawn(
    process.execPath,
    [
      entry,
      ...common,
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-getting-started-override',
      workspace,
    ],
    // Its own process group, so that stop() ends the server and the extension host it forks together.
    { cwd: runDir, detached: true, stdio: ['ignore', logFd, logFd], env: { ...process.env, ...opts.env } },
  );
  closeSync(logFd);
  const pid = child.pid ?? -1;
  let exited = false;
  child.on('exit', () => (exited = true));
  const killGroup = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      /* already gone */
    }
  };
  // Whatever happens (a failure, an exception, Ctrl+C), the server's process group does not outlive us.
  const onExit = () => killGroup('SIGKILL');
  const onSignal = (sig: NodeJS.Signals) => {
    killGroup('SIGKILL');
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  if (!KEEP) {
    process.on('exit', onExit);
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }

  const stop = async () => {
    if (KEEP) {
      child.unref();
      console.log(`\n  AURA_E2E_KEEP: code-server is still running at ${url}?folder=${workspace}`);
      console.log(`  stop it with: kill -- -${pid}\n`);
      return;
    }
    process.off('exit', onExit);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (exited) return;
    killGroup('SIGTERM');
    for (let i = 0; i < 50 && !exited; i++) await sleep(100);
    if (!exited) killGroup('SIGKILL');
  };

  // Ready when /healthz answers.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`code-server exited at start; see ${path.relative(ROOT, logFile)}`);
    try {
      const res = await fetch(`${url}healthz`);
      if (res.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer on ${url} within 60 s; see ${path.relative(ROOT, logFile)}`);
    }
    await sleep(250);
  }
  log(`code-server ${pid} serving ${url}`);
  return { url, workspace, userDataDir, pid, stop };
}

export async function launchBrowser(): Promise<Browser> {
  const slowMo = Number(process.env.AURA_E2E_SLOWMO ?? 0) || undefined;
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: process.env.AURA_E2E_HEADED !== '1',
    slowMo,
    // Chromium's own config and cache (crash reports and the like) stay in the run folder, not in ~.
    env: { ...process.env, XDG_CONFIG_HOME: path.join(RUN_DIR, 'xdg-config'), XDG_CACHE_HOME: path.join(RUN_DIR, 'xdg-cache') },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Thrown by a waitFor probe to stop waiting at once (an error notification, say). */
export class Fatal extends Error {}

/**
 * Polls `probe` until it returns a value other than undefined/false, or throws `what` after `timeoutMs`.
 * Errors thrown by the probe count as "not yet" (frames come and go while the workbench loads) and the
 * last one is reported.
 */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined | false>, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      if (e instanceof Fatal) throw e;
      lastError = e;
    }
    if (Date.now() > deadline) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message.split('\n')[0]})` : '';
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${detail}`);
    }
    await sleep(intervalMs);
  }
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS, { recursive: true });
  // The pointer off to an empty stretch of the activity bar, so that no hover or tooltip hides anything.
  const vp = page.viewportSize();
  if (vp) await page.mouse.move(20, Math.round(vp.height * 0.6)).catch(() => {});
  const file = path.join(RESULTS, `${name}.png`);
  await page.screenshot({ path: file });
  log(`screenshot ${path.relative(ROOT, file)}`);
  return file;
}

// ---- workbench ----------------------------------------------------------------------------------

export async function openWorkbench(page: Page, server: CodeServer): Promise<void> {
  await page.goto(`${server.url}?folder=${encodeURIComponent(server.workspace)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
  // The explorer shows the workspace once the remote connection is up.
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 90_000 });
}

/** Grants workspace trust in the dialog code-server shows on the first open of a folder. */
export async function trustWorkspace(page: Page): Promise<'dialog' | 'already-trusted'> {
  const yes = page.locator('.monaco-dialog-box .monaco-button', { hasText: /Yes, I trust/ });
  try {
    await yes.waitFor({ timeout: 90_000 });
  } catch {
    const restricted = await page.locator('.statusbar-item', { hasText: /Restricted Mode/ }).count();
    if (restricted) throw new Error('the workspace is in Restricted Mode and no trust dialog appeared');
    return 'already-trusted';
  }
  await yes.click();
  await page.locator('.monaco-dialog-box').waitFor({ state: 'detached', timeout: 15_000 });
  return 'dialog';
}

/** The rows of the quick input list, as [aria-label, locator]. */
async function quickInputRows(page: Page): Promise<{ label: string; row: Locator }[]> {
  const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
  const n = await rows.count();
  const out: { label: string; row: Locator }[] = [];
  for (let i = 0; i < n; i++) {
    const row = rows.nth(i);
    out.push({ label: (await row.getAttribute('aria-label')) ?? '', row });
  }
  return out;
}

async function openQuickInput(page: Page, value: string): Promise<void> {
  await dismissQuickInput(page);
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ timeout: 15_000 });
  await input.fill(value);
}

async function dismissQuickInput(page: Page): Promise<void> {
  if (await page.locator('.quick-input-widget').isVisible()) {
    await page.keyboard.press('Escape');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => {});
  }
}

/**
 * Runs a command from the palette by its full title ("AurA: Use Demo Model"): F1, type the title, pick
 * the row whose label is exactly that title (a fuzzy match may rank another command first).
 */
export async function runCommand(page: Page, title: string, timeoutMs = 30_000): Promise<void> {
  log(`command palette: ${title}`);
  await openQuickInput(page, `>${title}`);
  let seen: string[] = [];
  const row = await waitFor(`"${title}" in the command palette`, timeoutMs, async () => {
    const rows = await quickInputRows(page);
    seen = rows.map((r) => r.label);
    return rows.find((r) => r.label === title || r.label.startsWith(`${title},`))?.row;
  }).catch((e: Error) => {
    throw new Error(`${e.message}; the palette listed: ${JSON.stringify(seen)}`);
  });
  await row.click();
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => {});
}

/** runCommand for cosmetic steps: false (and a log line) when the command is not there. */
export async function tryCommand(page: Page, title: string): Promise<boolean> {
  try {
    await runCommand(page, title, 10_000);
    return true;
  } catch (e) {
    log(`(skipped: ${(e as Error).message.split('\n')[0]})`);
    await dismissQuickInput(page);
    return false;
  }
}

/** Lists the palette's commands whose title starts with `prefix` (for failure messages). */
export async function listCommands(page: Page, prefix: string): Promise<string[]> {
  await openQuickInput(page, `>${prefix}`);
  await sleep(1000);
  const labels = (await quickInputRows(page)).map((r) => r.label);
  await dismissQuickInput(page);
  return labels;
}

/** Opens a workspace file through Quick Open (F1, then a query without the `>` prefix). */
export async function openFile(page: Page, name: string): Promise<Locator> {
  log(`quick open: ${name}`);
  await openQuickInput(page, name);
  const row = await waitFor(`${name} in Quick Open`, 20_000, async () => {
    const rows = await quickInputRows(page);
    return rows.find((r) => r.label.startsWith(name))?.row;
  });
  await row.click();
  const editor = editorFor(page, name);
  await editor.locator('.view-lines').waitFor({ timeout: 15_000 });
  return editor;
}

/**
 * The text editor showing `name`, found through the editor group whose active tab is that file (not
 * through "the active group", which moves when a webview panel takes focus).
 */
export function editorFor(page: Page, name: string): Locator {
  const tab = page.locator('.tabs-container .tab.active', { hasText: name });
  return page.locator('.editor-group-container', { has: tab }).locator('.monaco-editor').first();
}

/** Visible notification toasts: [severity, message]. */
export async function notifications(page: Page): Promise<{ severity: string; text: string }[]> {
  const toasts = page.locator('.notifications-toasts .notification-toast-container');
  const n = await toasts.count();
  const out: { severity: string; text: string }[] = [];
  for (let i = 0; i < n; i++) {
    const t = toasts.nth(i);
    const icon = (await t.locator('.notification-list-item-icon').first().getAttribute('class').catch(() => '')) ?? '';
    const severity = /codicon-error/.test(icon) ? 'error' : /codicon-warning/.test(icon) ? 'warning' : 'info';
    const text = ((await t.locator('.notification-list-item-message').first().innerText().catch(() => '')) ?? '').trim();
    out.push({ severity, text });
  }
  return out;
}

/** Status bar entries: [id, text, aria-label]. */
export async function statusBarItems(page: Page): Promise<{ id: string; text: string; label: string }[]> {
  const items = page.locator('.part.statusbar .statusbar-item');
  const n = await items.count();
  const out: { id: string; text: string; label: string }[] = [];
  for (let i = 0; i < n; i++) {
    const it = items.nth(i);
    out.push({
      id: (await it.getAttribute('id')) ?? '',
      text: ((await it.innerText().catch(() => '')) ?? '').trim(),
      label: (await it.getAttribute('aria-label')) ?? '',
    });
  }
  return out;
}

/**
 * The frame (of any depth: webviews are an outer `iframe.webview` holding `#active-frame`) that has an
 * element matching `selector`. Frames are looked up afresh on every poll: webviews reload.
 */
export async function findFrame(page: Page, selector: string, timeoutMs: number, what = selector): Promise<Frame> {
  return waitFor(`${what} in a webview`, timeoutMs, async () => {
    for (const f of page.frames()) {
      if (f === page.mainFrame()) continue;
      if (await f.locator(selector).count().catch(() => 0)) return f;
    }
    return undefined;
  });
}

/** Copies the server's logs (extension host, output channels) next to the screenshots. */
export function collectLogs(server: CodeServer | undefined): void {
  if (!server) return;
  const src = path.join(server.userDataDir, 'logs');
  if (!existsSync(src)) return;
  const dest = path.join(RESULTS, 'logs');
  rmSync(dest, { recursive: true, force: true });
  try {
    cpSync(src, dest, { recursive: true, filter: (p) => !existsSync(p) || statSync(p).isDirectory() || statSync(p).size < 5_000_000 });
    log(`logs copied to ${path.relative(ROOT, dest)}`);
  } catch (e) {
    log(`could not copy logs: ${(e as Error).message}`);
  }
}
