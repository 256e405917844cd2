// Prints the README's "Performance" table (Markdown) from bench/results.json, so the figures in the
// README are the ones a run measured, never typed in by hand. Every row says the threads each side ran
// at (and which one its best came from), the work done (tokens, padded tokens, forward FLOPs, achieved
// GFLOP/s) where a row times a model, and the spread (median and min-max of the runs) of its figure.
//   node --import tsx bench/report.ts [RESULTS_JSON]
import { readFileSync } from 'node:fs';
import { RESULTS, fmt } from './common';
import { legacyTable } from './report-legacy';
import type { Spread } from './spread';
import { fmtSpread } from './spread';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const r = JSON.parse(readFileSync(process.argv[2] ?? RESULTS, 'utf8')) as Any;
// A results file from before threads, work and spread were recorded keeps its own table.
const current = (r.e2e === undefined || r.e2e.sides !== undefined) && (r.matmul === undefined || r.matmul.runs !== undefined) && (r.auroc === undefined || r.auroc.runs !== undefined);
if (!current) {
  for (const line of legacyTable(r)) console.log(line);
} else {
  const rows: string[][] = [];
  const x = (v: number): string => `${fmt(v, 1)}x`;
  const sx = (s: Spread): string => `median ${fmtSpread(s, 1, 'x')}`;
  const t = (n: number): string => `${n} thread${n === 1 ? '' : 's'}`;
  const ok = (s: Any | undefined): string => (s === undefined ? '' : s.agree ? 'all values agree' : '**values differ**');
  if (r.e2e) {
    const e = r.e2e;
    const shape = `GPT-2${e.model.layers === 12 && e.model.d === 768 ? '-small' : ''} shape (${e.model.layers} layers, d=${e.model.d})`;
    const threads = e.threadCounts.join(' and ');
    const tuned = e.tunedName as string;
    const work = (side: 'auraLens' | 'tuned' | 'mlaura', name: string): string => {
      const w = e.work[side];
      const f = e.sides[side].bestForward;
      return `${name}: ${w.tokens} tokens, ${w.paddedTokens} padded, ${fmt(w.gflop, 0)} GFLOP${w.lmHead ? ' (LM head)' : ''}, forward ${fmt(f.gflops, 1)} GFLOP/s at ${t(f.threads)}`;
    };
    const best = (side: 'auraLens' | 'tuned' | 'mlaura', name: string): string => `${name} best ${fmt(e.sides[side].best.seconds, 1)} s at ${t(e.sides[side].best.threads)}`;
    const agreed = (k: 'mlaura' | 'tuned'): string => {
      const a = e.agreement[k];
      return `${a.agree ? 'all values agree' : '**values differ: the comparison failed**'} (${e.neuronsCompared} AUROCs every run, each within its near-tie bound, max diff ${a.maxAbsDiff.toExponential(1)})`;
    };
    const ratio = (q: Any, theirs: string): string => `aura-lens at ${t(q.auraLensThreads)}, ${theirs} at ${t(q.theirThreads)} (each run at ${threads})`;
    const what = `${e.texts} texts, ${shape}`;
    rows.push([
      `**end to end against what users run today**: \`aura-lens profile\` (statistics off) vs PyTorch hooks + scikit-learn as ml-aura runs them (data order, LM head), ${what}`,
      x(e.ratios.endToEnd.vsMlAura.value),
      '>= 10x',
      ratio(e.ratios.endToEnd.vsMlAura, 'ml-aura-style'),
      `${work('auraLens', 'aura-lens')}; ${work('mlaura', 'ml-aura-style')}`,
      `per turn ${sx(e.ratios.endToEnd.vsMlAura.perTurn)}; ${best('auraLens', 'aura-lens')} (over the same ${e.mlauraRepeat} turns), ${best('mlaura', 'ml-aura-style')}`,
      `${agreed('mlaura')}; peak RSS ${fmt(e.sides.auraLens.byThreads[e.sides.auraLens.best.threads].peakRssMiB, 0)} vs ${fmt(e.sides.mlaura.byThreads[e.sides.mlaura.best.threads].peakRssMiB, 0)} MiB`,
    ]);
    rows.push([
      `end to end vs ${tuned}, rank AUROC, ${what}`,
      x(e.ratios.endToEnd.vsTuned.value),
      '>= 2x',
      ratio(e.ratios.endToEnd.vsTuned, 'PyTorch'),
      `${work('tuned', 'PyTorch')}`,
      `per turn ${sx(e.ratios.endToEnd.vsTuned.perTurn)}; ${best('auraLens', 'aura-lens')}, ${best('tuned', 'PyTorch')}`,
      `${agreed('tuned')}; peak RSS ${fmt(e.sides.tuned.byThreads[e.sides.tuned.best.threads].peakRssMiB, 0)} MiB`,
    ]);
    const q = e.ratios.equalWork.vsTuned;
    rows.push([
      `**engine against engine, same batches**: forward stage vs ${tuned}; not equal work yet: aura-lens's forward also computes the LM head (onnxruntime runs its whole session) and includes building its session, PyTorch's is cut and excludes loading the model, so the row leans against aura-lens`,
      x(q.value),
      '',
      ratio(q, 'PyTorch'),
      `both ${e.work.auraLens.paddedTokens} padded tokens; ${fmt(e.work.auraLens.gflop, 0)}${e.work.auraLens.lmHead ? ' (LM head)' : ''} vs ${fmt(e.work.tuned.gflop, 0)} GFLOP; ${fmt(q.auraLensSeconds, 1)} vs ${fmt(q.theirSeconds, 1)} s`,
      `per turn ${sx(q.perTurn)}`,
      'padded tokens checked equal',
    ]);
    const d = e.defaultProfile;
    rows.push([
      `\`aura-lens profile\`, default settings (bootstrap and permutations on), first run, cold weight cache, ${what}`,
      `${fmt(d.seconds, 1)} s: ${x(d.vsTuned)} PyTorch (sorted, head cut), ${x(d.vsMlAura)} ml-aura-style`,
      '>= 1.5x and >= 4x; statistics <= 25% of the forward; peak RSS <= 1.5 GB',
      `${d.threads}; baselines at their best`,
      `forward ${fmt(d.timing.forwardS, 1)} s, statistics ${fmt(d.timing.significanceS, 1)} s = ${fmt(100 * d.statsShareOfForward, 0)}% of the forward`,
      'one run (a first run happens once)',
      `peak RSS ${fmt(d.peakRssMiB, 0)} MiB`,
    ]);
    const sh = e.forwardShareOfMatmul as Spread;
    const ot = e.sides.auraLens.best.threads;
    const peak = e.matmul.onnxruntimeGflops[ot] as Spread;
    rows.push([
      "aura-lens forward GFLOP/s / onnxruntime MatMul GFLOP/s, each turn's forward over the peak measured in that turn",
      `${fmt(100 * sh.median, 0)}%`,
      '>= 60%',
      t(ot),
      `forward ${fmtSpread(e.sides.auraLens.byThreads[ot].forwardGflops, 1, ' GFLOP/s')}; ${e.tokensPerSecond} tokens/s`,
      `median ${fmt(100 * sh.median, 0)}% (${fmt(100 * sh.min, 0)}–${fmt(100 * sh.max, 0)}%, ${sh.runs} runs); peak ${fmtSpread(peak, 1, ' GFLOP/s')}`,
      '',
    ]);
  }
  if (r.statsCost) {
    // bench/stats-cost.ts: the default profile's statistics against the forward of the same run.
    const c = r.statsCost;
    const a = c.after;
    const before = c.before ? `; before: ${fmt(100 * c.before.shareOfForward, 0)}%, peak RSS ${fmt(c.before.peakRssMiB, 0)} MiB` : '';
    const boot = a.stats?.intervals ? `, ${a.stats.intervals.bootstrapped} of ${a.stats.neurons} neurons bootstrapped` : '';
    rows.push([
      `default profile's statistics (${a.stats?.resamples} resamples, ${a.stats?.null?.permutations ?? 0} permutations), ${c.texts} texts, GPT-2-small shape: share of the forward`,
      `${fmt(100 * a.shareOfForward, 0)}%`,
      '<= 25%',
      c.threads !== undefined ? t(c.threads) : '',
      `${fmt(a.statisticsS, 1)} of ${fmt(a.forwardS, 1)} s${boot}`,
      'one run',
      `peak RSS ${fmt(a.peakRssMiB, 0)} MiB (goal <= 1536)${before}${c.sameResults === false ? '; **before and after differ**' : ''}; load average ${c.loadAverageAtEnd}`,
    ]);
  }
  if (r.auroc) {
    const a = r.auroc;
    const what = `AUROC, ${a.positives}+${a.negatives} x ${a.neurons} neurons`;
    const s = (k: string) => `${fmt(a.seconds[k].median, 3)} s`;
    rows.push([`${what} vs ml-aura's compute_auroc (chunks of 10, Pool(${a.threads}))`, x(a.ratios.vsMlAuraEqualThreads.median), '>= 10x', `${t(a.threads)} each`, `${s('auraLensT')} vs ${s('mlaura')} (medians)`, sx(a.ratios.vsMlAuraEqualThreads), ok(a)]);
    rows.push([`${what} vs vectorised NumPy rank AUROC`, x(a.ratios.vsRankEqualThreads.median), '>= 3x', `${t(a.threads)} each`, `${s('auraLensT')} vs ${s('rankT')} (medians)`, sx(a.ratios.vsRankEqualThreads), ok(a)]);
    rows.push([`${what} vs vectorised NumPy rank AUROC`, x(a.ratios.vsRankOneThread.median), '', '1 thread each', `${s('auraLens1')} vs ${s('rank1')} (medians)`, sx(a.ratios.vsRankOneThread), ok(a)]);
  }
  if (r.extraction) {
    const e = r.extraction;
    for (const mode of ['head', 'cut'] as const) {
      if (!e[mode]) continue;
      rows.push([`extraction, ${e.texts} texts, ${e.sites} sites, ${mode === 'head' ? 'both with the LM head' : 'both cut after the last site'}, vs PyTorch hooks`, x(e[mode].ratio), '', `${t(e.threads)} each`, `${fmt(e[mode].auraLensGflops, 1)} vs ${fmt(e[mode].torchGflops, 1)} GFLOP/s`, `best of ${e.reps}`, `${ok(e)} (${e[mode].valuesCompared} values)`]);
    }
  }
  for (const [section, shape] of [
    ['engine', 'demo model'],
    ['engineGpt2Small', 'GPT-2-small shape'],
  ] as const) {
    // One row per intervention form the rewritten session can carry (src/engine/intervention-form.ts).
    const g = r[section] as Any | undefined;
    if (!g?.forms) continue;
    // The goal is set at GPT-2-small shape; the demo model's rows (a tiny model, where a step is mostly
    // fixed cost) stay in results.json and print only when no GPT-2-small run was recorded.
    if (section === 'engine' && r.engineGpt2Small?.forms) continue;
    const what: Record<string, string> = { none: 'no intervention (profile, plain generation)', gain: 'gains (AurA)', affine: 'gains and a bias', range: 'gains, bias and range (Linear-AcT)' };
    const forms = Object.entries(g.forms as Record<string, Any>);
    if (!forms.some(([, f]) => f.generation)) {
      // Recorded before first-token latency and spread were measured: best of N, as it was printed then.
      const old = (v: number | undefined) => (v === undefined ? 'not run' : `${fmt(100 * (v - 1), 1)}%`);
      for (const [form, f] of forms) {
        rows.push([`engine overhead, ${shape}, ${form} form, ${what[form] ?? form}: forward with every logit vs the graph as exported`, old(f.forwardOverPlainTime), '', t(g.threads), '', `best of ${g.reps}`, ok(g)]);
        if (f.generationOverPlainTime !== undefined) rows.push([`engine overhead, ${shape}, ${form} form: greedy generation vs the graph as exported`, old(f.generationOverPlainTime), '', t(g.threads), '', `best of ${g.reps}`, ok(g)]);
      }
      continue;
    }
    const pct = (v: number | undefined) => (v === undefined ? 'not run' : `${v >= 0 ? '+' : ''}${fmt(100 * v, 1)}%`);
    const spread = (o: Any) => `median of ${g.reps} interleaved pairs, ${pct(o.min)} to ${pct(o.max)}; best vs best ${pct(o.best)}; load average ${fmt(g.loadAverageAtStart, 1)} at the start`;
    for (const [form, f] of forms) {
      const label = `engine overhead, ${shape}, ${form} form, ${what[form] ?? form}`;
      rows.push([`${label}: forward with every logit vs the graph as exported`, pct(f.forwardOverhead.median), '', t(g.threads), '', spread(f.forwardOverhead), ok(g)]);
      const gen = f.generation as Any;
      const tps = `${fmt(gen.plainDecodeTokensPerSecond.median, 1)} vs ${fmt(gen.rewrittenDecodeTokensPerSecond.median, 1)} tokens/s (exported vs rewritten)`;
      rows.push([`${label}: time per generated token vs the graph as exported`, pct(gen.decodeOverhead.median), '<= 5%', t(g.threads), tps, spread(gen.decodeOverhead), ok(g)]);
      const ms = `first token ${fmt(gen.plainFirstTokenMs.median, 1)} vs ${fmt(gen.rewrittenFirstTokenMs.median, 1)} ms`;
      rows.push([`${label}: first-token latency vs the graph as exported`, pct(gen.firstTokenOverhead.median), '<= 5%', t(g.threads), ms, spread(gen.firstTokenOverhead), ok(g)]);
    }
  }
  if (r.matmul) {
    const m = r.matmul;
    rows.push([`matmul ${m.shape.join('x')}: onnxruntime vs PyTorch (${m.torchBlas.map((b: string) => b.split('/').pop()).join(', ')})`, `${fmt(m.onnxruntimeGflops.median, 1)} vs ${fmt(m.torchGflops.median, 1)} GFLOP/s`, '', t(m.threads), '', `onnxruntime ${fmtSpread(m.onnxruntimeGflops, 1)}, PyTorch ${fmtSpread(m.torchGflops, 1)} GFLOP/s`, '']);
  }
  const m = (Object.values(r).find((v) => typeof v === 'object' && v && (v as Any).machine) as Any | undefined)?.machine as Any | undefined;
  console.log(`Measured ${m ? `on ${m.cpus} x ${m.cpu}, ${m.memoryGiB} GiB, Node ${m.node}, onnxruntime-node ${m.onnxruntimeNode}, load average ${fmt(m.loadAverage1min, 1)} when recorded` : ''}${r.e2e ? `, ${r.e2e.date.slice(0, 10)}` : ''}.\n`);
  console.log('| comparison | aura-lens | goal | threads | work | spread | checks |\n|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}
