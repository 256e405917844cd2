// Issue 21 item 6: `launch k8s --submit --wait` follows the Indexed Job through the API's watch, against a
// stand-in API server on the loopback address that streams the Job's changes as the API does (one JSON
// event a line on a watch=true GET). When the Job is Complete the shards (written here by running each
// shard's profile command, as the pods would on the shared volume) are merged; a Failed Job is named with
// its failed indexes and the last lines of the failed pod's log, read through the pods and log endpoints.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CLI, runCli } from '../helpers/cli';
import { scratchDir } from '../helpers/scratch';

const MODEL = join(__dirname, '..', '..', 'media', 'demo', 'model');
const DATA = join(__dirname, '..', '..', 'media', 'demo', 'concept.jsonl');
const PROFILE = ['--max-per-class', '8', '--batch-size', '4'];

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

async function standIn(handler: Handler): Promise<{ port: number; close: () => void; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    seen.push(`${req.method} ${url.pathname}${url.searchParams.get('watch') ? '?watch' : ''}`);
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => (req.method === 'POST' ? res.writeHead(201, { 'content-type': 'application/json' }).end(body) : handler(req, res, url)));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { port: (server.address() as AddressInfo).port, close: () => { server.closeAllConnections(); server.close(); }, seen };
}

function kubeconfig(dir: string, port: number): string {
  const file = join(dir, 'kubeconfig');
  writeFileSync(file, ['apiVersion: v1', 'kind: Config', 'current-context: t', `clusters: [{name: c, cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]`, 'users: [{name: u, user: {token: t0k}}]', 'contexts: [{name: t, context: {cluster: c, user: u}}]', ''].join('\n'));
  return file;
}

function job(status: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'prof', namespace: 'ml' }, status };
}

/** Streams watch events one line each, a little apart, and leaves the connection open (the client closes it). */
function stream(res: ServerResponse, events: Array<Record<string, unknown>>): void {
  res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
  events.forEach((e, i) => setTimeout(() => res.write(JSON.stringify(e) + '\n'), 100 * (i + 1)));
}

function runLaunch(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((ok) => execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, timeout: 120_000 }, (e, stdout, stderr) => ok({ code: e ? ((e as { code?: number }).code ?? 2) : 0, stdout, stderr })));
}

describe('launch k8s --submit --wait', () => {
  it('watches the Job to Complete and merges the shards it wrote', async () => {
    const d = scratchDir('k8s-wait');
    const shards = join(d, 'volume');
    for (const i of [0, 1]) assert.equal(runCli(['profile', MODEL, '--data', DATA, '--shard', `${i}/2`, '--out', join(shards, `shard-${i}`), ...PROFILE]).status, 0);
    const api = await standIn((_req, res, url) => {
      if (url.pathname === '/apis/batch/v1/namespaces/ml/jobs' && url.searchParams.get('watch') === 'true') {
        assert.equal(url.searchParams.get('fieldSelector'), 'metadata.name=prof');
        stream(res, [
          { type: 'ADDED', object: job({ active: 2 }) },
          { type: 'MODIFIED', object: job({ active: 1, completedIndexes: '0' }) },
          { type: 'MODIFIED', object: job({ completedIndexes: '0-1', conditions: [{ type: 'Complete', status: 'True' }] }) },
        ]);
      } else res.writeHead(404).end('{}');
    });
    try {
      const r = await runLaunch(['launch', 'k8s', MODEL, '--data', DATA, '--out', '/work/run', '--local-out', shards, '--shards', '2', '--image', 'img', '--name', 'prof', '--namespace', 'ml', '--file', join(d, 'job.json'), '--submit', '--wait', '--json', '--', ...PROFILE], { KUBECONFIG: kubeconfig(d, api.port), AURA_LENS_CACHE: join(d, 'cache') });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /job ml\/prof: 1 of 2 indexes succeeded, 0 failed, 1 running/);
      const out = JSON.parse(r.stdout) as { merged: string; completed: number };
      assert.equal(out.completed, 2);
      assert.equal(out.merged, join(shards, 'merged'));
      assert.ok(existsSync(join(shards, 'merged', 'summary.json')));
      assert.deepEqual(api.seen.slice(0, 2), ['POST /apis/batch/v1/namespaces/ml/jobs', 'GET /apis/batch/v1/namespaces/ml/jobs?watch']);
      // The record makes `launch merge` and `launch status` work later by NAMESPACE/NAME.
      const again = runCli(['launch', 'merge', shards, '--json']);
      assert.equal(again.status, 0, again.stderr);
      assert.equal(again.json!.mergedNow, false);
    } finally {
      api.close();
    }
  });

  it('names a Failed Job\'s failed index with the last lines of its pod\'s log', async () => {
    const d = scratchDir('k8s-wait-fail');
    const api = await standIn((_req, res, url) => {
      if (url.searchParams.get('watch') === 'true') {
        stream(res, [{ type: 'MODIFIED', object: job({ completedIndexes: '0', failedIndexes: '1', conditions: [{ type: 'Failed', status: 'True', reason: 'FailedIndexes', message: 'Job has failed indexes' }] }) }]);
      } else if (url.pathname === '/api/v1/namespaces/ml/pods') {
        assert.equal(url.searchParams.get('labelSelector'), 'job-name=prof,batch.kubernetes.io/job-completion-index=1');
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ apiVersion: 'v1', kind: 'PodList', items: [{ metadata: { name: 'prof-1-abcde', creationTimestamp: '2026-12-07T05:00:00Z' } }] }));
      } else if (url.pathname === '/api/v1/namespaces/ml/pods/prof-1-abcde/log') {
        assert.equal(url.searchParams.get('tailLines'), '3');
        res.writeHead(200, { 'content-type': 'text/plain' }).end('loading model\nprofiling shard 1/2\naura-lens: --data /data/x.jsonl: cannot be read (ENOENT)\n');
      } else res.writeHead(404).end('{}');
    });
    try {
      const r = await runLaunch(['launch', 'k8s', '/m', '--data', '/d', '--out', '/o', '--shards', '2', '--image', 'img', '--name', 'prof', '--namespace', 'ml', '--file', join(d, 'job.json'), '--submit', '--wait'], { KUBECONFIG: kubeconfig(d, api.port) });
      assert.equal(r.code, 1, r.stderr);
      const last = r.stderr.trim().split('\n').at(-1)!;
      assert.equal(last, 'aura-lens: job ml/prof failed (FailedIndexes: Job has failed indexes); failed indexes: 1 — index 1: pod prof-1-abcde: loading model | profiling shard 1/2 | aura-lens: --data /data/x.jsonl: cannot be read (ENOENT)');
    } finally {
      api.close();
    }
  });
});
