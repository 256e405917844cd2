// Engine overhead: the same work on aura-lens's rewritten graph and on the graph as exported ('plain'), in
// one process, same threads, warm. The rewritten session carries only the intervention form its
// interventions need (src/engine/intervention-form.ts), so each form is measured against plain:
//   - a forward pass returning every logit, on a session of each form (none: what profiling and plain
//     generation run; gain: AurA; affine: a bias; range: Linear-AcT), fed neutral values;
//   - greedy generation, timed as a user feels it: first-token latency (the prompt's forward) and decoding
//     tokens/s after it. Form none runs no intervention; gain a gain-1 intervention on every neuron; affine
//     the same on a session reserved for biases; range gain 1, bias 0 and a finite range wider than any
//     activation.
// Each pair runs interleaved (plain first on even runs, rewritten first on odd ones) after one warm-up
// each; an overhead is reported per pair of runs (median, min-max) and best against best. Every pair must
// give the same values (every logit, every token): exit 1 if not. The forms run in increasing order
// because the session only upgrades.
//   node --import tsx bench/engine.ts [--model DIR | --gpt2-small] [--threads N] [--reps 5] [--new-tokens 48]
// --gpt2-small builds (once) the GPT-2-small-shaped model of bench/make_gpt2_small.py in --cache
// (default ~/.cache/aura-lens-bench, shared with bench/e2e.ts) and records section engineGpt2Small.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir, loadavg } from 'node:os';
import { join } from 'node:path';
import { demoAssets } from '../src/aura/demo-assets';
import { generate } from '../src/engine/generation/generate';
import { seededRng } from '../src/engine/generation/random';
import { LanguageModel } from '../src/engine/model';
import { PYTHON, ROOT, arg, check, die, fmt, maxDiff, record, threadsArg } from './common';
import type { Intervention, InterventionForm } from '../src/engine/model';

/** An overhead (rewritten over plain, minus 1) per interleaved pair, and best against best. */
interface Overhead {
  median: number;
  min: number;
  max: number;
  best: number;
}

interface Side {
  /** Per run, in run order. */
  runs: number[];
  median: number;
  min: number;
  max: number;
}

interface GenerationFigures {
  tokens: number;
  plainDecodeTokensPerSecond: Side;
  rewrittenDecodeTokensPerSecond: Side;
  /** Time per decoded token, rewritten over plain. */
  decodeOverhead: Overhead;
  plainFirstTokenMs: Side;
  rewrittenFirstTokenMs: Side;
  firstTokenOverhead: Overhead;
  sameTokens: boolean;
}

