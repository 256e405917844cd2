import { loadConceptData } from '../aura/datasets';
import { profileConcept } from '../aura/profile';
import { LanguageModel } from '../engine/model';
import { UserError } from '../engine/errors';
import { prepareProfileFolder } from '../aura/profile/folder';
import { num, parse, positional, requireStr, shardArg, str } from './args';
import { epFlag } from './ep';
import { makeOutput } from './output';
import { statsReport } from './fit';
import { profileStatistics } from '../aura/stats/significance';
import type { SketchSummary } from '../aura/profile/sketch-profile';
import type { StabilityEntry } from '../aura/profile/score';

export async function profileCommand(argv: string[]): Promise<void> {
  const p = parse(argv, {
    data: 'string',
    sites: 'string',
    pooling: 'string',
    'max-per-class': 'string',
    'seq-len': 'string',
    'batch-size': 'string',
    'text-column': 'string',
    'label-column': 'string',
    seed: 'string',
    out: 'string',
    threads: 'string',
    bootstrap: 'string',
    permutations: 'string',
    ep: 'string',
    shard: 'string',
    sketch: 'string',
    'calibration-batches': 'string',
  });
  const dir = positional(p, 0, 'MODEL_DIR (usage: aura-lens profile MODEL_DIR --data FILE --out DIR)');
  const data = requireStr(p.flags, 'data');
  const out = requireStr(p.flags, 'out');
  const pooling = str(p.flags, 'pooling') ?? 'max';
  if (pooling !== 'max' && pooling !== 'mean') throw new UserError(`--pooling: expected max or mean, got "${pooling}"`);
  const maxPerClass = num(p.flags, 'max-per-class', { min: 1, integer: true });
  const seqLen = num(p.flags, 'seq-len', { min: 1, max: 8192, integer: true }) ?? 128;
  const batchSize = num(p.flags, 'batch-size', { min: 1, max: 1024, integer: true }) ?? 16;
  const seed = num(p.flags, 'seed', { integer: true }) ?? 0;
  const threads = num(p.flags, 'threads', { min: 1, max: 256, integer: true });
  const shard = shardArg(p.flags);
  const bins = num(p.flags, 'sketch', { min: 1, max: 65_536, integer: true });
  const calibration = num(p.flags, 'calibration-batches', { min: 1, max: 10_000, integer: true });
  if (calibration !== undefined && bins === undefined) throw new UserError('--calibration-batches: only with --sketch BINS');
  // Before minutes of loading: a file or a foreign folder as --out is the user's to fix.
  prepareProfileFolder(out);
  const sites = str(p.flags, 'sites')?.split(',').map((s) => s.trim()).filter(Boolean);
  const o = makeOutput(!!p.flags.json);
  const textColumn = str(p.flags, 'text-column');
  const labelColumn = str(p.flags, 'label-column');
  const concept = await loadConceptData(
    {
      kind: 'file',
      path: data,
      ...(textColumn ? { textColumn, textKey: textColumn } : {}),
      ...(labelColumn ? { labelColumn, labelKey: labelColumn } : {}),
    },
    { seed, ...(maxPerClass ? { maxPerClass } : {}) },
  );
  const custom = sites?.filter((s) => s.startsWith('custom:')).map((s) => s.slice('custom:'.length));
  const model = await LanguageModel.open(dir, { ...(threads ? { threads } : {}), ...(custom?.length ? { customSites: custom } : {}), ...epFlag(p.flags) });
  try {
    const context = model.facts.maxPositions;
    if (context !== undefined && seqLen > context && p.flags['seq-len'] !== undefined) o.log(`profile: --seq-len ${seqLen} is past the model's context of ${context} tokens; texts are truncated to ${context}`);
    const r = await profileConcept(model, concept, out, {
      ...(sites ? { sites } : {}),
      ...(shard ? { shard } : {}),
      ...(bins ? { sketch: { bins, ...(calibration ? { calibration } : {}) } } : {}),
      sampling: { maxPerClass: maxPerClass ?? null, seed },
      // Scoring and the statistics read only the folder: the weights need not stay beside them.
      afterExtract: () => model.releaseSessions(),
      pooling,
      seqLen,
      batchSize,
      onProgress: (e) => {
        if (e.batch % 10 === 0 || e.batch === e.batches) o.log(`profile: batch ${e.batch}/${e.batches}${e.reused ? ' (reused)' : ''}`);
      },
    });
    if (shard) {
      o.result(
        { out, positives: concept.positives, negatives: concept.negatives, sites: r.manifest.sites, seconds: r.seconds, reusedBatches: r.reusedBatches, pooling, shard },
        `shard ${shard.index}/${shard.count}: ${r.manifest.batches} batches in all, this shard's written to ${out} in ${r.seconds.toFixed(1)} s; when every shard is done: aura-lens merge SHARD_DIR... --out DIR`,
      );
      return;
    }
    const best = [...r.summaries].sort((a, b) => b.bestAuroc - a.bestAuroc)[0];
    if (bins) {
      const sk = r.summaries as SketchSummary[];
      const maxBound = Math.max(...sk.map((s) => s.maxBound));
      const top = best as SketchSummary | undefined;
      o.result(
        { out, positives: concept.positives, negatives: concept.negatives, sites: r.manifest.sites, seconds: r.seconds, reusedBatches: r.reusedBatches, pooling, sketch: { bins, maxBound, summaries: sk }, ...profileTiming(r.timing) },
        [
          `sketched ${concept.positives} positives and ${concept.negatives} negatives on ${r.manifest.sites.length} sites in ${r.seconds.toFixed(1)} s, ${bins} bins per neuron`,
          top ? `best AUROC ${top.bestAuroc.toFixed(4)} ± ${top.bestBound.toFixed(4)} at ${top.id}; experts (AUROC > 0.5): ${sk.reduce((a, s) => a + s.experts, 0)}` : '',
          `every AUROC is within ${maxBound.toFixed(4)} of the exact value (proven bound; per neuron in auroc/*.bound.f64)`,
          `written to ${out}`,
        ].join('\n'),
      );
      return;
    }
    // Uncertainty from the stored responses (issue 9): significant experts, intervals, the null, and
    // a warning when a class is too small to support any claim.
    // Intervals cost one pass over the examples per resample and neuron; 100 keeps large profiles quick.
    const statsStart = performance.now();
    const stats = profileStatistics(out, { pooling, resamples: num(p.flags, 'bootstrap', { min: 0, max: 100000, integer: true }) ?? 100, permutations: num(p.flags, 'permutations', { min: 0, max: 1000, integer: true }) ?? 10 });
    const significanceS = (performance.now() - statsStart) / 1000;
    const stability = r.stability;
    const warnings = [...stats.warnings, ...(stability && 'warning' in stability && stability.warning ? [stability.warning] : [])];
    for (const w of warnings) o.log(`warning: ${w}`);
    o.result(
      {
        out,
        positives: concept.positives,
        negatives: concept.negatives,
        sites: r.manifest.sites,
        seconds: r.seconds,
        reusedBatches: r.reusedBatches,
        pooling,
        stats: statsReport(stats),
        tooSmall: stats.tooSmall,
        ...(stability ? { stability } : {}),
        warnings,
        ...profileTiming(r.timing, significanceS),
      },
      [
        `profiled ${concept.positives} positives and ${concept.negatives} negatives on ${r.manifest.sites.length} sites in ${r.seconds.toFixed(1)} s${r.reusedBatches ? ` (${r.reusedBatches} batches reused)` : ''}`,
        best ? `best AUROC ${best.bestAuroc.toFixed(4)} at ${best.id}; experts (AUROC > 0.5): ${r.summaries.reduce((a, s) => a + s.experts, 0)}` : '',
        `significant experts (q <= ${stats.summary.maxQ}): ${stats.summary.significant}`,
        ...(stability ? [stabilityLine(stability)] : []),
        ...warnings.map((w) => `warning: ${w}`),
        timingLine(r.timing, significanceS),
        `written to ${out}`,
      ].join('\n'),
    );
  } finally {
    await model.dispose();
  }
}

