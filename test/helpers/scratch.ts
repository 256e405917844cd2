// Temporary folders for a test file, removed when its process exits (node:test runs each file in its
// own process), so test runs leave nothing behind in the system temp folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];
process.on('exit', () => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

export function scratchDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), `aura-${prefix}-`));
  made.push(d);
  return d;
}
