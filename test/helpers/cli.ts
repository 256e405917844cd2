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

/**
 * Runs a command's function in this process with --json and returns its one JSON line. Only that line is
 * taken from stdout (the test runner shares stdout and writes its own binary frames); stderr is muted.
 */
export async function runJsonInProcess(run: (argv: string[]) => Promise<void>, args: string[]): Promise<Record<string, any>> {
  const write = process.stdout.write;
  let out = '';
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (typeof chunk === 'string' && chunk.startsWith('{"')) out += chunk;
    else return (write as (...a: unknown[]) => boolean).call(process.stdout, chunk, ...rest);
    return true;
  }) as typeof process.stdout.write;
  const err = process.stderr.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    await run([...args, '--json']);
  } finally {
    process.stdout.write = write;
    process.stderr.write = err;
  }
  return JSON.parse(out);
}
