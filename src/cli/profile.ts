import { loadConceptData } from '../aura/datasets';
import { profileConcept } from '../aura/profile';
import { LanguageModel } from '../engine/model';
import * as v from 'valibot';
import { prepareProfileFolder } from '../aura/profile/folder';
import { command, delimiterFlag, list, number, oneOf, parseCommand, positionals, required, rule, shard, text } from './flag-schema';
import { PROVIDERS, epFlag } from './ep';
import { makeOutput, statsProgress } from './output';
import { checkBootstrapWork } from '../aura/stats/work-budget';
import { statsReport } from './fit';
import { dataNotes } from './data-notes';
import { profileStatistics } from '../aura/stats/significance';
import type { SketchSummary } from '../aura/profile/sketch-profile';
import { guardOutputFolder } from '../aura/output-guard';

const POOLINGS = ['max', 'mean'] as const;
const INTERVALS = ['screened', 'all'] as const;

const PROFILE = v.pipe(
  command({
    _: positionals(['MODEL_DIR (usage: aura-lens profile MODEL_DIR --data FILE --out DIR)']),
    data: required('data'),
    out: required('out'),
    sites: list('sites'),
    pooling: oneOf('pooling', POOLINGS),
    'max-per-class': number('max-per-class', { min: 1, integer: true }),
    'seq-len': number('seq-len', { min: 1, max: 8192, integer: true }),
    'batch-size': number('batch-size', { min: 1, max: 1024, integer: true }),
    'text-column': text('text-column'),
    'label-column': text('label-column'),
    delimiter: delimiterFlag(),
    seed: number('seed', { integer: true }),
    threads: number('threads', { min: 1, max: 256, integer: true }),
    bootstrap: number('bootstrap', { min: 0, max: 100000, integer: true }),
    permutations: number('permutations', { min: 0, max: 1000, integer: true }),
    intervals: oneOf('intervals', INTERVALS),
    ep: oneOf('ep', PROVIDERS),
    shard: shard(),
    sketch: number('sketch', { min: 1, max: 65_536, integer: true }),
    'calibration-batches': number('calibration-batches', { min: 1, max: 10_000, integer: true }),
  }),
  rule((o) => o['calibration-batches'] === undefined || o.sketch !== undefined, '--calibration-batches: only with --sketch BINS'),
  // The statistics read the stored responses of a whole profile: a sketch keeps none, a shard is a part.
  rule(
    (o) => (o.bootstrap === undefined && o.permutations === undefined && o.intervals === undefined) || (o.sketch === undefined && o.shard === undefined),
    (o) => `--${o.bootstrap !== undefined ? 'bootstrap' : o.permutations !== undefined ? 'permutations' : 'intervals'}: ${o.sketch !== undefined ? 'a --sketch profile keeps no responses to resample' : 'a --shard has no statistics (run fit or profile on the merged folder)'}`,
  ),
  v.transform((o) => ({
    dir: o._[0]!,
    data: o.data,
    out: o.out,
    sites: o.sites,
    pooling: o.pooling ?? 'max',
    maxPerClass: o['max-per-class'],
    seqLen: o['seq-len'] ?? 128,
    seqLenGiven: o['seq-len'] !== undefined,
    batchSize: o['batch-size'] ?? 16,
    textColumn: o['text-column'] || undefined,
    labelColumn: o['label-column'] || undefined,
    delimiter: o.delimiter,
    seed: o.seed ?? 0,
    threads: o.threads,
    // Intervals cost one pass over the examples per resample and neuron; 100 keeps large profiles quick.
    bootstrap: o.bootstrap ?? 100,
    permutations: o.permutations ?? 10,
    // profile reports only what the intervals decide (near-chance experts, the median width), so by
    // default it bootstraps only the neurons whose verdict depends on it (docs/statistics.md).
    intervals: o.intervals ?? 'screened',
    ep: o.ep,
    shard: o.shard,
    bins: o.sketch,
    calibration: o['calibration-batches'],
    json: o.json,
  })),
);

export type ProfileOptions = v.InferOutput<typeof PROFILE>;

/** Every flag of `profile`, checked before the model opens or the data is read. */
export function profileOptions(argv: string[]): ProfileOptions {
  return parseCommand('profile', argv, PROFILE);
}
import type { StabilityEntry } from '../aura/profile/score';

export async function profileCommand(argv: string[]): Promise<void> {
  const { dir, data, out, sites, pooling, maxPerClass, seqLen, batchSize, textColumn, labelColumn, seed, threads, shard, bins, calibration, ...rest } = profileOptions(argv);
  const ep = epFlag({ ep: rest.ep });
  // Before minutes of loading: a file or a foreign folder as --out is the user's to fix.
  guardOutputFolder('--out', out, { inputs: [{ path: data, what: 'the data file it reads' }], modelDirs: [dir] });
  prepareProfileFolder(out);
  const o = makeOutput(rest.json);
  const concept = await loadConceptData(
    {
      kind: 'file',
      path: data,
      ...(textColumn ? { textColumn, textKey: textColumn } : {}),
      ...(labelColumn ? { labelColumn, labelKey: labelColumn } : {}),
      ...(rest.delimiter ? { delimiter: rest.delimiter } : {}),
    },
    { seed, ...(maxPerClass ? { maxPerClass } : {}) },
  );
  for (const note of dataNotes(data, concept.stats)) o.log(note);
  const custom = sites?.filter((s) => s.startsWith('custom:')).map((s) => s.slice('custom:'.length));
  const model = await LanguageModel.open(dir, { ...(threads ? { threads } : {}), ...(custom?.length ? { customSites: custom } : {}), ...ep });
  try {
    // The statistics after the profile: a --bootstrap past its work budget is refused now, not after the profiling.
    if (!bins && !shard) checkBootstrapWork(rest.bootstrap, (sites ?? model.sites.map((s) => s.id)).reduce((a, id) => a + model.site(id).neurons, 0), concept.examples.length);
    const context = model.facts.maxPositions;
    if (context !== undefined && seqLen > context && rest.seqLenGiven) o.log(`profile: --seq-len ${seqLen} is past the model's context of ${context} tokens; texts are truncated to ${context}`);
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
        { out, positives: concept.positives, negatives: concept.negatives, dataRows: concept.stats, sites: r.manifest.sites, seconds: r.seconds, reusedBatches: r.reusedBatches, pooling, shard },
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
        { out, positives: concept.positives, negatives: concept.negatives, dataRows: concept.stats, sites: r.manifest.sites, seconds: r.seconds, reusedBatches: r.reusedBatches, pooling, sketch: { bins, maxBound, summaries: sk }, ...profileTiming(r.timing) },
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
    const statsStart = performance.now();
    const stats = profileStatistics(out, { pooling, resamples: rest.bootstrap, permutations: rest.permutations, intervals: rest.intervals, onProgress: statsProgress('profile', o.log) });
    const significanceS = (performance.now() - statsStart) / 1000;
    const stability = r.stability;
    const warnings = [...stats.warnings, ...(stability && 'warning' in stability && stability.warning ? [stability.warning] : [])];
    for (const w of warnings) o.log(`warning: ${w}`);
    o.result(
      {
        out,
        positives: concept.positives,
        negatives: concept.negatives,
        dataRows: concept.stats,
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
