// The folded export's check that onnxruntime loads it, run in a short-lived process: the model process
// already holds the live model's weights, and a session over the written model there held a second copy
// (2.53x the weights at 2.35 GB). The child is the model process's own script started with a flag, so
// the bundle needs no other entry; it loads the file, releases it and exits.
import { fork } from 'node:child_process';
import { findModelProcessEntry } from './process-host';

export const VERIFY_FLAG = '--verify-onnx';
const STDERR_KEEP = 2000;

/** Resolves once a fresh process has loaded `graphPath` with onnxruntime; rejects with its one-line reason. */
export function verifyInChild(graphPath: string): Promise<void> {
  const entry = findModelProcessEntry();
  return new Promise((resolve, reject) => {
    const child = fork(entry.file, [VERIFY_FLAG, graphPath], {
      execArgv: entry.execArgv,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(-STDERR_KEEP)));
    child.on('error', (e) => reject(new Error(`the verifying process could not start: ${e.message}`)));
    child.on('exit', (code, signal) => {
      if (code === 0) return resolve();
      const last = stderr.trim().split('\n').filter((l) => l.trim() !== '').pop();
      reject(new Error(last ?? `the verifying process ${signal ? `was stopped by ${signal}` : `exited with code ${code}`}`));
    });
  });
}

/** The child's side: load, release, exit 0; or the reason on one line of stderr and exit 1. */
export async function verifyHere(graphPath: string): Promise<never> {
  const { ort } = await import('../../engine/ort-session');
  try {
    const session = await ort.InferenceSession.create(graphPath, { logSeverityLevel: 4 });
    await session.release();
    process.exit(0);
  } catch (e) {
    process.stderr.write(`${(e instanceof Error ? e.message : String(e)).split('\n')[0]}\n`);
    process.exit(1);
  }
}
