// The one typed view of the `aura.*` settings. Reads go through a ConfigSource, which
// vscode.WorkspaceConfiguration satisfies as it is, so this module needs no vscode import and the
// rules below (defaults, ranges, workspace trust) are tested in plain Node.
import { Settings } from '../shared/ids';
import type { ExecutionProvider } from '../engine/ort-session';

export interface ConfigSource {
  get<T>(key: string): T | undefined;
  inspect<T>(key: string): { globalValue?: T; workspaceValue?: T; workspaceFolderValue?: T } | undefined;
}

export interface GenerationConfig {
  maxNewTokens: number;
  /** 0: greedy. */
  temperature: number;
  /** 0: off. */
  topK: number;
  topP: number;
  seed: number;
}

export interface AuraConfig {
  /** Undefined when unset, or set by an untrusted workspace. */
  modelPath: string | undefined;
  /** 0: onnxruntime's default. */
  threads: number;
  executionProvider: ExecutionProvider;
  pooling: 'max' | 'mean';
  sequenceLength: number;
  generation: GenerationConfig;
  dataset: { textColumn: string | undefined; labelColumn: string | undefined; maxPerClass: number | undefined };
  /** 'lexicon' or a classifier folder; a workspace value counts only in a trusted workspace. */
  scorer: string;
}

/** Defaults, mirrored in package.json contributes.configuration (a unit test keeps them equal). */
export const DEFAULTS = {
  [Settings.modelPath]: '',
  [Settings.threads]: 0,
  [Settings.executionProvider]: 'cpu',
  [Settings.pooling]: 'max',
  [Settings.sequenceLength]: 128,
  [Settings.maxNewTokens]: 20,
  [Settings.temperature]: 0.7,
  [Settings.topK]: 0,
  [Settings.topP]: 0.95,
  [Settings.seed]: 0,
  [Settings.textColumn]: '',
  [Settings.labelColumn]: '',
  [Settings.maxPerClass]: 2000,
  [Settings.scorer]: 'lexicon',
} as const;

const PROVIDERS: readonly ExecutionProvider[] = ['cpu', 'cuda', 'webgpu', 'dml', 'coreml'];

/** Settings that name files: an untrusted workspace cannot make the extension load them. */
export const WORKSPACE_RESTRICTED: readonly string[] = [Settings.modelPath, Settings.scorer];

export function readConfig(source: ConfigSource, trusted: boolean): AuraConfig {
  const num = (key: keyof typeof DEFAULTS, min: number, max: number, integer = true): number => {
    const v = source.get<unknown>(key);
    const ok = typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max && (!integer || Number.isInteger(v));
    return ok ? v : (DEFAULTS[key] as number);
  };
  const text = (key: keyof typeof DEFAULTS): string => {
    const v = trusted || !WORKSPACE_RESTRICTED.includes(key) ? source.get<unknown>(key) : userValue(source, key);
    return typeof v === 'string' ? v.trim() : (DEFAULTS[key] as string);
  };
  const pick = <T extends string>(key: keyof typeof DEFAULTS, allowed: readonly T[]): T => {
    const v = source.get<unknown>(key);
    return allowed.includes(v as T) ? (v as T) : (DEFAULTS[key] as T);
  };
  const maxPerClass = num(Settings.maxPerClass, 0, 10_000_000);
  return {
    modelPath: text(Settings.modelPath) || undefined,
    threads: num(Settings.threads, 0, 256),
    executionProvider: pick(Settings.executionProvider, PROVIDERS),
    pooling: pick(Settings.pooling, ['max', 'mean'] as const),
    sequenceLength: num(Settings.sequenceLength, 1, 8192),
    generation: {
      maxNewTokens: num(Settings.maxNewTokens, 1, 1024),
      temperature: num(Settings.temperature, 0, 5, false),
      topK: num(Settings.topK, 0, 100_000),
      topP: num(Settings.topP, 0, 1, false),
      seed: num(Settings.seed, 0, 2 ** 31 - 1),
    },
    dataset: {
      textColumn: text(Settings.textColumn) || undefined,
      labelColumn: text(Settings.labelColumn) || undefined,
      maxPerClass: maxPerClass > 0 ? maxPerClass : undefined,
    },
    scorer: text(Settings.scorer) || DEFAULTS[Settings.scorer],
  };
}

/** The value the user set (user settings), ignoring workspace and folder settings. */
function userValue(source: ConfigSource, key: string): unknown {
  return source.inspect<unknown>(key)?.globalValue;
}

/** A source over a plain object, for tests and the CLI-like defaults. */
export function objectSource(values: Record<string, unknown>, workspace: Record<string, unknown> = {}): ConfigSource {
  return {
    get: <T>(key: string) => (key in workspace ? workspace[key] : values[key]) as T | undefined,
    inspect: <T>(key: string) => ({ globalValue: values[key] as T | undefined, workspaceValue: workspace[key] as T | undefined }),
  };
}