interface FormFigures {
  forwardOverhead: Overhead;
  forwardMaxAbsDiff: number;
  generation: GenerationFigures;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function side(runs: number[]): Side {
  return { runs, median: median(runs), min: Math.min(...runs), max: Math.max(...runs) };
}

/** `rewritten` and `plain` are costs (seconds, or seconds per token) of the same runs, pair by pair. */
function overhead(plain: number[], rewritten: number[]): Overhead {
  const r = plain.map((p, i) => rewritten[i]! / p - 1);
  return { median: median(r), min: Math.min(...r), max: Math.max(...r), best: Math.min(...rewritten) / Math.min(...plain) - 1 };
}

const pct = (x: number): string => `${x >= 0 ? '+' : ''}${fmt(100 * x, 1)}%`;
const showOverhead = (o: Overhead): string => `median ${pct(o.median)} (min ${pct(o.min)}, max ${pct(o.max)}), best vs best ${pct(o.best)}`;
const showSide = (s: Side, d: number): string => `${fmt(s.median, d)} (${fmt(s.min, d)}-${fmt(s.max, d)})`;

/** One warm-up run each, then `reps` interleaved pairs, alternating which side goes first. */
async function interleaved<T>(reps: number, a: () => Promise<T>, b: () => Promise<T>): Promise<{ a: T[]; b: T[] }> {
  await a();
  await b();
  const out = { a: [] as T[], b: [] as T[] };
  for (let i = 0; i < reps; i++) {
    if (i % 2 === 0) {
      out.a.push(await a());
      out.b.push(await b());
    } else {
      out.b.push(await b());
      out.a.push(await a());
    }
  }
  return out;
}

async function timed<T>(f: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const t = performance.now();
  const value = await f();
  return { seconds: (performance.now() - t) / 1000, value };
}

function gpt2SmallModel(): string {
  const cache = arg('cache', join(homedir(), '.cache', 'aura-lens-bench'));
  const dir = join(cache, 'gpt2-L12-d768');
  if (!existsSync(join(dir, 'model.onnx'))) {
    console.log(`building the GPT-2-small-shaped model in ${dir} (once, a few minutes)...`);
    mkdirSync(cache, { recursive: true });
    const r = spawnSync(PYTHON, [join(ROOT, 'bench', 'make_gpt2_small.py'), dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0) die(`make_gpt2_small.py failed: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  }
  return dir;
}

async function main(): Promise<void> {
  const gpt2Small = process.argv.includes('--gpt2-small');
  const dir = gpt2Small ? gpt2SmallModel() : arg('model', demoAssets(join(ROOT, 'src')).model);
  const threads = threadsArg();
  const reps = arg('reps', 5);
  if (reps < 5) die('--reps: at least 5 runs per side, for a median and a spread');
  const maxNewTokens = arg('new-tokens', 48);
  const model = await LanguageModel.open(dir, { threads });
  const rng = seededRng(1);
  const vocab = model.facts.vocabSize;
  // Every logit of a GPT-2-sized vocabulary is 200 KB per position: a smaller forward batch there.
  const batch = arg('forward-batch', gpt2Small ? 2 : 8);
  const seq = arg('forward-seq', gpt2Small ? 32 : 64);
  const batches = Array.from({ length: 4 }, () => Array.from({ length: batch }, () => Array.from({ length: seq }, () => Math.floor(rng() * vocab))));
  const mask = batches[0]!.map((r) => r.map(() => 1));
  const pass = (kind: 'plain' | 'lm', form: InterventionForm = 'none') => async () => {
    const out: Float32Array[] = [];
    for (const ids of batches) out.push((await model.step({ ids, mask, asExported: kind === 'plain', logits: 'all', form })).logits!);
    return out;
  };
  const prompts = ['The old house on the hill', 'She said that the'];
  const neutral = (f: (n: number) => Intervention extends Map<string, infer V> ? V : never): Intervention => new Map(model.sites.map((s) => [s.id, f(s.neurons)]));
  const gainOne = neutral((n) => ({ gain: new Float32Array(n).fill(1) }));
  // Interventions that change no value but need the form; affine is a gain-1 intervention on a session
  // reserved for biases (a bias of 0 needs only the gain form).
  const generationWith: Record<InterventionForm, Intervention | undefined> = {
    none: undefined,
    gain: gainOne,
    affine: gainOne,
    range: neutral((n) => ({ gain: new Float32Array(n).fill(1), bias: new Float32Array(n), lo: new Float32Array(n).fill(-3e38), hi: new Float32Array(n).fill(3e38) })),
  };
  const load0 = loadavg()[0]!;
  console.log(`engine overhead: ${dir}, ${threads} threads, ${reps} interleaved runs per side after a warm-up, load average ${fmt(load0, 2)}`);
  const forms: Partial<Record<InterventionForm, FormFigures>> = {};
  let logitsCompared = 0;
  for (const form of ['none', 'gain', 'affine', 'range'] as const) {
    if (form === 'affine') model.reserveForms([neutral((n) => ({ gain: new Float32Array(n).fill(1), bias: new Float32Array(n).fill(1) }))]);
    const fw = await interleaved(reps, () => timed(pass('plain')), () => timed(pass('lm', form)));
    let diff = 0;
    for (let r = 0; r < reps; r++) fw.a[r]!.value.forEach((p, i) => (diff = Math.max(diff, maxDiff(p, fw.b[r]!.value[i]!))));
    logitsCompared = fw.a[0]!.value.reduce((n, x) => n + x.length, 0);
    const forwardOverhead = overhead(
      fw.a.map((x) => x.seconds),
      fw.b.map((x) => x.seconds),
    );
    console.log(`  ${form} form, forward with every logit (${batches.length} batches of ${batch} x ${seq}): overhead ${showOverhead(forwardOverhead)}`);
    check(`${form} form vs exported graph, all ${logitsCompared} logits, every run`, diff, 1e-4);

    const iv = generationWith[form];
    const gen = (kind: 'plain' | 'lm') => async () => {
      const t0 = performance.now();
      let first = 0;
      const r = await generate(model, prompts, {
        maxNewTokens,
        stopAtEos: false,
        kind,
        ...(kind === 'lm' && iv ? { intervention: iv } : {}),
        onToken: () => (first ||= performance.now()),
      });
      const end = performance.now();
      const decoded = r.ids.reduce((n, ids) => n + ids.length, 0) - prompts.length;
      return { firstSeconds: (first - t0) / 1000, decodeSecondsPerToken: (end - first) / 1000 / decoded, tokens: decoded + prompts.length, ids: r.ids };
    };
    const g = await interleaved(reps, gen('plain'), gen('lm'));
    const sameTokens = g.a.every((p, i) => JSON.stringify(p.ids) === JSON.stringify(g.b[i]!.ids));
    const perToken = (xs: typeof g.a) => xs.map((x) => x.decodeSecondsPerToken);
    const firsts = (xs: typeof g.a) => xs.map((x) => x.firstSeconds);
    const generation: GenerationFigures = {
      tokens: g.a[0]!.tokens,
      plainDecodeTokensPerSecond: side(perToken(g.a).map((s) => 1 / s)),
      rewrittenDecodeTokensPerSecond: side(perToken(g.b).map((s) => 1 / s)),
      decodeOverhead: overhead(perToken(g.a), perToken(g.b)),
      plainFirstTokenMs: side(firsts(g.a).map((s) => s * 1000)),
      rewrittenFirstTokenMs: side(firsts(g.b).map((s) => s * 1000)),
      firstTokenOverhead: overhead(firsts(g.a), firsts(g.b)),
      sameTokens,
    };
    console.log(
      `  ${form} form, greedy generation of ${generation.tokens} tokens (${prompts.length} prompts):\n` +
        `    decoding tokens/s, median (min-max): plain ${showSide(generation.plainDecodeTokensPerSecond, 1)}, rewritten ${showSide(generation.rewrittenDecodeTokensPerSecond, 1)}\n` +
        `    time per decoded token, overhead ${showOverhead(generation.decodeOverhead)}\n` +
        `    first-token latency ms, median (min-max): plain ${showSide(generation.plainFirstTokenMs, 1)}, rewritten ${showSide(generation.rewrittenFirstTokenMs, 1)}\n` +
        `    first-token latency, overhead ${showOverhead(generation.firstTokenOverhead)}`,
    );
    check(`generated tokens, ${form} form vs plain, every run`, sameTokens ? 0 : Infinity, 0);
    if (model.sessionState().form !== form) throw new Error(`bench: expected a ${form} session, found ${model.sessionState().form}`);
    forms[form] = { forwardOverhead, forwardMaxAbsDiff: diff, generation };
  }
  const load1 = loadavg()[0]!;
  console.log(`  load average at the end ${fmt(load1, 2)} (${threads} threads asked)`);
  const figures = {
    model: dir,
    threads,
    reps,
    loadAverageAtStart: load0,
    forward: { batches: batches.length, batch, seq, logitsCompared, maxAbsDiff: Math.max(...Object.values(forms).map((f) => f.forwardMaxAbsDiff)) },
    forms,
  };
  record(gpt2Small ? 'engineGpt2Small' : 'engine', { ...figures, agree: process.exitCode !== 1 });
  await model.dispose();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(2);
});
