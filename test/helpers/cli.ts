// Runs the built CLI (dist/cli.js, made by `npm run build`, which `npm test` runs first).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
  json?: Record<string, unknown>;
}

export function runCli(args: string[], opts: { timeout?: number; cwd?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: opts.timeout ?? 120_000, cwd: opts.cwd });
  const res: CliResult = { status: r.status, stdout: r.stdout, stderr: r.stderr };
  if (args.includes('--json') && r.status === 0) res.json = JSON.parse(r.stdout) as Record<string, unknown>;
  return res;
}
