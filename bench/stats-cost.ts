// What the default profile's statistics cost next to the forward pass they follow (issue 22, item 5):
// `aura-lens profile` with its default statistics (bootstrap intervals, 10 label permutations) at
// GPT-2-small shape (random weights built once by bench/make_gpt2_small.py into a cache folder, as
// bench/e2e.ts does) on N texts (default 1,000). Per run: the forward's seconds and the statistics'
// (`timing.forwardS` and `timing.significanceS` of `profile --json`), the statistics' share of the
// forward, the whole run's wall seconds and peak RSS (GNU time). With --before CLI_JS (a build of an
// earlier version, e.g. `git archive REV | tar -x -C DIR && node DIR/scripts/build.mjs`), that CLI runs
// the same profile in turns with this one (before, after, before, after...), so drifting load on a
// shared machine hits both alike; the best share of each side is kept. Each run checks that both sides
// wrote the same AUROC files and report the same counts of significant experts and the same null.
//   node --import tsx bench/stats-cost.ts [--texts 1000] [--repeat 1] [--threads N] [--before DIST/cli.js] [--cache DIR]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConceptData } from '../src/aura/datasets';
import { demoAssets } from '../src/aura/demo-assets';
import { aurocPath } from '../src/aura/profile/store';
import { PYTHON, ROOT, arg, die, fmt, record, threadsArg } from './common';

interface Run {
  wallS: number;
  peakRssMiB: number;
  forwardS: number;
  statsS: number;
  share: number;
  json: { sites: { id: string; neurons: number }[]; stats: Record<string, unknown>; timing: Record<string, number> };
}

/** One `profile` of the data under GNU time (wall seconds, peak RSS of the largest process). */
function profileRun(cli: string, modelDir: string, data: string, out: string, threads: number): Run {
  if (!existsSync('/usr/bin/time')) die('/usr/bin/time (GNU time, Debian package "time") is needed to measure peak RSS');
  const r = spawnSync('/usr/bin/time', ['-f', '@@time %e %M', process.execPath, cli, 'profile', modelDir, '--data', data, '--out', out, '--json', '--threads', String(threads)], { encoding: 'utf8', maxBuffer: 256 << 20 });
  const line = r.stderr.split('\n').reverse().find((l) => l.startsWith('@@time '));
  if (r.status !== 0 || !line) die(`profile with ${cli} failed (status ${r.status}): ${r.stderr.trim().split('\n').slice(-4).join(' | ')}`);
  const [, s, kb] = line.split(' ');
  const json = JSON.parse(r.stdout) as Run['json'];
  const forwardS = json.timing.forwardS!;
  const statsS = json.timing.significanceS!;
  return { wallS: Number(s), peakRssMiB: Number(kb) / 1024, forwardS, statsS, share: statsS / forwardS, json };
}

/** The AUROC files and the statistics that do not depend on how intervals are made must be equal. */
function sameResults(a: Run, aOut: string, b: Run, bOut: string): string[] {
  const bad: string[] = [];
  for (const s of a.json.sites) {
    if (!readFileSync(aurocPath(aOut, s.id, 'max')).equals(readFileSync(aurocPath(bOut, s.id, 'max')))) bad.push(`AUROC of ${s.id}`);
  }
  for (const k of ['significant', 'neurons', 'null']) {
    if (JSON.stringify(a.json.stats[k]) !== JSON.stringify(b.json.stats[k])) bad.push(`stats.${k}`);
  }
  return bad;
}

