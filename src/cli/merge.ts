import { mergeShards } from '../aura/profile/merge';
import * as v from 'valibot';
import { command, number, parseCommand, positionals, required } from './flag-schema';
import { makeOutput } from './output';
import { guardOutputFolder } from '../aura/output-guard';

const MERGE = v.pipe(
  command({
    _: positionals(['SHARD_DIR (usage: aura-lens merge SHARD_DIR... --out DIR)'], { min: 0, rest: true }),
    out: required('out'),
    threads: number('threads', { min: 1, max: 256, integer: true }),
  }),
  v.transform((o) => ({ shards: o._, out: o.out, threads: o.threads, json: o.json })),
);

export type MergeOptions = v.InferOutput<typeof MERGE>;

/** Every flag of `merge`, checked before any shard is read. */
export function mergeOptions(argv: string[]): MergeOptions {
  return parseCommand('merge', argv, MERGE);
}

export async function mergeCommand(argv: string[]): Promise<void> {
  const { shards, out, threads, json } = mergeOptions(argv);
  const o = makeOutput(json);
  guardOutputFolder('--out', out, { inputs: shards.map((s) => ({ path: s, what: 'a shard folder it reads' })) });
  const t = performance.now();
  const r = await mergeShards(shards, out, threads ? { threads } : {});
  const seconds = (performance.now() - t) / 1000;
  const best = [...r.summaries].sort((a, b) => b.bestAuroc - a.bestAuroc)[0];
  o.result(
    {
      out,
      shards: r.shards,
      positives: r.manifest.data.positives,
      negatives: r.manifest.data.negatives,
      sites: r.manifest.sites,
      pooling: r.manifest.pooling,
      seconds,
      ...(r.manifest.sketch ? { sketch: { bins: r.manifest.sketch.bins, maxBound: Math.max(...r.summaries.map((s) => ('maxBound' in s ? s.maxBound : 0))) } } : {}),
    },
    [
      `merged ${r.shards} shards: ${r.manifest.data.positives} positives and ${r.manifest.data.negatives} negatives on ${r.manifest.sites.length} sites in ${seconds.toFixed(1)} s`,
      best ? `best AUROC ${best.bestAuroc.toFixed(4)}${'bestBound' in best ? ` ± ${best.bestBound.toFixed(4)}` : ''} at ${best.id}; experts (AUROC > 0.5): ${r.summaries.reduce((a, s) => a + s.experts, 0)}` : '',
      r.manifest.sketch ? `sketch of ${r.manifest.sketch.bins} bins: every AUROC is within ${Math.max(...r.summaries.map((s) => ('maxBound' in s ? s.maxBound : 0))).toFixed(4)} of the exact value (proven bound)` : '',
      `written to ${out}`,
    ]
      .filter(Boolean)
      .join('\n'),
  );
}
