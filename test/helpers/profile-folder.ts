// A profile folder written by hand, for tests that need exact responses: one site `s`, the examples in
// the order of `labels` (1 toxic, 0 not), the same example-major responses for max and mean pooling.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROFILE_FORMAT, PROFILE_VERSION, responsesPath } from '../../src/aura/profile/store';

export function writeOneSiteProfile(dir: string, o: { name: string; labels: number[]; neurons: number; responses: Float32Array; batchSize?: number }): string {
  const { name, labels, neurons, responses } = o;
  const batchSize = o.batchSize ?? labels.length;
  const positives = labels.filter((l) => l === 1).length;
  const manifest = {
    format: PROFILE_FORMAT,
    version: PROFILE_VERSION,
    model: { name, fingerprint: `sha256:${name}` },
    data: { source: name, positives, negatives: labels.length - positives, hash: `sha256:${name}` },
    seqLen: 8,
    batchSize,
    sites: [{ id: 's', neurons }],
    examples: labels.length,
    batches: Math.ceil(labels.length / batchSize),
    pooling: 'max',
  };
  mkdirSync(join(dir, 'responses'), { recursive: true });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  writeFileSync(join(dir, 'order.json'), JSON.stringify({ labels, exampleIndex: labels.map((_, i) => i) }));
  for (const pooling of ['max', 'mean'] as const) writeFileSync(responsesPath(dir, 's', pooling), new Uint8Array(responses.buffer));
  return dir;
}
