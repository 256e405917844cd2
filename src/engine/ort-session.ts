// The seam around onnxruntime-node: creating a session for a (possibly rewritten) graph without
// pulling external weights into JS memory, and running it with checked feeds.
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { userErrorFrom } from './errors';
import { checkExecutionProvider, providerLoadError } from './execution-provider';

export type ExecutionProvider = 'cpu' | 'cuda' | 'webgpu' | 'dml' | 'coreml';

export interface SessionOptions {
  threads?: number;
  executionProvider?: ExecutionProvider;
}

export { ort };
export type OrtTensor = ort.Tensor;

export function ortOptions(o: SessionOptions): ort.InferenceSession.SessionOptions {
  const ep = o.executionProvider ?? 'cpu';
  checkExecutionProvider(ep);
  return {
    executionProviders: ep === 'cpu' ? ['cpu'] : [ep, 'cpu'],
    graphOptimizationLevel: 'all',
    // The CPU arena keeps the largest working set any run has needed for as long as the session lives:
    // at 2.35 GB of weights a profile and a few neuron details left the model process at 1.57x the
    // weights for good. Without it a run's buffers are returned when it ends (memory patterns still
    // plan them as one block per run), and the process settles back at about its weights.
    enableCpuMemArena: false,
    ...(o.threads ? { intraOpNumThreads: o.threads, interOpNumThreads: 1 } : {}),
    // Failures surface as exceptions with ORT's message; its own log would add lines to stderr.
    logSeverityLevel: 4,
    // A weight-only QDQ int8 MatMul (DequantizeLinear on the weight) runs as ORT runs it for everyone:
    // fused into MatMulNBits with int8 activations (accuracy level 4), so its sites sit about 1% off
    // the dequantized model. Float activations cost too much: accuracy level 0 made a 2048x8192 int8
    // matmul 150-450x slower, and session.disable_quant_qdq holds the weights in float32 (4x memory).
  };
}

const TEMP_PREFIX = '.aura-lens-';
const TEMP_GRAPH = /^\.aura-lens-(\d+)-[0-9a-f]{8}\.onnx$/;
const swept = new Set<string>();

/**
 * A process killed while onnxruntime read its temporary graph (below) leaves that file in the model
 * folder. Once per folder and process, such files whose process is gone are removed; a file of a live
 * process (another aura-lens loading the same model) is left alone.
 */
function removeStaleGraphs(dir: string): void {
  if (swept.has(dir)) return;
  swept.add(dir);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = TEMP_GRAPH.exec(name)?.[1];
    if (!pid || processAlive(Number(pid))) continue;
    try {
      unlinkSync(join(dir, name));
    } catch {
      // Read-only folder or already gone: nothing to do.
    }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * ORT resolves external data relative to the .onnx file's folder and refuses paths that leave it
 * (symlinks included), and a model given as bytes resolves it against the process's working folder.
 * So a rewritten graph that reads external weights is written, briefly, into `dir`, next to them (the
 * model folder, or the weight cache entry of a model whose weights were inline); the file is
 * removed as soon as the session holds the weights. A read-only folder falls back to handing ORT
 * the weight files as buffers (outside the V8 heap, but a second copy while loading).
 */
export async function createSession(
  graphBytes: Uint8Array,
  originalFile: string,
  dir: string,
  externalFiles: string[],
  options: SessionOptions,
  rewritten = false,
): Promise<ort.InferenceSession> {
  const opts = ortOptions(options);
  try {
    if (externalFiles.length === 0) return await ort.InferenceSession.create(graphBytes, opts);
    removeStaleGraphs(dir);
    const tmp = join(dir, `${TEMP_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}.onnx`);
    let written = false;
    try {
      writeFileSync(tmp, graphBytes);
      written = true;
    } catch {
      // A full disk leaves part of the file: remove it, or every later open finds it.
      try {
        unlinkSync(tmp);
      } catch {
        // Never made.
      }
      const externalData = externalFiles.map((path) => ({ path, data: readFileSync(join(dir, path)) }));
      return await ort.InferenceSession.create(graphBytes, { ...opts, externalData });
    }
    try {
      return await ort.InferenceSession.create(tmp, opts);
    } finally {
      if (written) unlinkSync(tmp);
    }
  } catch (e) {
    // A provider that cannot load is about the install, not the model file.
    const provider = providerLoadError(options.executionProvider ?? 'cpu', e);
    if (provider) throw provider;
    // The exported graph failing to load is about the user's file; a rewrite that fails is our bug.
    if (rewritten) throw new Error(`${originalFile}: onnxruntime refused the rewritten graph: ${(e as Error).message}`);
    throw userErrorFrom(originalFile, 'onnxruntime could not load the model', e);
  }
}
