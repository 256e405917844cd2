// `npm run bench`: every benchmark in turn (each also writes its section of bench/results.json), then
// a non-zero exit if any failed or disagreed. Sized to finish in about 25 minutes on 2 quiet cores (the
// end-to-end comparison, 300 texts, every pipeline at 1 and at every core, takes about 20 of them);
// `npm run bench:full` runs it on 1,000 texts instead (about an hour there, most of it the ml-aura-style
// PyTorch pipeline).
// `--real-size` adds the extension's steps on a 2.35 GB model (bench/real-size.ts: builds it on demand,
// ~3 GB of disk, ~8 GB of memory), which are otherwise run alone with `npm run bench:real-size`.
//   node --import tsx bench/run-all.ts [--e2e-texts 300] [--threads N] [--real-size]
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, arg, threadsArg } from './common';

const threads = String(threadsArg());
const e2eTexts = String(arg('e2e-texts', 300));
const steps: [string, string[]][] = [
  ['build', [join(ROOT, 'scripts', 'build.mjs')]],
  ['matmul', ['--import', 'tsx', join(ROOT, 'bench', 'matmul.ts'), '--threads', threads]],
  ['auroc', ['--import', 'tsx', join(ROOT, 'bench', 'auroc.ts'), '--threads', threads]],
  ['extraction', ['--import', 'tsx', join(ROOT, 'bench', 'extraction.ts'), '--threads', threads]],
  ['engine', ['--import', 'tsx', join(ROOT, 'bench', 'engine.ts'), '--threads', threads]],
  // The generation overhead at the shape the goal names (builds the model once, shared with e2e).
  ['engine-gpt2-small', ['--import', 'tsx', join(ROOT, 'bench', 'engine.ts'), '--gpt2-small', '--threads', threads, '--new-tokens', '32']],
  // Every pipeline whole at 1 thread and at --threads; each side's best is compared.
  ['e2e', ['--import', 'tsx', join(ROOT, 'bench', 'e2e.ts'), '--thread-counts', `1,${threads}`, '--texts', e2eTexts]],
  // The default profile's statistics against its forward (issue 22, item 5): one run, 1,000 texts.
  ['stats-cost', ['--import', 'tsx', join(ROOT, 'bench', 'stats-cost.ts'), '--threads', threads]],
  // The wall-clock budgets kept out of the unit tests (bench/budgets.ts); exits 1 when a median misses.
  ['budgets', ['--import', 'tsx', join(ROOT, 'bench', 'budgets.ts')]],
];
if (process.argv.includes('--real-size')) steps.push(['real-size', ['--import', 'tsx', join(ROOT, 'bench', 'real-size.ts'), '--threads', threads]]);
const failed: string[] = [];
const t0 = performance.now();
for (const [name, args] of steps) {
  const t = performance.now();
  console.log(`\n== ${name}`);
  const r = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: ROOT });
  console.log(`== ${name}: ${r.status === 0 ? 'ok' : `FAILED (status ${r.status})`} in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  if (r.status !== 0) failed.push(name);
}
// The one table (Markdown, for the README) from what this run recorded.
spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'report.ts')], { stdio: 'inherit', cwd: ROOT });
console.log(`\nbenchmarks done in ${((performance.now() - t0) / 60000).toFixed(1)} min; figures in bench/results.json${failed.length ? `; FAILED: ${failed.join(', ')}` : ''}`);
process.exit(failed.length ? 1 : 0);
