// The neuron detail's model work on the demo model: per-token values of one site for the 24 examples a
// detail reads (the longest texts of the demo concept set, cut to 128 tokens), read as the detail now
// does (one batched forward, each site's [batch, seq, neurons] output) and as it did before issue 8 item 1
// (all texts side by side through the KV cache, one step per position), interleaved, warm, best of N; plus
// the first detail after the model is open (its session built, as the model process does on open) and the
// CPU time of one batched read. Both ways must give the same values. Not part of npm test.
//   node --import tsx bench/detail.ts [--reps 3] [--texts 24] [--threads N]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tokenSpans } from '../src/aura/activations';
import { LanguageModel } from '../src/engine/model';
import type { StepResult } from '../src/engine/model';
import { batchedTokenValues } from '../src/host/model-host/token-values';
import { ROOT, arg, bestOfPair, check, fmt, maxDiff, threadsArg } from './common';

/** The pre-issue-8 reading: one batched KV-cache step per position, each step's pooled max is that token's value. */
async function cacheWalk(model: LanguageModel, texts: string[], sites: string[]): Promise<Float32Array[][]> {
  const ids = texts.map((t) => model.tokenizer.encode(t).slice(0, Math.min(128, model.facts.maxPositions ?? Infinity)));
  const widths = sites.map((id) => model.site(id).neurons);
  const T = Math.max(...ids.map((x) => x.length));
  const values = ids.map((x) => sites.map((_, s) => new Float32Array(x.length * widths[s]!)));
  const pad = model.facts.padTokenId ?? 0;
  const mask: number[][] = ids.map(() => []);
  let past: StepResult['present'];
  for (let step = 0; step < T; step++) {
    const feed = ids.map((x, b) => {
      const t = step - (T - x.length);
      mask[b]!.push(t >= 0 ? 1 : 0);
      return [t >= 0 ? x[t]! : pad];
    });
    const r = await model.stepAndPool({ ids: feed, mask: mask.map((m) => m.slice()), ...(past ? { past } : {}), pool: sites, logits: 'none' });
    past = r.present;
    ids.forEach((x, b) => {
      const t = step - (T - x.length);
      if (t >= 0) sites.forEach((id, s) => values[b]![s]!.set(r.pooled.get(id)!.max.subarray(b * widths[s]!, (b + 1) * widths[s]!), t * widths[s]!));
    });
  }
  for (const x of ids) tokenSpans(model, x);
  return values;
}

async function main(): Promise<void> {
  const reps = arg('reps', 3);
  const n = arg('texts', 24);
  const threads = threadsArg();
  const texts = readFileSync(join(ROOT, 'media', 'demo', 'concept.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => (JSON.parse(l) as { text: string }).text)
    .sort((a, b) => b.length - a.length || (a < b ? -1 : 1))
    .slice(0, n);
  const model = await LanguageModel.open(join(ROOT, 'media', 'demo', 'model'), { threads });
  const site = model.sites[Math.floor(model.sites.length / 2)]!.id;
  const batched = async () => (await batchedTokenValues(model, texts, [site])).map((a) => [a.values.get(site)!]);
  // As the model process does on open (model-work.ts warmUp): the session exists before any detail.
  await model.step({ ids: [[model.facts.eosTokenIds[0] ?? 0]], mask: [[1]], logits: 'last' });
  let t = performance.now();
  const first = await batched();
  const coldS = (performance.now() - t) / 1000;
  const [now, before] = await bestOfPair(reps, batched, () => cacheWalk(model, texts, [site]));
  // CPU time of one batched read (onnxruntime's threads included): less sensitive to other load than wall time.
  const cpu0 = process.cpuUsage();
  await batched();
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  let d = 0;
  now.value.forEach((v, i) => (d = Math.max(d, maxDiff(v[0]!, before.value[i]![0]!))));
  const tokens = first.reduce((s, v) => s + v[0]!.length / model.site(site).neurons, 0);
  const figures = { texts: texts.length, tokens, site, threads, reps, firstDetailSeconds: coldS, batchedSeconds: now.seconds, batchedCpuSeconds: cpuSeconds, cacheWalkSeconds: before.seconds, speedup: before.seconds / now.seconds, maxAbsDiff: d };
  console.log(`neuron detail, ${texts.length} texts (${tokens} tokens), ${site}, ${threads} threads, best of ${reps}:`);
  console.log(`  one batched forward ${fmt(now.seconds, 3)} s (CPU ${fmt(cpuSeconds, 3)} s; first detail after open ${fmt(coldS, 3)} s); KV-cache walk ${fmt(before.seconds, 3)} s: ${fmt(figures.speedup, 1)}x`);
  check('batched forward vs KV-cache walk, every value', d, 1e-4);
  console.log(JSON.stringify(figures));
  await model.dispose();
}

void main().catch((e) => {
  console.error(e);
  process.exit(2);
});
