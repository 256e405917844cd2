// Prints the README's "Performance" table (Markdown) from bench/results.json, so the figures in the
// README are the ones a run measured, never typed in by hand.
//   node --import tsx bench/report.ts [RESULTS_JSON]
import { readFileSync } from 'node:fs';
import { RESULTS, fmt } from './common';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const r = JSON.parse(readFileSync(process.argv[2] ?? RESULTS, 'utf8')) as Any;
const rows: string[][] = [];
const x = (v: number | undefined): string => (v === undefined ? 'not run' : `${fmt(v, 1)}x`);
const ok = (s: Any | undefined): string => (s === undefined ? '' : s.agree ? 'all values agree' : '**values differ**');
if (r.e2e) {
  const e = r.e2e;
  const what = `profile, ${e.texts} texts, GPT-2${e.model.layers === 12 && e.model.d === 768 ? '-small' : ''} shape (${e.model.layers} layers, d=${e.model.d}), ${e.threads} threads`;
  const best = e.repeat ? `best of ${e.repeat} on each side; ` : '';
  const ceiling = (k: string): string => (e.ceilings ? `; ceiling at onnxruntime's matmul rate ${fmt(e.ceilings[k], 1)}x` : '');
  // Each baseline's own agreement: every AUROC within the bound its near-tied pairs allow (runs before
  // the bound was recorded were held to a fixed 1e-3).
  const agreed = (k: 'mlaura' | 'tuned'): string => {
    const a = e.agreement[k];
    const yes = a.agree ?? a.maxAbsDiff <= 1e-3;
    const rule = a.maxExcessOverBound !== undefined ? `each within its near-tie bound, largest bound ${a.maxBound.toExponential(1)}, responses apart by at most ${a.maxResponseDiff.toExponential(1)} (${a.maxRelativeResponseDiff.toExponential(1)} relative)` : 'allowed 1e-3';
    return `${yes ? 'all values agree' : '**values differ: the comparison failed**'} (${e.neuronsCompared} AUROCs, max diff ${a.maxAbsDiff.toExponential(2)}, ${rule})`;
  };
  rows.push([`${what} vs PyTorch hooks + scikit-learn as ml-aura runs them`, x(e.ratios.vsMlAura), '>= 10x', `${best}${agreed('mlaura')}; peak RSS ${fmt(e.auraLens.peakRssMiB, 0)} vs ${fmt(e.mlaura.peakRssMiB, 0)} MiB${ceiling('vsMlAura')}`]);
  rows.push([`${what} vs tuned PyTorch (sorted batches, cut model, ${e.tuned.stages.threads} thread${e.tuned.stages.threads === 1 ? "" : "s"}, rank AUROC)`, x(e.ratios.vsTuned), '>= 2x', `${best}${agreed('tuned')}; peak RSS ${fmt(e.tuned.peakRssMiB, 0)} MiB${ceiling('vsTuned')}`]);
  rows.push(['forward pass GFLOP/s / onnxruntime MatMul GFLOP/s', `${fmt(100 * e.forwardShareOfMatmulRate, 0)}%`, '>= 60%', `${fmt(e.auraLens.forwardGflops, 1)} of ${fmt(e.matmul.onnxruntimeGflops, 1)} GFLOP/s; ${e.auraLens.tokensPerSecond} tokens/s`]);
}
if (r.auroc) {
  const a = r.auroc;
  const what = `AUROC, ${a.positives}+${a.negatives} x ${a.neurons} neurons`;
  rows.push([`${what} vs ml-aura's compute_auroc (chunks of 10, Pool(${a.threads}))`, x(a.ratios.vsMlAuraEqualThreads), '>= 10x', ok(a)]);
  rows.push([`${what} vs vectorised NumPy rank AUROC, ${a.threads} threads each`, x(a.ratios.vsRankEqualThreads), '>= 3x', ok(a)]);
  rows.push([`${what} vs vectorised NumPy rank AUROC, 1 thread each`, x(a.ratios.vsRankOneThread), '', '']);
}
if (r.extraction) {
  const e = r.extraction;
  for (const mode of ['head', 'cut'] as const) {
    if (!e[mode]) continue;
    rows.push([`extraction, ${e.texts} texts, ${e.sites} sites, ${mode === 'head' ? 'both with the LM head' : 'both cut after the last site'}, vs PyTorch hooks (${e.threads} threads)`, x(e[mode].ratio), '', `${ok(e)} (${e[mode].valuesCompared} values)`]);
  }
}
for (const [section, shape] of [
  ['engine', 'demo model'],
  ['engineGpt2Small', 'GPT-2-small shape'],
] as const) {
  const g = r[section] as Any | undefined;
  // Results recorded before first-token latency and spread were measured print as they did (below).
  if (!g?.forms || !Object.values(g.forms as Record<string, Any>).some((f) => f.generation)) continue;
  // One row per intervention form the rewritten session can carry (src/engine/intervention-form.ts).
  const what: Record<string, string> = { none: 'no intervention (profile, plain generation)', gain: 'gains (AurA)', affine: 'gains and a bias', range: 'gains, bias and range (Linear-AcT)' };
  const pct = (t: number | undefined) => (t === undefined ? 'not run' : `${t >= 0 ? '+' : ''}${fmt(100 * t, 1)}%`);
  const spread = (o: Any) => `${pct(o.median)} (${pct(o.min)} to ${pct(o.max)}; best vs best ${pct(o.best)})`;
  const runs = `median of ${g.reps} interleaved pairs (min to max), ${g.threads} threads, load average ${fmt(g.loadAverageAtStart, 1)} at the start`;
  for (const [form, f] of Object.entries(g.forms as Record<string, Any>)) {
    const label = `engine overhead, ${shape}, ${form} form, ${what[form] ?? form}`;
    rows.push([`${label}: forward with every logit vs the graph as exported`, spread(f.forwardOverhead), '', `${ok(g)}; ${runs}`]);
    const gen = f.generation as Any;
    const tps = `${fmt(gen.plainDecodeTokensPerSecond.median, 1)} vs ${fmt(gen.rewrittenDecodeTokensPerSecond.median, 1)} tokens/s`;
    rows.push([`${label}: time per generated token vs the graph as exported`, spread(gen.decodeOverhead), '<= 5%', `${ok(g)}; ${tps}; ${runs}`]);
    const ms = `${fmt(gen.plainFirstTokenMs.median, 1)} vs ${fmt(gen.rewrittenFirstTokenMs.median, 1)} ms`;
    rows.push([`${label}: first-token latency vs the graph as exported`, spread(gen.firstTokenOverhead), '<= 5%', `${ok(g)}; ${ms}; ${runs}`]);
  }
}
if (r.engine?.forms && !Object.values(r.engine.forms as Record<string, Any>).some((f) => f.generation)) {
  // One row per intervention form the rewritten session can carry (src/engine/intervention-form.ts).
  const g = r.engine;
  const what: Record<string, string> = { none: 'no intervention (profile, plain generation)', gain: 'gains (AurA)', affine: 'gains and a bias', range: 'gains, bias and range (Linear-AcT)' };
  const pct = (t: number | undefined) => (t === undefined ? 'not run' : `${fmt(100 * (t - 1), 1)}%`);
  for (const [form, f] of Object.entries(g.forms as Record<string, Any>)) {
    rows.push([`engine overhead, ${form} form, ${what[form] ?? form}: forward with every logit vs the graph as exported`, pct(f.forwardOverPlainTime), '', ok(g)]);
    if (f.generationOverPlainTime !== undefined) rows.push([`engine overhead, ${form} form: greedy generation vs the graph as exported`, pct(f.generationOverPlainTime), '', ok(g)]);
  }
} else if (r.engine && !r.engine.forms) {
  const g = r.engine;
  rows.push(['engine overhead: forward with every logit, rewritten graph vs as exported', `${fmt(100 * (g.forward.rewrittenOverPlainTime - 1), 1)}%`, '', ok(g)]);
  rows.push(['engine overhead: generation with a (gain 1) intervention vs without', `${fmt(100 * (g.generation.intervenedOverPlainTime - 1), 1)}%`, '', ok(g)]);
}
if (r.matmul) {
  const m = r.matmul;
  rows.push([`matmul ${m.shape.join('x')}, ${m.threads} threads: onnxruntime vs PyTorch (${m.torchBlas.map((b: string) => b.split('/').pop()).join(', ')})`, `${fmt(m.onnxruntimeGflops, 1)} vs ${fmt(m.torchGflops, 1)} GFLOP/s`, '', '']);
}
const m = (Object.values(r).find((v) => typeof v === 'object' && v && (v as Any).machine) as Any | undefined)?.machine as Any | undefined;
if (typeof r._note === 'string') console.log(`Note: ${r._note}\n`);
console.log(`Measured ${m ? `on ${m.cpus} x ${m.cpu}, ${m.memoryGiB} GiB, Node ${m.node}, onnxruntime-node ${m.onnxruntimeNode}` : ''}${r.e2e ? `, ${r.e2e.date.slice(0, 10)}` : ''}.\n`);
console.log('| comparison | aura-lens | goal | checks |\n|---|---|---|---|');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
