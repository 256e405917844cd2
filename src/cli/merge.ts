import { mergeShards } from '../aura/profile/merge';
import { num, parse, requireStr } from './args';
import { makeOutput } from './output';
import { guardOutputFolder } from '../aura/output-guard';

export async function mergeCommand(argv: string[]): Promise<void> {
  const p = parse(argv, { out: 'string', threads: 'string' });
  const out = requireStr(p.flags, 'out');
  const threads = num(p.flags, 'threads', { min: 1, max: 256, integer: true });
  guardOutputFolder('--out', out, { inputs: p.positionals.map((s) => ({ path: s, what: 'a shard folder it reads' })) });
  const o = makeOutput(!!p.flags.json);
  const t = performance.now();
  const r = await mergeShards(p.positionals, out, threads ? { threads } : {});
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