/** One line: the split-half overlaps and rank correlation, and the verdict. */
export function stabilityLine(s: StabilityEntry): string {
  if ('unavailable' in s) return `stability: ${s.unavailable}`;
  const overlaps = s.topK.map((t) => `top-${t.k} Jaccard ${t.jaccard.toFixed(2)}`).join(', ');
  return `stability (two seeded halves of each class): ${overlaps}; Spearman ${s.spearman === null ? 'n/a' : s.spearman.toFixed(3)}; ${s.stable ? 'stable' : 'UNSTABLE'}`;
}

type Timing = Awaited<ReturnType<typeof profileConcept>>['timing'];

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

/** The timing breakdown of `profile --json`: seconds per stage and the forward pass's throughput. */
export function profileTiming(t: Timing, significanceS = 0): { timing: Record<string, number>; tokens: number; paddedTokens: number; tokensPerSecond: number } {
  const e = t.extract;
  const s = t.score;
  return {
    timing: {
      tokenizeS: r3(e.tokenizeS),
      batchingS: r3(e.batchingS),
      forwardS: r3(e.forwardS),
      poolingS: r3(e.poolingS),
      writingS: r3(e.writingS + s.writingS),
      readingS: r3(s.readingS),
      aurocS: r3(s.aurocS),
      statsS: r3(s.statsS),
      // After the profile proper (not in `seconds`): significance, intervals and the null from the responses.
      significanceS: r3(significanceS),
    },
    tokens: e.tokens,
    paddedTokens: e.paddedTokens,
    // Real tokens per second of forward pass (padding is work the model does but not throughput).
    tokensPerSecond: e.forwardS > 0 ? Math.round(e.tokens / e.forwardS) : 0,
  };
}

function timingLine(t: Timing, significanceS: number): string {
  const p = profileTiming(t, significanceS);
  const parts = Object.entries(p.timing).map(([k, v]) => `${k.replace(/S$/, '')} ${v.toFixed(2)} s`);
  return `time: ${parts.join(', ')}; ${p.tokensPerSecond} tokens/s in the forward pass`;
}
