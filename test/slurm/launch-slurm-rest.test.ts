// Issue 21 item 4: `launch slurm --submit --submit-via rest` against the local slurmrestd (JWT). slurmrestd
// refuses root's tokens, so the array runs as the unprivileged user aura-rest (start-local.sh creates it),
// from a world-readable copy of the built CLI, its onnxruntime and the demo model (the checkout itself may
// sit under a private home folder). The merged profile must equal a local run byte for byte.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, cpSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { join, relative } from 'node:path';
import { runCli } from '../helpers/cli';
import { scratchDir } from '../helpers/scratch';

const ROOT = join(__dirname, '..', '..');
const START = join(ROOT, 'scripts', 'slurm', 'start-local.sh');
const PROFILE_ARGS = ['--max-per-class', '20', '--batch-size', '4'];

function files(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

/** dist/, onnxruntime (this platform's binaries only) and the demo model, readable by any user. */
function runtimeCopy(dir: string): { cli: string; model: string; data: string } {
  cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
  const ort = join(ROOT, 'node_modules', 'onnxruntime-node');
  for (const part of ['package.json', 'dist', 'lib']) cpSync(join(ort, part), join(dir, 'node_modules', 'onnxruntime-node', part), { recursive: true });
  const bin = join('bin', 'napi-v6', process.platform, process.arch);
  cpSync(join(ort, bin), join(dir, 'node_modules', 'onnxruntime-node', bin), { recursive: true });
  cpSync(join(ROOT, 'node_modules', 'onnxruntime-common'), join(dir, 'node_modules', 'onnxruntime-common'), { recursive: true });
  cpSync(join(ROOT, 'media', 'demo', 'model'), join(dir, 'model'), { recursive: true });
  cpSync(join(ROOT, 'media', 'demo', 'concept.jsonl'), join(dir, 'concept.jsonl'));
  execFileSync('chmod', ['-R', 'a+rX', dir]);
  return { cli: join(dir, 'dist', 'cli.js'), model: join(dir, 'model'), data: join(dir, 'concept.jsonl') };
}

describe('launch slurm --submit-via rest on the local slurmrestd', { timeout: 300_000 }, () => {
  let url: string;
  before(() => {
    const r = spawnSync('bash', [START, 'start-rest'], { encoding: 'utf8' });
    assert.equal(r.status, 0, `start-local.sh start-rest failed: ${r.stderr}`);
    process.env.SLURM_CONF = /export SLURM_CONF=(\S+)/.exec(spawnSync('bash', [START, 'env'], { encoding: 'utf8' }).stdout)![1];
    url = spawnSync('bash', [START, 'rest-url'], { encoding: 'utf8' }).stdout.trim();
  });

  it('submits the array through the REST API with a JWT and merges equal to one local run', () => {
    const work = scratchDir('slurm-rest');
    chmodSync(work, 0o755);
    const rt = runtimeCopy(join(work, 'rt'));
    const shared = join(work, 'shared');
    mkdirSync(join(shared, 'run'), { recursive: true });
    // Submitted by root, run as aura-rest: the shard root must be theirs to write (on a cluster it is the same user).
    chmodSync(shared, 0o777);
    chmodSync(join(shared, 'run'), 0o777);
    process.env.AURA_LENS_CACHE = join(work, 'cache');

    const local = join(work, 'local');
    const single = runCli(['profile', rt.model, '--data', rt.data, '--out', local, ...PROFILE_ARGS], { timeout: 240_000 });
    assert.equal(single.status, 0, single.stderr);

    const token = /SLURM_JWT=(\S+)/.exec(execFileSync('scontrol', ['token', 'username=aura-rest', 'lifespan=900'], { encoding: 'utf8' }))![1]!;
    const env = { ...process.env, SLURM_JWT: token, SLURM_USER_NAME: 'aura-rest', HOME: shared };
    const args = ['launch', 'slurm', rt.model, '--data', rt.data, '--out', join(shared, 'run'), '--shards', '2', '--name', 'aura-test-rest', '--cli', `${process.execPath} ${rt.cli}`, '--file', join(shared, 'rest.sbatch'), '--submit', '--submit-via', 'rest', '--rest-url', url, '--wait', '--poll', '0.5', '--retries', '0', '--json', '--', ...PROFILE_ARGS];
    const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), ...args], { encoding: 'utf8', cwd: shared, env, timeout: 240_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /submitted job \d+ \(2 tasks\) from .* through slurmrestd/);
    const out = JSON.parse(r.stdout) as { jobId: string; merged: string };
    // The tasks ran as aura-rest, the user the token names.
    const owner = statSync(join(shared, 'run', 'shard-0', 'manifest.json')).uid;
    assert.equal(owner, Number(execFileSync('id', ['-u', 'aura-rest'], { encoding: 'utf8' }).trim()));
    const a = files(local);
    const b = files(out.merged);
    assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort());
    for (const [name, bytes] of a) assert.ok(bytes.equals(b.get(name)!), `${name} is byte-identical to the single run's`);
  });

  it('a missing or bad token is refused in one line naming what to do', () => {
    const work = scratchDir('slurm-rest-bad');
    const args = [join(ROOT, 'dist', 'cli.js'), 'launch', 'slurm', '/m', '--data', '/d', '--out', join(work, 'o'), '--shards', '1', '--file', join(work, 'x.sbatch'), '--submit', '--submit-via', 'rest', '--rest-url', url];
    const { SLURM_JWT: _, ...noToken } = process.env;
    const none = spawnSync(process.execPath, args, { encoding: 'utf8', cwd: work, env: noToken });
    assert.equal(none.status, 1);
    assert.equal(none.stderr.trim(), 'aura-lens: --submit-via rest: SLURM_JWT is not set; get a token with `export $(scontrol token)`');
    const bad = spawnSync(process.execPath, args, { encoding: 'utf8', cwd: work, env: { ...noToken, SLURM_JWT: 'not-a-token', SLURM_USER_NAME: 'aura-rest' } });
    assert.equal(bad.status, 1);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    assert.match(bad.stderr, /^aura-lens: slurmrestd http:\/\/127\.0\.0\.1:\d+ refused the job \(HTTP (401|500)\): (Authentication failure|Zero Bytes were transmitted or received)/);
  });
});
