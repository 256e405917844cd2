// Cluster launchers (issue 12 items 3, 4): the Indexed Job is a valid batch/v1 Job by the official
// client's API types (every field survives its V1Job serializer) and matches the reviewed golden file;
// the sbatch script is valid bash, matches its golden file, and hands each array task the right shard.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { indexedJob } from '../../src/aura/launch/k8s-job';
import { mergeCommand } from '../../src/aura/launch/shards-plan';
import { runCli } from '../helpers/cli';
import { FIXTURES } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';

const GOLDEN = join(FIXTURES, 'launch');
const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');

const K8S_ARGS = [
  'launch', 'k8s', '/models/gpt2', '--data', '/data/jigsaw/train.csv', '--out', '/work/aura/run1', '--shards', '4', '--parallelism', '2',
  '--image', 'ghcr.io/aura-lens/aura-lens:cuda', '--pvc', 'aura-work', '--mount', '/work', '--gpus', '1', '--memory', '16Gi',
  '--', '--max-per-class', '2000', '--seq-len', '128', '--ep', 'cuda',
];
const SLURM_ARGS = [
  'launch', 'slurm', '/models/gpt2', '--data', '/data/my data/train.csv', '--out', '/scratch/aura/run1', '--shards', '8', '--parallelism', '4',
  '--partition', 'gpu', '--time', '02:00:00', '--gpus', '1', '--cpus', '8', '--mem', '32G', '--', '--max-per-class', '2000', '--pooling', 'mean',
];

