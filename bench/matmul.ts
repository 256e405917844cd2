// The machine's measured matmul rate (the physical limit of a forward pass) on both sides: onnxruntime's
// MatMul and PyTorch's (whose BLAS is named), at the shape of GPT-2 small's c_fc over 2,048 tokens,
// same threads, warm, best of N. The peak moves between runs on a shared machine, so the benchmark
// repeats the whole measurement (--runs, a fresh process and session each) and reports the median
// with min-max. The other benchmarks print achieved GFLOP/s next to these.
//   node --import tsx bench/matmul.ts [--threads N] [--reps 10] [--runs 5]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { arg, bestOf, python, readF32, record, threadsArg } from './common';
import { fmtSpread, spread } from './spread';

export interface MatmulRates {
  threads: number;
  shape: number[];
  onnxruntimeGflops: number;
  torchGflops: number;
  torchBlas: string[];
}

export async function measureMatmul(threads: number, reps: number): Promise<MatmulRates> {
  const dir = mkdtempSync(join(tmpdir(), 'aura-bench-mm-'));
  try {
    const file = join(dir, 'matmul.onnx');
    const py = python(['blas', '--threads', String(threads), '--reps', String(reps), '--write-onnx', file]);
    const [m, k, n] = py.shape as [number, number, number];
    const session = await ort.InferenceSession.create(file, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
    const x = new ort.Tensor('float32', readF32(`${file}.x.f32`), [m, k]);
    const r = await bestOf(reps, () => session.run({ X: x }));
    await session.release();
    return {
      threads,
      shape: [m, k, n],
      onnxruntimeGflops: (2 * m * k * n) / r.seconds / 1e9,
      torchGflops: py.gflops as number,
      torchBlas: py.blas as string[],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const threads = threadsArg();
  const runs = arg('runs', 5);
  const all: MatmulRates[] = [];
  for (let i = 0; i < runs; i++) all.push(await measureMatmul(threads, arg('reps', 10)));
  const ort = spread(all.map((r) => r.onnxruntimeGflops));
  const torch = spread(all.map((r) => r.torchGflops));
  const { shape, torchBlas } = all[0]!;
  console.log(`matmul [${shape.join('x')}], ${threads} threads, ${runs} runs (each best of its reps): onnxruntime ${fmtSpread(ort, 1, ' GFLOP/s')}, PyTorch ${fmtSpread(torch, 1, ' GFLOP/s')} (BLAS: ${torchBlas.map((b) => b.split('/').pop()).join(', ') || 'none found'})`);
  record('matmul', { threads, shape, torchBlas, runs, onnxruntimeGflops: ort, torchGflops: torch });
}

if (require.main === module) main().catch((e: unknown) => { console.error(e); process.exit(2); });
