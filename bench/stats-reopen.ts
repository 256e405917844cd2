// Reopening a finished profile as the panel does (Open Profile Folder in the model work): seconds for
// the whole open, with the statistics and transport fits computed or read from the folder's cache.
// Usage: node --import tsx bench/stats-reopen.ts PROFILE_DIR [MODEL_DIR]   (the demo model by default)
// Run it twice on a copy of a profile: the first run computes and caches, the second reads the cache.
import { join } from 'node:path';
import { ModelWork } from '../src/host/model-host/model-work';

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: bench/stats-reopen.ts PROFILE_DIR [MODEL_DIR]');
  const model = process.argv[3] ?? join(__dirname, '..', 'media', 'demo', 'model');
  const work = new ModelWork();
  await work.open({ path: model });
  const started = performance.now();
  const r = await work.openProfile({ dir, pooling: 'max' });
  const wall = (performance.now() - started) / 1000;
  const notes = (r as { notes?: string[] }).notes ?? [];
  console.log(JSON.stringify({ wall: Number(wall.toFixed(2)), neurons: r.experts.auroc.length, cached: notes.some((n) => n.startsWith('statistics read from')), notes }));
  await work.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
