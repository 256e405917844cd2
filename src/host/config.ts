// The one typed view of the `aura.*` settings. Reads go through a ConfigSource, which
// vscode.WorkspaceConfiguration satisfies as it is, so this module needs no vscode import and the
// rules below (defaults, ranges, workspace trust) are tested in plain Node.
import * as v from 'valibot';
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
  /** Profile on a Cluster: how the nodes run aura-lens ('' = the bundled CLI), partition and time limit ('' = the cluster's defaults). Machine-scoped: no workspace can set them. */
  cluster: { cli: string; partition: string; time: string };
}

const int = (min: number, max: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));
const real = (min: number, max: number) => v.pipe(v.number(), v.finite(), v.minValue(min), v.maxValue(max));
const trimmed = v.pipe(v.string(), v.trim());

/**
 * Each setting once: its schema (the check) and its default (the fallback for a value that fails it).
 * The defaults are mirrored in package.json contributes.configuration (a unit test keeps them equal).
 */
const SETTINGS = {
  [Settings.modelPath]: v.fallback(trimmed, ''),
  [Settings.threads]: v.fallback(int(0, 256), 0),
  [Settings.executionProvider]: v.fallback(v.picklist(['cpu', 'cuda', 'webgpu', 'dml', 'coreml'] satisfies ExecutionProvider[]), 'cpu'),
  [Settings.pooling]: v.fallback(v.picklist(['max', 'mean']), 'max'),
  [Settings.sequenceLength]: v.fallback(int(1, 8192), 128),
  [Settings.maxNewTokens]: v.fallback(int(1, 1024), 20),
  [Settings.temperature]: v.fallback(real(0, 5), 0.7),
  [Settings.topK]: v.fallback(int(0, 100_000), 0),
  [Settings.topP]: v.fallback(real(0, 1), 0.95),
  [Settings.seed]: v.fallback(int(0, 2 ** 31 - 1), 0),
  [Settings.textColumn]: v.fallback(trimmed, ''),
  [Settings.labelColumn]: v.fallback(trimmed, ''),
  [Settings.maxPerClass]: v.fallback(int(0, 10_000_000), 2000),
  [Settings.scorer]: v.fallback(trimmed, 'lexicon'),
  [Settings.clusterCli]: v.fallback(v.pipe(trimmed, v.regex(/^[^\r\n]*$/)), ''),
  [Settings.clusterPartition]: v.fallback(v.pipe(trimmed, v.regex(/^[A-Za-z0-9_.:+@-]*$/)), ''),
  [Settings.clusterTime]: v.fallback(v.pipe(trimmed, v.regex(/^[0-9:-]*$/)), ''),
} as const;

type SettingKey = keyof typeof SETTINGS;
type SettingValue<K extends SettingKey> = v.InferOutput<(typeof SETTINGS)[K]>;

/** Every setting's default, derived from its schema's fallback. */
export const DEFAULTS = Object.fromEntries(Object.entries(SETTINGS).map(([k, s]) => [k, v.getFallback(s)])) as { [K in SettingKey]: SettingValue<K> };

/** Settings that name files: an untrusted workspace cannot make the extension load them. */
export const WORKSPACE_RESTRICTED: readonly string[] = [Settings.modelPath, Settings.scorer];

export function readConfig(source: ConfigSource, trusted: boolean): AuraConfig {
  const get = <K extends SettingKey>(key: K): SettingValue<K> => {
    const raw = trusted || !WORKSPACE_RESTRICTED.includes(key) ? source.get<unknown>(key) : userValue(source, key);
    return v.parse(SETTINGS[key], raw) as SettingValue<K>;
  };
  const maxPerClass = get(Settings.maxPerClass);
  return {
    modelPath: get(Settings.modelPath) || undefined,
    threads: get(Settings.threads),
    executionProvider: get(Settings.executionProvider),
    pooling: get(Settings.pooling),
    sequenceLength: get(Settings.sequenceLength),
    generation: {
      maxNewTokens: get(Settings.maxNewTokens),
      temperature: get(Settings.temperature),
      topK: get(Settings.topK),
      topP: get(Settings.topP),
      seed: get(Settings.seed),
    },
    dataset: {
      textColumn: get(Settings.textColumn) || undefined,
      labelColumn: get(Settings.labelColumn) || undefined,
      maxPerClass: maxPerClass > 0 ? maxPerClass : undefined,
    },
    scorer: get(Settings.scorer) || DEFAULTS[Settings.scorer],
    cluster: { cli: get(Settings.clusterCli), partition: get(Settings.clusterPartition), time: get(Settings.clusterTime) },
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
