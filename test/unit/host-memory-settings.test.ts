// The model process returns a forward pass's memory when the pass ends (issue 24 item 4): onnxruntime's
// CPU arena is off in every session, and the process is started with glibc's mmap threshold fixed, so
// freed buffers go back to the system instead of staying in the heap. At 2.35 GB of weights the process
// settled at 1.57x the weights with both; bench/real-size.ts measures it per step.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ortOptions } from '../../src/engine/ort-session';
import { ProcessModelHost } from '../../src/host/model-host/process-host';

test("every session is created without onnxruntime's CPU memory arena", () => {
  assert.equal(ortOptions({}).enableCpuMemArena, false);
  assert.equal(ortOptions({ threads: 2 }).enableCpuMemArena, false);
});

test("the model process starts with glibc's mmap and trim thresholds fixed", { skip: process.platform !== 'linux' && 'reads /proc/PID/environ (Linux)' }, async () => {
  const host = new ProcessModelHost();
  try {
    // Any call starts the process; with no model open it answers with the user error.
    await assert.rejects(host.generate({ prompt: 'x', settings: { maxNewTokens: 1, seed: 0, temperature: 0, topP: 1, topK: 0 } }), /no model is open/);
    const env = new Map(readFileSync(`/proc/${host.pid}/environ`, 'utf8').split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    assert.equal(env.get('MALLOC_MMAP_THRESHOLD_'), process.env.MALLOC_MMAP_THRESHOLD_ ?? String(1 << 20));
    assert.equal(env.get('MALLOC_TRIM_THRESHOLD_'), process.env.MALLOC_TRIM_THRESHOLD_ ?? String(16 << 20));
  } finally {
    await host.dispose();
  }
});
