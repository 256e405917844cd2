// --ep: the onnxruntime execution provider, as the extension's aura.executionProvider setting.
import { UserError } from '../engine/errors';
import { checkExecutionProvider } from '../engine/execution-provider';
import type { ExecutionProvider } from '../engine/ort-session';

export const PROVIDERS = ['cpu', 'cuda', 'webgpu', 'dml', 'coreml'] as const satisfies readonly ExecutionProvider[];

export function epFlag(flags: Record<string, string | boolean | undefined>): { executionProvider?: ExecutionProvider } {
  const v = flags.ep;
  if (v === undefined) return {};
  if (typeof v !== 'string' || !(PROVIDERS as readonly string[]).includes(v)) {
    throw new UserError(`--ep: expected one of ${PROVIDERS.join(', ')}, got "${String(v)}"`);
  }
  // Before the model loads: a missing provider should not cost the user a multi-GB load first.
  checkExecutionProvider(v);
  return { executionProvider: v as ExecutionProvider };
}