describe('launch k8s', () => {
  it('writes the golden Indexed Job and prints the merge command', () => {
    const d = scratchDir('k8s');
    const file = join(d, 'job.json');
    const r = runCli([...K8S_ARGS.slice(0, -7), '--file', file, '--json', ...K8S_ARGS.slice(-7)]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(file, 'utf8'), readFileSync(join(GOLDEN, 'k8s-job.golden.json'), 'utf8'));
    assert.equal(r.json!.merge, 'aura-lens merge /work/aura/run1/shard-{0..3} --out /work/aura/run1/merged');
    assert.equal(r.json!.submitted, false);
  });

  it('is a batch/v1 Job by the official client: every field survives its V1Job serializer', async () => {
    const { ObjectSerializer } = await import('@kubernetes/client-node/dist/gen/models/ObjectSerializer.js');
    const job = JSON.parse(readFileSync(join(GOLDEN, 'k8s-job.golden.json'), 'utf8')) as Record<string, unknown>;
    // serialize keeps absent optional fields as undefined; JSON drops them, as the API client does on the wire.
    const roundTrip = (o: unknown) => JSON.parse(JSON.stringify(ObjectSerializer.serialize(ObjectSerializer.deserialize(o, 'V1Job', ''), 'V1Job', ''))) as unknown;
    // Unknown fields are dropped and misspelt ones lost on the way through: equality means all are known.
    assert.deepEqual(roundTrip(job), job);
    // And the check can fail: a field the API lacks does not survive.
    const bad = structuredClone(job) as { spec: Record<string, unknown> };
    bad.spec.completionsMode = 'Indexed';
    assert.notDeepEqual(roundTrip(bad), bad);
  });

  it('gives pod i exactly the shard i profile command (the kubelet expands $(JOB_COMPLETION_INDEX))', () => {
    const job = indexedJob({ model: '/m', data: '/d.jsonl', out: '/w/run/', shards: 3, profileArgs: ['--seq-len', '64'], image: 'img', name: 'aura', namespace: 'ml', parallelism: 10, backoffLimitPerIndex: 2, mount: '/w' });
    const spec = job.spec!;
    assert.equal(spec.completionMode, 'Indexed');
    assert.equal(spec.completions, 3);
    assert.equal(spec.parallelism, 3, 'never more pods at once than shards');
    assert.equal(spec.backoffLimitPerIndex, 2);
    assert.equal(spec.template.spec!.restartPolicy, 'Never', 'backoffLimitPerIndex requires Never');
    const c = spec.template.spec!.containers[0]!;
    for (const i of [0, 1, 2]) {
      const args = c.args!.map((a) => a.replace(/\$\(JOB_COMPLETION_INDEX\)/g, String(i)));
      assert.deepEqual([...c.command!, ...args], ['aura-lens', 'profile', '/m', '--data', '/d.jsonl', '--shard', `${i}/3`, '--out', `/w/run/shard-${i}`, '--seq-len', '64']);
    }
  });

  it('refuses what would contradict the launcher or the API, in one line', () => {
    const base = ['launch', 'k8s', '/m', '--data', '/d', '--out', '/o', '--shards', '2', '--image', 'i', '--file', join(scratchDir('k8s-bad'), 'j.json')];
    const cases: [string[], RegExp][] = [
      [[...base, '--', '--shard', '0/2'], /--shard: set by the launcher for each shard/],
      [[...base, '--', '--out=/x'], /--out: set by the launcher/],
      [[...base, '--name', 'Not_Valid'], /--name: "Not_Valid" is not a valid Job name/],
      [base.filter((a, i) => a !== '--image' && base[i - 1] !== '--image'), /--image is required/],
      [[...base.slice(0, 7), '--shards', '0', ...base.slice(9)], /--shards: expected an integer >= 1/],
      [['launch', 'nomad'], /launch: expected "k8s", "slurm", "status", "wait" or "merge", got "nomad"/],
    ];
    for (const [args, want] of cases) {
      const r = runCli(args);
      assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, want);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    }
  });

  it('--submit without a reachable cluster says so in one line and leaves the written file', () => {
    const d = scratchDir('k8s-submit');
    const file = join(d, 'job.json');
    const r = spawnSync(process.execPath, [CLI, 'launch', 'k8s', '/m', '--data', '/d', '--out', '/o', '--shards', '2', '--image', 'i', '--file', file, '--submit'], {
      encoding: 'utf8',
      env: { ...process.env, KUBECONFIG: join(d, 'no-such-kubeconfig') },
      timeout: 60_000,
    });
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /--submit: cannot read the kubeconfig .*no-such-kubeconfig/);
    assert.ok(readFileSync(file, 'utf8').includes('"completionMode": "Indexed"'));
  });

  it('--submit posts the Job to the kubeconfig\'s API server through the official client', async () => {
    // A stand-in API server on the loopback address: it records the request and answers as the API does.
    const seen: { method?: string; url?: string; auth?: string; body?: string } = {};
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        Object.assign(seen, { method: req.method, url: req.url, auth: req.headers.authorization, body });
        res.writeHead(201, { 'content-type': 'application/json' }).end(body);
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    try {
      const port = (server.address() as AddressInfo).port;
      const d = scratchDir('k8s-submit-ok');
      const kubeconfig = join(d, 'kubeconfig');
      writeFileSync(kubeconfig, [
        'apiVersion: v1', 'kind: Config', 'current-context: t',
        'clusters: [{name: c, cluster: {server: "http://127.0.0.1:' + port + '", insecure-skip-tls-verify: true}}]',
        'users: [{name: u, user: {token: secret-token}}]',
        'contexts: [{name: t, context: {cluster: c, user: u}}]', '',
      ].join('\n'));
      const file = join(d, 'job.json');
      const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((ok) => {
        execFile(process.execPath, [CLI, 'launch', 'k8s', '/m', '--data', '/d', '--out', '/o', '--shards', '2', '--image', 'img', '--namespace', 'ml', '--file', file, '--submit', '--json'],
          { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 60_000 },
          (e, stdout, stderr) => ok({ code: e ? ((e as { code?: number }).code ?? 2) : 0, stdout, stderr }));
      });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).submitted, true);
      assert.equal(seen.method, 'POST');
      assert.equal(seen.url, '/apis/batch/v1/namespaces/ml/jobs');
      assert.equal(seen.auth, 'Bearer secret-token');
      assert.deepEqual(JSON.parse(seen.body!), JSON.parse(readFileSync(file, 'utf8')));
    } finally {
      server.close();
    }
  });
});

