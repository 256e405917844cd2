// Where do aura-lens and PyTorch part on a random-weight GPT-2? Every site's max-pooled responses of
// the same texts, compared site by site (layer by layer), in two batchings: left-padded batches (as
// the profile and bench/extraction.ts run them) and each text alone (no padding at all). Also each
// engine against itself across the two batchings, which isolates what padding does.
// With --float64 1, PyTorch also runs the padded batches in float64: the reference that says which
// float32 engine is further from the exact values.
//   node --import tsx bench/extraction-layers.ts --model DIR [--texts 64] [--batch-size 16] [--threads N] [--alone 1] [--float64 0]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConceptData } from '../src/aura/datasets';
import { demoAssets } from '../src/aura/demo-assets';
import { LanguageModel } from '../src/engine/model';
import { arg, neuronRelativeDiff, python, readF32, threadsArg } from './common';

interface Batch {
  ids: number[][];
  mask: number[][];
}

function batchesOf(encoded: number[][], size: number, pad: number): Batch[] {
  const out: Batch[] = [];
  for (let i = 0; i < encoded.length; i += size) {
    const chunk = encoded.slice(i, i + size);
    const w = Math.max(...chunk.map((c) => c.length));
    out.push({
      ids: chunk.map((c) => [...new Array<number>(w - c.length).fill(pad), ...c]),
      mask: chunk.map((c) => [...new Array<number>(w - c.length).fill(0), ...new Array<number>(c.length).fill(1)]),
    });
  }
  return out;
}

async function main(): Promise<void> {
  const assets = demoAssets(join(__dirname, '..', 'src'));
  const dir = arg('model', assets.model);
  const count = arg('texts', 64);
  const batchSize = arg('batch-size', 16);
  const threads = threadsArg();
  const alone = arg('alone', 1) === 1;
  const float64 = arg('float64', 0) === 1;
  const data = await loadConceptData({ kind: 'file', path: assets.concept }, { maxPerClass: Math.ceil(count / 2), seed: 1 });
  const model = await LanguageModel.open(dir, { threads });
  const seqLen = Math.min(128, model.facts.maxPositions ?? 128);
  const encoded = data.examples.map((e) => model.tokenizer.encode(e.text).slice(0, seqLen)).filter((e) => e.length > 0).sort((a, b) => a.length - b.length);
  const pad = model.facts.padTokenId ?? model.facts.eosTokenIds[0] ?? 0;
  const sites = model.sites.map((s) => ({ id: s.id, neurons: s.neurons }));
  const tmp = mkdtempSync(join(tmpdir(), 'aura-bench-layers-'));
  const runs: Record<string, { ours: Map<string, Float32Array>; torch: Map<string, Float32Array>; exact?: Map<string, Float32Array> }> = {};
  try {
    for (const [name, size] of [['padded', batchSize], ...(alone ? [['alone', 1]] : [])] as [string, number][]) {
      const batches = batchesOf(encoded, size, pad);
      const ours = new Map<string, Float32Array[]>(sites.map((s) => [s.id, []]));
      for (const b of batches) {
        const r = await model.extract({ ids: b.ids, mask: b.mask, pool: sites.map((s) => s.id) });
        for (const s of sites) ours.get(s.id)!.push(r.pooled!.get(s.id)!.max);
      }
      const file = join(tmp, `${name}.json`);
      writeFileSync(file, JSON.stringify(batches));
      const out = join(tmp, name);
      python(['extract', '--model', dir, '--batches', file, '--threads', String(threads), '--reps', '1', '--mode', 'cut', '--out', out]);
      if (float64 && name === 'padded') python(['extract', '--model', dir, '--batches', file, '--threads', String(threads), '--reps', '1', '--mode', 'cut', '--dtype', 'float64', '--out', `${out}-f64`]);
      const cat = (parts: Float32Array[]) => {
        const m = new Float32Array(parts.reduce((n, x) => n + x.length, 0));
        let off = 0;
        for (const x of parts) {
          m.set(x, off);
          off += x.length;
        }
        return m;
      };
      runs[name] = {
        ours: new Map(sites.map((s) => [s.id, cat(ours.get(s.id)!)])),
        torch: new Map(sites.map((s) => [s.id, readF32(join(out, `${s.id}.f32`))])),
        ...(float64 && name === 'padded' ? { exact: new Map(sites.map((s) => [s.id, readF32(join(`${out}-f64`, `${s.id}.f32`))])) } : {}),
      };
    }
    const fmt = (c: { abs: number; rel: number }) => `${c.abs.toExponential(2)} (${c.rel.toExponential(2)})`;
    console.log(`${encoded.length} texts, up to ${encoded.at(-1)!.length} tokens, batches of ${batchSize} left-padded vs one text per batch; model ${dir}`);
    console.log('max |diff| (relative to the neuron\'s largest |response|)');
    console.log(['site', 'max |response|', 'ours vs torch, padded', ...(alone ? ['ours vs torch, alone', 'ours padded vs alone', 'torch padded vs alone'] : []), ...(float64 ? ['ours vs float64', 'torch vs float64'] : [])].join(' | '));
    const rows: Record<string, unknown>[] = [];
    for (const s of sites) {
      const p = runs.padded!;
      const a = runs.alone;
      const c: Record<string, { abs: number; rel: number; scale: number }> = { padded: neuronRelativeDiff(p.ours.get(s.id)!, p.torch.get(s.id)!, s.neurons) };
      if (a) {
        c.alone = neuronRelativeDiff(a.ours.get(s.id)!, a.torch.get(s.id)!, s.neurons);
        c.oursPadding = neuronRelativeDiff(p.ours.get(s.id)!, a.ours.get(s.id)!, s.neurons);
        c.torchPadding = neuronRelativeDiff(p.torch.get(s.id)!, a.torch.get(s.id)!, s.neurons);
      }
      if (p.exact) {
        c.oursVsFloat64 = neuronRelativeDiff(p.ours.get(s.id)!, p.exact.get(s.id)!, s.neurons);
        c.torchVsFloat64 = neuronRelativeDiff(p.torch.get(s.id)!, p.exact.get(s.id)!, s.neurons);
      }
      console.log([s.id, c.padded!.scale.toFixed(2), ...Object.values(c).map(fmt)].join(' | '));
      rows.push({ site: s.id, scale: c.padded!.scale, ...Object.fromEntries(Object.entries(c).map(([k, v]) => [k, { abs: v.abs, rel: v.rel }])) });
    }
    console.log(JSON.stringify({ model: dir, texts: encoded.length, batchSize, sites: rows }));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    await model.dispose();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(2);
});
