import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = join(__dirname, '..', '..');

/** Runs the check with PATH limited to `bin` (nvidia-smi absent, or a stand-in written there). */
function runWithPath(bin: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'cuda-check.ts')], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, PATH: bin } });
}

describe('npm run cuda-check without a GPU', () => {
  it('says so in one line, measures nothing and exits 2 when nvidia-smi is missing', () => {
    const bin = mkdtempSync(join(tmpdir(), 'aura-nogpu-'));
    try {
      const r = runWithPath(bin);
      assert.equal(r.status, 2);
      assert.equal(r.stdout, '');
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, /^cuda-check: no GPU on this machine: nvidia-smi not found .*nothing was measured\.$/);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it('exits 2 with the reason when nvidia-smi runs but lists no GPU (a driver without a device)', () => {
    const bin = mkdtempSync(join(tmpdir(), 'aura-nogpu-'));
    try {
      const smi = join(bin, 'nvidia-smi');
      writeFileSync(smi, '#!/bin/sh\necho "No devices were found"\nexit 6\n');
      chmodSync(smi, 0o755);
      const r = runWithPath(bin);
      assert.equal(r.status, 2);
      assert.equal(r.stdout, '');
      assert.match(r.stderr.trim(), /^cuda-check: no GPU on this machine: nvidia-smi failed \(status 6\): No devices were found; nothing was measured\.$/);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
