// Response extraction (pooled max over real tokens, every MLP site) on the embedded model: aura-lens's
// in-graph pooling vs PyTorch forward hooks on the same weights and the same batches, measured in one
// run. The PyTorch side needs Debian's Python with python3-torch and python3-onnx.
// Usage: node --import tsx bench/extraction.ts [MODEL_DIR] [TEXTS]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConceptData } from '../src/aura/datasets';
import { demoAssets } from '../src/aura/demo-assets';
import { LanguageModel } from '../src/engine/model';

async function main(): Promise<void> {
  const assets = demoAssets(join(__dirname, '..', 'src'));
  const dir = process.argv[2] ?? assets.model;
  const count = Number(process.argv[3] ?? 512);
  const data = await loadConceptData({ kind: 'file', path: assets.concept }, { maxPerClass: count / 2, seed: 1 });
  const model = await LanguageModel.open(dir, { threads: 1 });
  const seqLen = Math.min(128, model.facts.maxPositions ?? 128);
  const encoded = data.examples.map((e) => model.tokenizer.encode(e.text).slice(0, seqLen)).sort((a, b) => a.length - b.length);
  const batches: { ids: number[][]; mask: number[][] }[] = [];
  const pad = model.facts.padTokenId ?? model.facts.eosTokenIds[0] ?? 0;
  for (let i = 0; i < encoded.length; i += 16) {
    const chunk = encoded.slice(i, i + 16);
    const w = chunk[chunk.length - 1]!.length;
    batches.push({
      ids: chunk.map((c) => [...new Array<number>(w - c.length).fill(pad), ...c]),
      mask: chunk.map((c) => [...new Array<number>(w - c.length).fill(0), ...new Array<number>(c.length).fill(1)]),
    });
  }
  const sites = model.sites.map((s) => s.id);
  const ours = async () => {
    const first = new Map<string, number[]>();
    const t = performance.now();
    for (const b of batches) {
      const r = await model.forward({ ids: b.ids, mask: b.mask, kind: 'extract', pool: sites });
      if (first.size === 0) for (const id of sites) first.set(id, Array.from(r.pooled!.get(id)!.max.slice(0, 4)));
    }
    return { seconds: (performance.now() - t) / 1000, first };
  };
  await ours();
  const runs = [await ours(), await ours(), await ours()];
  const oursBest = Math.min(...runs.map((r) => r.seconds));
  const file = join(mkdtempSync(join(tmpdir(), 'aura-bench-')), 'batches.json');
  writeFileSync(file, JSON.stringify(batches));
  const py = '/usr/bin/python3';
  if (!existsSync(py)) {
    console.log(`aura-lens extraction: ${oursBest.toFixed(3)} s; PyTorch baseline skipped (${py} not found)`);
    return;
  }
  const torchRuns: { seconds: number; first: Record<string, number[][]> }[] = [];
  for (let i = 0; i < 3; i++) {
    const r = spawnSync(py, [join(__dirname, 'torch_extract.py'), '--model', dir, '--batches', file, '--threads', '1'], { encoding: 'utf8' });
    if (r.status !== 0) {
      console.log(`PyTorch baseline failed: ${r.stderr.split('\n').slice(-3).join(' ')}`);
      return;
    }
    torchRuns.push(JSON.parse(r.stdout.trim().split('\n').pop()!));
  }
  const torchBest = Math.min(...torchRuns.map((r) => r.seconds));
  let maxDiff = 0;
  for (const id of sites) {
    const a = runs[0]!.first.get(id)!;
    const b = torchRuns[0]!.first[id]![0]!.slice(0, 4);
    for (let i = 0; i < 4; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
  }
  console.log(
    JSON.stringify({ model: dir, texts: encoded.length, batches: batches.length, sites: sites.length, auraSeconds: +oursBest.toFixed(3), torchSeconds: +torchBest.toFixed(3), maxAbsDiffFirstRow: maxDiff }, null, 2),
  );
  console.log(`response extraction, PyTorch forward hooks / aura-lens in-graph pooling: ${(torchBest / oursBest).toFixed(2)}x (goal >= 1.5x), one thread each`);
  await model.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