describe('launch slurm', () => {
  it('writes the golden sbatch array script, valid bash', () => {
    const d = scratchDir('slurm');
    const file = join(d, 'job.sbatch');
    const r = runCli([...SLURM_ARGS.slice(0, -5), '--file', file, '--json', ...SLURM_ARGS.slice(-5)]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(file, 'utf8'), readFileSync(join(GOLDEN, 'slurm.golden.sbatch'), 'utf8'));
    assert.equal(r.json!.merge, 'aura-lens merge /scratch/aura/run1/shard-{0..7} --out /scratch/aura/run1/merged');
    const syntax = spawnSync('bash', ['-n', file], { encoding: 'utf8' });
    assert.equal(syntax.status, 0, syntax.stderr);
    assert.match(readFileSync(file, 'utf8'), /^#SBATCH --array=0-7%4$/m);
  });

  it('hands array task i the shard i profile command, quoting every user value', () => {
    const d = scratchDir('slurm-run');
    // A stand-in for aura-lens that records the arguments it was given, one per line.
    const fake = join(d, 'fake-aura-lens');
    writeFileSync(fake, `#!/bin/bash\nprintf '%s\\n' "$@" > "${d}/args-$SLURM_ARRAY_TASK_ID"\n`);
    chmodSync(fake, 0o755);
    const file = join(d, 'job.sbatch');
    const weird = "/data/it's a $HOME `x` file.csv";
    const r = runCli(['launch', 'slurm', '/models/m', '--data', weird, '--out', '/scratch/o', '--shards', '3', '--cli', fake, '--file', file, '--', '--sites', 'a,b']);
    assert.equal(r.status, 0, r.stderr);
    for (const i of [0, 2]) {
      const run = spawnSync('bash', [file], { encoding: 'utf8', env: { ...process.env, SLURM_ARRAY_TASK_ID: String(i) } });
      assert.equal(run.status, 0, run.stderr);
      const args = readFileSync(join(d, `args-${i}`), 'utf8').split('\n').slice(0, -1);
      assert.deepEqual(args, ['profile', '/models/m', '--data', weird, '--shard', `${i}/3`, '--out', `/scratch/o/shard-${i}`, '--sites', 'a,b']);
    }
  });

  it('end to end: every array task of the script, then the printed merge command, equal one local run byte for byte', () => {
    const d = scratchDir('slurm-e2e');
    const data = join(d, 'data.jsonl');
    writeFileSync(data, Array.from({ length: 50 }, (_, i) => JSON.stringify({ text: `${i % 2 ? 'you fool' : 'nice day'} ${i} ${'more '.repeat(i % 6)}`, label: i % 2 })).join('\n') + '\n');
    const cli = `${process.execPath} ${join(__dirname, '..', '..', 'dist', 'cli.js')}`;
    const model = join(FIXTURES, 'models', 'gpt2-tiny');
    const opts = ['--seq-len', '16', '--batch-size', '4', '--threads', '1'];
    const file = join(d, 'job.sbatch');
    const r = runCli(['launch', 'slurm', model, '--data', data, '--out', join(d, 'run'), '--shards', '3', '--cli', cli, '--file', file, '--json', '--', ...opts]);
    assert.equal(r.status, 0, r.stderr);
    for (const i of [0, 1, 2]) {
      const task = spawnSync('bash', [file], { encoding: 'utf8', env: { ...process.env, SLURM_ARRAY_TASK_ID: String(i) } });
      assert.equal(task.status, 0, task.stderr);
    }
    const merge = spawnSync('bash', ['-c', String(r.json!.merge).replace(/^aura-lens /, `${cli} `)], { encoding: 'utf8' });
    assert.equal(merge.status, 0, merge.stderr);
    const single = runCli(['profile', model, '--data', data, '--out', join(d, 'single'), ...opts]);
    assert.equal(single.status, 0, single.stderr);
    const files = (dir: string, rel = ''): string[] =>
      readdirSync(join(dir, rel), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(dir, join(rel, e.name)) : [join(rel, e.name)]));
    assert.deepEqual(files(join(d, 'run', 'merged')).sort(), files(join(d, 'single')).sort());
    for (const f of files(join(d, 'single'))) assert.ok(readFileSync(join(d, 'run', 'merged', f)).equals(readFileSync(join(d, 'single', f))), `${f} differs`);
  });

  it('the merge command names every shard folder', () => {
    const cmd = mergeCommand({ model: 'm', data: 'd', out: '/s p/run', shards: 3, profileArgs: [] });
    assert.equal(cmd, "aura-lens merge '/s p/run'/shard-{0..2} --out '/s p/run/merged'");
    const expanded = spawnSync('bash', ['-c', `printf '%s\\n' ${cmd.slice('aura-lens merge '.length)}`], { encoding: 'utf8' }).stdout.trim().split('\n');
    assert.deepEqual(expanded, ['/s p/run/shard-0', '/s p/run/shard-1', '/s p/run/shard-2', '--out', '/s p/run/merged']);
  });
});