async function main(): Promise<void> {
  const texts = arg('texts', 1000);
  const threads = threadsArg();
  const repeat = arg('repeat', 1);
  const before = arg('before', '');
  const cache = arg('cache', join(homedir(), '.cache', 'aura-lens-bench'));
  const modelDir = join(cache, 'gpt2-L12-d768');
  if (!existsSync(join(modelDir, 'model.onnx'))) {
    console.log(`building the GPT-2-shaped model in ${modelDir} (once)...`);
    mkdirSync(cache, { recursive: true });
    const r = spawnSync(PYTHON, [join(ROOT, 'bench', 'make_gpt2_small.py'), modelDir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0) die(`make_gpt2_small.py failed: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  }
  const cli = join(ROOT, 'dist', 'cli.js');
  if (!existsSync(cli) || process.argv.includes('--build')) {
    const b = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit' });
    if (b.status !== 0) die('npm run build failed');
  }
  if (before && !existsSync(before)) die(`--before: ${before} does not exist (expected a built dist/cli.js of another version)`);
  const assets = demoAssets(join(ROOT, 'src'));
  const data = await loadConceptData({ kind: 'file', path: assets.concept }, { maxPerClass: Math.ceil(texts / 2), seed: 0 });
  const tmp = mkdtempSync(join(tmpdir(), 'aura-bench-stats-'));
  try {
    const dataFile = join(tmp, 'data.jsonl');
    writeFileSync(dataFile, data.examples.map((e) => JSON.stringify({ text: e.text, label: e.label ? 'toxic' : 'non-toxic' })).join('\n') + '\n');
    console.log(`statistics cost: default profile of ${data.examples.length} texts, model ${modelDir}, ${threads} threads${before ? `, before = ${before}` : ''}`);
    const sides: [string, string][] = before ? [['before', before], ['after', cli]] : [['after', cli]];
    const best: Record<string, Run & { runs: number[] }> = {};
    const mismatches: string[] = [];
    for (let turn = 0; turn < repeat; turn++) {
      const outs: Record<string, { run: Run; out: string }> = {};
      for (const [name, path] of sides) {
        const out = join(tmp, `${name}-${turn}`);
        const run = profileRun(path, modelDir, dataFile, out, threads);
        outs[name] = { run, out };
        const prev = best[name];
        best[name] = !prev || run.share < prev.share ? { ...run, runs: [...(prev?.runs ?? []), run.share] } : { ...prev, runs: [...prev.runs, run.share] };
        const st = run.json.stats as { resamples: number; intervals?: { bootstrapped: number }; neurons: number; nearChance: number; medianCiWidth: number };
        console.log(
          `  [${turn + 1}/${repeat}] ${name.padEnd(6)} forward ${fmt(run.forwardS, 1)} s, statistics ${fmt(run.statsS, 1)} s (${fmt(100 * run.share, 1)}% of the forward), ` +
            `whole run ${fmt(run.wallS, 1)} s, peak RSS ${fmt(run.peakRssMiB, 0)} MiB; ${st.neurons} neurons, ${st.resamples} resamples, bootstrapped ${st.intervals?.bootstrapped ?? st.neurons}; nearChance ${st.nearChance}, median width ${fmt(st.medianCiWidth, 5)}`,
        );
      }
      if (before) {
        const bad = sameResults(outs.before!.run, outs.before!.out, outs.after!.run, outs.after!.out);
        if (bad.length) mismatches.push(...bad.map((b) => `turn ${turn + 1}: ${b}`));
        console.log(bad.length ? `  MISMATCH: ${bad.join(', ')}` : '  same AUROC files, significant experts and null on both sides');
      }
      for (const { out } of Object.values(outs)) rmSync(out, { recursive: true, force: true });
    }
    const loadAvg = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    const figures = (r: Run & { runs: number[] }) => ({
      forwardS: r.forwardS,
      statisticsS: r.statsS,
      shareOfForward: r.share,
      shares: r.runs,
      wallS: r.wallS,
      peakRssMiB: r.peakRssMiB,
      stats: r.json.stats,
    });
    record('statsCost', {
      texts: data.examples.length,
      threads,
      repeat,
      goal: 'statistics <= 25% of the forward at default settings; peak RSS <= 1.5 GB',
      after: figures(best.after!),
      ...(best.before ? { before: figures(best.before) } : {}),
      sameResults: before ? mismatches.length === 0 : null,
      loadAverageAtEnd: loadAvg,
    });
    const a = best.after!;
    console.log(`statistics ${fmt(100 * a.share, 1)}% of the forward (goal <= 25%), peak RSS ${fmt(a.peakRssMiB, 0)} MiB (goal <= 1536)${best.before ? `; before ${fmt(100 * best.before.share, 1)}%, ${fmt(best.before.peakRssMiB, 0)} MiB` : ''}; load average ${loadAvg}`);
    if (mismatches.length) die(`before and after differ: ${mismatches.join('; ')}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => die(e instanceof Error ? e.message : String(e)));
