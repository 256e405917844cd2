// Whether onnxruntime-node can run an execution provider here. CUDA's provider libraries are not in
// the npm package (too large): its install script downloads them only when asked, so a plain install
// has none, and onnxruntime then fails with "Failed to load shared library", which says nothing about
// the fix. Check for them before the first session so the user hears what to install.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError } from './errors';

export const CUDA_INSTALL_HINT =
  'install them with `ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node` (Linux x64, needs CUDA 12 and cuDNN 9), or use the cpu provider';

/** The folder holding onnxruntime-node's native binding for this platform. */
export function ortBindingDir(): string | undefined {
  try {
    const pkg = require.resolve('onnxruntime-node/package.json');
    return join(dirname(pkg), 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    return undefined;
  }
}

/** Throws a UserError naming the provider and the fix when its libraries are absent. */
export function checkExecutionProvider(ep: string, bindingDir = ortBindingDir()): void {
  if (ep !== 'cuda' || !bindingDir) return;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new UserError(`execution provider "cuda" (--ep / aura.executionProvider): onnxruntime-node ships CUDA only for Linux x64, not ${process.platform}/${process.arch}; use cpu`);
  }
  const missing = ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so'].filter((f) => !existsSync(join(bindingDir, f)));
  if (missing.length > 0) {
    throw new UserError(`execution provider "cuda" (--ep / aura.executionProvider): onnxruntime-node's CUDA libraries are not installed (no ${missing.join(', ')} in ${bindingDir}); ${CUDA_INSTALL_HINT}`);
  }
}

/** A session that failed because a provider's libraries (or CUDA's own) could not be loaded. */
export function providerLoadError(ep: string, cause: unknown): UserError | undefined {
  const msg = cause instanceof Error ? cause.message : String(cause);
  if (ep === 'cpu' || !/Failed to load (shared )?library|providers_cuda|libcudart|libcudnn|libcublas/i.test(msg)) return undefined;
  const first = msg.split('\n').find((l) => l.trim())?.trim().slice(0, 200) ?? '';
  return new UserError(`execution provider "${ep}" (--ep / aura.executionProvider) could not be loaded (${first}); ${ep === 'cuda' ? CUDA_INSTALL_HINT : 'use the cpu provider'}`);
}
