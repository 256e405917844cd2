// A profile folder holding the responses of test/fixtures/aura/stats-golden.json (written by
// make_stats_golden.py with NumPy/scikit-learn): one site, toxic and non-toxic rows interleaved in
// the folder's order, so what reads the folder must undo the interleaving to meet the reference.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROFILE_FORMAT, PROFILE_VERSION, aurocPath, responsesPath } from '../../src/aura/profile/store';
import { scratchDir } from './scratch';

export const goldenStats = JSON.parse(readFileSync(join(__dirname, '../fixtures/aura/stats-golden.json'), 'utf8')).stats as {
  positives: number;
  negatives: number;
  neurons: number;
  pos: number[];
  neg: number[];
  auroc: number[];
  heldOut: { fraction: number; seed: number; heldPositives: number[]; heldNegatives: number[]; rankAuroc: number[]; heldAuroc: number[] };
};

export const GOLDEN_SITE = 'transformer.h.0.mlp.c_fc';

/** Writes the folder; `labels` (1 toxic) gives the row order, by default every third row non-toxic first. */
export function goldenProfileFolder(prefix: string): string {
  const g = goldenStats;
  const dir = scratchDir(prefix);
  const n = g.neurons;
  const labels: number[] = [];
  let p = 0;
  let q = 0;
  while (p < g.positives || q < g.negatives) {
    if (q < g.negatives && (labels.length % 3 !== 1 || p >= g.positives)) labels.push(0), q++;
    else labels.push(1), p++;
  }
  const m = new Float32Array(labels.length * n);
  p = 0;
  q = 0;
  labels.forEach((l, r) => {
    const src = l ? g.pos : g.neg;
    const row = l ? p++ : q++;
    for (let k = 0; k < n; k++) m[r * n + k] = src[row * n + k]!;
  });
  const manifest = {
    format: PROFILE_FORMAT,
    version: PROFILE_VERSION,
    model: { name: 'golden', fingerprint: 'sha256:golden' },
    data: { source: 'stats-golden.json', positives: g.positives, negatives: g.negatives, hash: 'sha256:golden' },
    seqLen: 16,
    batchSize: 16,
    sites: [{ id: GOLDEN_SITE, neurons: n }],
    examples: labels.length,
    batches: Math.ceil(labels.length / 16),
    pooling: 'max',
  };
  mkdirSync(join(dir, 'responses'), { recursive: true });
  mkdirSync(join(dir, 'auroc'), { recursive: true });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  writeFileSync(join(dir, 'order.json'), JSON.stringify({ labels, exampleIndex: labels.map((_, i) => i) }));
  for (const pooling of ['max', 'mean'] as const) {
    writeFileSync(responsesPath(dir, GOLDEN_SITE, pooling), new Uint8Array(m.buffer));
    // The reference AUROCs stand in for the files "aura-lens profile" writes (part of the content fingerprint).
    writeFileSync(aurocPath(dir, GOLDEN_SITE, pooling), new Uint8Array(Float64Array.from(g.auroc).buffer));
  }
  return dir;
}
