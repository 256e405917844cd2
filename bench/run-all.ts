// `npm run bench`: every benchmark in turn (each also writes its section of bench/results.json), then
// a non-zero exit if any failed or disagreed. Sized to finish in about 15 minutes on 2 quiet cores;
// `npm run bench:full` runs the end-to-end comparison on 2,000 texts instead (about 35 minutes there,
// most of it the ml-aura-style PyTorch pipeline).
// `--real-size` adds the extension's steps on a 2.35 GB model (bench/real-size.ts: builds it on demand,
// ~3 GB of disk, ~8 GB of memory), which are otherwise run alone with `npm run bench:real-size`.
//   node --import tsx bench/run-all.ts [--e2e-texts 600] [--threads N] [--real-size]
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, arg, threadsArg } from './common';

const threads = String(threadsArg());
const e2eTexts = String(arg('e2e-texts', 600));
const steps: [string, string[]][] = [
  ['build', [join(ROOT, 'scripts', 'build.mjs')]],
  ['matmul', ['--import', 'tsx', join(ROOT, 'bench', 'matmul.ts'), '--threads', threads]],
  ['auroc', ['--import', 'tsx', join(ROOT, 'bench', 'auroc.ts'), '--threads', threads]],
  ['extraction', ['--import', 'tsx', join(ROOT, 'bench', 'extraction.ts'), '--threads', threads]],
  ['engine', ['--import', 'tsx', join(ROOT, 'bench', 'engine.ts'), '--threads', threads]],
  // The generation overhead at the shape the goal names (builds the model once, shared with e2e).
  ['engine-gpt2-small', ['--import', 'tsx', join(ROOT, 'bench', 'engine.ts'), '--gpt2-small', '--threads', threads, '--new-tokens', '32']],
  ['e2e', ['--import', 'tsx', join(ROOT, 'bench', 'e2e.ts'), '--threads', threads, '--texts', e2eTexts]],
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
console.log(`\nbenchmarks done in ${((performance.now() - t0) / 60000).toFixed(1)} min; figures in bench/results.json${failed.length ? `; FAILED: ${failed.join(', ')}` : ''}`);
process.exit(failed.length ? 1 : 0);
