// Peak RSS and time of every CLI command on one model folder, against the model's weight bytes.
// Not part of `npm test`: the models are large and made on demand (make_gpt2_shaped.py).
// Usage: node --import tsx scripts/bench-memory/run.ts MODEL_DIR [--data FILE] [--texts N] [--seq-len N] [--src] [--out results.json]
// It runs the built CLI (dist/cli.js, as installed; `npm run build` first), or src/cli.ts through tsx with
// --src (tsx itself adds about 30 MB). Node's own resident set is measured too and reported as `nodeMB`.
// The goals (issue 8): inspect <= 1.1x the weights; generate, perplexity, profile, evaluate <= 1.5x plus working memory.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const args = process.argv.slice(2);
const dir = resolve(args[0] ?? '');
const opt = (name: string, d: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : d;
};
const texts = Number(opt('texts', '60'));
/** Commands to run (default all); e.g. --commands inspect,generate,perplexity,profile,export-onnx */
const only = opt('commands', '');
const seqLen = opt('seq-len', '32');
const work = mkdtempSync(join(tmpdir(), 'aura-bench-mem-'));
const fromSrc = args.includes('--src');
const CLI = fromSrc
  ? ['--import', 'tsx', '--import', join(__dirname, 'max-rss.mjs'), join(ROOT, 'src', 'cli.ts')]
  : ['--import', join(__dirname, 'max-rss.mjs'), join(ROOT, 'dist', 'cli.js')];
const cache = join(work, 'cache');

/** Bytes of the graph files and their external data: what a copy of the weights costs. */
function weightBytes(d: string): number {
  let n = 0;
  for (const f of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, f.name);
    if (f.isDirectory()) n += weightBytes(p);
    // Not weights: configs, tokenizers, and the builder's PyTorch checkpoint (make_gpt2_shaped.py's weights.pt).
    else if (!/\.(json|txt|pt|md|py)$/.test(f.name)) n += statSync(p).size;
  }
  return n;
}

function data(): string {
  const lines = readFileSync(opt('data', join(ROOT, 'media', 'demo', 'concept.jsonl')), 'utf8').split('\n').filter(Boolean);
  const pos = lines.filter((l) => /"label":\s*"toxic"/.test(l)).slice(0, texts / 2);
  const neg = lines.filter((l) => /"label":\s*"non-toxic"/.test(l)).slice(0, texts / 2);
  const p = join(work, 'data.jsonl');
  writeFileSync(p, [...pos, ...neg].join('\n') + '\n');
  return p;
}

interface Row {
  command: string;
  peakRssMB: number;
  xWeights: number;
  seconds: number;
  exit: number;
}

function run(label: string, argv: string[], weights: number, first = false): Row | undefined {
  const key = label.split(' (')[0]!.replace(/ --intervention$/, '').replace(' ', '-');
  // profile and fit always run: later commands read the intervention they make.
  if (only && !only.split(',').includes(key) && key !== 'fit' && key !== 'profile' && key !== 'node-alone') return undefined;
  const rssFile = join(work, 'rss');
  rmSync(rssFile, { force: true });
  const t = performance.now();
  const r = spawnSync(process.execPath, [...CLI, ...argv, '--json'], {
    cwd: ROOT,
    env: { ...process.env, AURA_RSS_FILE: rssFile, AURA_LENS_CACHE: cache },
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const seconds = (performance.now() - t) / 1000;
  if (r.status !== 0) process.stderr.write(`${label}: exit ${r.status}: ${(r.stderr ?? '').split('\n').slice(-3).join(' ')}\n`);
  const kb = Number(readFileSync(rssFile, 'utf8'));
  const row = { command: first ? `${label} (first open)` : label, peakRssMB: Math.round(kb / 1024), xWeights: Number(((kb * 1024) / weights).toFixed(2)), seconds: Number(seconds.toFixed(1)), exit: r.status ?? -1 };
  process.stderr.write(`${row.command}: ${row.peakRssMB} MB = ${row.xWeights}x weights, ${row.seconds} s\n`);
  return row;
}

function main(): void {
  if (!fromSrc && !existsSync(join(ROOT, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build`, or pass --src');
  const weights = weightBytes(dir);
  const node = run('node alone (--help)', ['--help'], weights);
  process.stderr.write(`${dir}: ${(weights / 1e9).toFixed(2)} GB of graph and weights\n`);
  const d = data();
  const prof = join(work, 'profile');
  mkdirSync(join(work, 'folded'));
  const iv = join(work, 'iv.json');
  const neutral = join(work, 'neutral.jsonl');
  writeFileSync(neutral, readFileSync(d, 'utf8').split('\n').slice(0, 10).join('\n') + '\n');
  const rows = [
    run('inspect', ['inspect', dir], weights, true),
    run('inspect', ['inspect', dir], weights),
    run('generate', ['generate', dir, '--prompt', 'The old house on the hill', '--max-new-tokens', '16'], weights),
    run('perplexity', ['perplexity', dir, '--data', d], weights),
    run(`profile (${texts} texts, seq-len ${seqLen})`, ['profile', dir, '--data', d, '--seq-len', seqLen, '--out', prof], weights),
    run('fit', ['fit', prof, '--method', 'aura', '--out', iv], weights),
    run('generate --intervention', ['generate', dir, '--prompt', 'The old house on the hill', '--max-new-tokens', '16', '--intervention', iv], weights),
    run('evaluate', ['evaluate', dir, '--intervention', iv, '--samples', '1', '--max-new-tokens', '8', '--max-prompts', '4', '--neutral', neutral], weights),
    run('export json', ['export', iv, '--model', dir, '--format', 'json', '--out', join(work, 'g.json')], weights),
    run('export safetensors', ['export', iv, '--model', dir, '--format', 'safetensors', '--out', join(work, 'g.safetensors')], weights),
    run('export onnx', ['export', iv, '--model', dir, '--format', 'onnx', '--out', join(work, 'folded', 'model.onnx')], weights),
  ].filter((r): r is Row => r !== undefined);
  const result = { model: dir, weightBytes: weights, cli: fromSrc ? 'src/cli.ts (tsx)' : 'dist/cli.js', nodeMB: node?.peakRssMB, machine: `${process.platform} ${process.arch}, node ${process.version}`, rows };
  const out = opt('out', '');
  if (out) writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  process.stdout.write(JSON.stringify(result) + '\n');
  rmSync(work, { recursive: true, force: true });
  if (rows.some((r) => r.exit !== 0)) process.exitCode = 1;
}

main();
