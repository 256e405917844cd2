// Runs `profile` and `generate` with the CUDA execution provider and with the CPU one on the same model
// and data, and compares the results: every pooled response and every AUROC of every site, and the
// greedy tokens. Needs onnxruntime-node's CUDA binaries (docs/install.md, "GPU (CUDA)") and an NVIDIA GPU with CUDA 12
// and cuDNN 9. Exit 0 when they agree, 1 when they differ, 2 when CUDA cannot run here (with the reason).
//   node --import tsx scripts/cuda-check.ts [MODEL_DIR] [--texts 200] [--max-new-tokens 32] [--provider cuda]
// (--provider cpu compares the CPU with itself: a check of this script where no GPU is at hand.)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const CLI = join(ROOT, 'dist', 'cli.js');

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

const providerAt = process.argv.indexOf('--provider');
const PROVIDER = providerAt === -1 ? 'cuda' : process.argv[providerAt + 1]!;

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function floats(path: string, bytes: 4 | 8): Float32Array | Float64Array {
  const b = Uint8Array.from(readFileSync(path)).buffer;
  return bytes === 4 ? new Float32Array(b) : new Float64Array(b);
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function main(): number {
  const positional = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
  const model = positional[0] ?? join(ROOT, 'media', 'demo', 'model');
  const texts = flag('texts', 200);
  const maxNew = flag('max-new-tokens', 32);
  if (!existsSync(CLI) && spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit' }).status !== 0) return 2;
  const tmp = mkdtempSync(join(tmpdir(), 'aura-cuda-check-'));
  try {
    const data = join(ROOT, 'media', 'demo', 'concept.jsonl');
    const prof: Record<string, { sites: { id: string }[]; seconds: number; tokensPerSecond: number }> = {};
    const gen: Record<string, { ids: number[]; tokensPerSecond: number }> = {};
    for (const [dir, ep] of [['cuda', PROVIDER], ['cpu', 'cpu']] as const) {
      const p = cli(['profile', model, '--data', data, '--max-per-class', String(Math.ceil(texts / 2)), '--out', join(tmp, dir), '--ep', ep, '--json']);
      if (p.status !== 0) {
        console.error(`profile --ep ${ep} failed: ${p.stderr.trim().split('\n').at(-1)}`);
        return dir === 'cuda' ? 2 : 1;
      }
      prof[dir] = JSON.parse(p.stdout) as (typeof prof)[string];
      const g = cli(['generate', model, '--prompt', 'The old house on the hill', '--max-new-tokens', String(maxNew), '--ep', ep, '--json']);
      if (g.status !== 0) {
        console.error(`generate --ep ${ep} failed: ${g.stderr.trim().split('\n').at(-1)}`);
        return dir === 'cuda' ? 2 : 1;
      }
      gen[dir] = JSON.parse(g.stdout) as (typeof gen)[string];
    }
    let ok = true;
    let worstResp = 0;
    let worstAuroc = 0;
    for (const s of prof.cpu!.sites) {
      const name = s.id.replace(/[^A-Za-z0-9._-]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
      for (const pooling of ['max', 'mean']) {
        worstResp = Math.max(worstResp, maxDiff(floats(join(tmp, 'cuda', 'responses', `${name}.${pooling}.f32`), 4), floats(join(tmp, 'cpu', 'responses', `${name}.${pooling}.f32`), 4)));
        worstAuroc = Math.max(worstAuroc, maxDiff(floats(join(tmp, 'cuda', 'auroc', `${name}.${pooling}.f64`), 8), floats(join(tmp, 'cpu', 'auroc', `${name}.${pooling}.f64`), 8)));
      }
    }
    // CUDA's kernels (TF32 off by default in onnxruntime, different summation order) differ from the
    // CPU's in the last bits; near-tied responses may then swap, moving an AUROC by 1/(pos x neg).
    ok = worstResp <= 1e-3 && worstAuroc <= 1e-3;
    console.log(`profile: responses max |cuda - cpu| ${worstResp.toExponential(2)}, AUROC ${worstAuroc.toExponential(2)} (tolerance 1e-3); ${prof.cuda!.tokensPerSecond} vs ${prof.cpu!.tokensPerSecond} tokens/s`);
    const a = gen.cuda!.ids;
    const b = gen.cpu!.ids;
    let same = 0;
    while (same < Math.min(a.length, b.length) && a[same] === b[same]) same++;
    console.log(`generate: ${same}/${b.length} greedy tokens identical; ${gen.cuda!.tokensPerSecond.toFixed(1)} vs ${gen.cpu!.tokensPerSecond.toFixed(1)} tokens/s`);
    if (same !== b.length || a.length !== b.length) ok = false;
    console.log(ok ? `${PROVIDER} and cpu agree` : `${PROVIDER} and cpu DIFFER`);
    return ok ? 0 : 1;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

process.exitCode = main();
