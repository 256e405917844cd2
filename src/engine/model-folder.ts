// Resolves a model folder as the exporters people use write it (Optimum, transformers.js /
// onnx-community, legacy merged or split decoders, ONNX Runtime GenAI) to the graph files and configs.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UserError } from './errors';

export type Layout = 'single' | 'merged' | 'split' | 'genai';

export interface ModelFiles {
  dir: string;
  layout: Layout;
  /** The graph that runs every step (`single`, `merged`, `genai`), or the first step (`split`). */
  main: string;
  /** `split` only: the graph with past inputs used after the first step. */
  withPast?: string;
  config?: Record<string, unknown>;
  genaiConfig?: GenaiConfig;
  generationConfig?: Record<string, unknown>;
  tokenizerJson?: string;
  tokenizerConfig?: string;
}

export interface GenaiConfig {
  model?: {
    bos_token_id?: number;
    eos_token_id?: number | number[];
    pad_token_id?: number;
    context_length?: number;
    type?: string;
    vocab_size?: number;
    decoder?: {
      filename?: string;
      head_size?: number;
      hidden_size?: number;
      num_attention_heads?: number;
      num_hidden_layers?: number;
      num_key_value_heads?: number;
      inputs?: Record<string, string>;
      outputs?: Record<string, string>;
    };
  };
  search?: Record<string, unknown>;
}

/** transformers.js dtype suffixes, most faithful first: a folder holding several picks fp32. */
const VARIANTS = ['', '_fp16', '_quantized', '_int8', '_uint8', '_q8', '_q4', '_q4f16', '_bnb4'];

export function resolveModelFolder(path: string): ModelFiles {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new UserError(`${path}: no such model folder or .onnx file`);
  if (statSync(abs).isFile()) {
    if (!abs.endsWith('.onnx')) throw new UserError(`${path}: expected a model folder or an .onnx file`);
    return withConfigs({ dir: configDirFor(dirname(abs)), layout: 'single', main: abs });
  }
  const genaiPath = join(abs, 'genai_config.json');
  if (existsSync(genaiPath)) {
    const genaiConfig = readJson(genaiPath) as GenaiConfig;
    const file = genaiConfig.model?.decoder?.filename ?? 'model.onnx';
    const main = inside(abs, file, genaiPath);
    if (!existsSync(main)) throw new UserError(`${genaiPath}: decoder.filename "${file}" does not exist in the folder`);
    return withConfigs({ dir: abs, layout: 'genai', main, genaiConfig });
  }
  for (const sub of ['', 'onnx']) {
    const d = join(abs, sub);
    for (const v of VARIANTS) {
      if (existsSync(join(d, `model${v}.onnx`))) return withConfigs({ dir: abs, layout: 'single', main: join(d, `model${v}.onnx`) });
    }
    for (const v of VARIANTS) {
      const merged = join(d, `decoder_model_merged${v}.onnx`);
      if (existsSync(merged)) return withConfigs({ dir: abs, layout: 'merged', main: merged });
    }
    const first = join(d, 'decoder_model.onnx');
    const withPast = join(d, 'decoder_with_past_model.onnx');
    if (existsSync(first) && existsSync(withPast)) return withConfigs({ dir: abs, layout: 'split', main: first, withPast });
  }
  throw new UserError(
    `${path}: no ONNX language model found (expected model.onnx, onnx/model*.onnx, decoder_model_merged.onnx, decoder_model.onnx + decoder_with_past_model.onnx, or genai_config.json)`,
  );
}

/** A graph given as a file inside `onnx/` takes its configs from the folder above. */
function configDirFor(dir: string): string {
  return basename(dir) === 'onnx' && existsSync(join(dirname(dir), 'config.json')) ? dirname(dir) : dir;
}

function withConfigs(files: ModelFiles): ModelFiles {
  const opt = (name: string) => {
    const p = join(files.dir, name);
    return existsSync(p) ? p : undefined;
  };
  const config = opt('config.json');
  const gen = opt('generation_config.json');
  return {
    ...files,
    ...(config ? { config: readJson(config) as Record<string, unknown> } : {}),
    ...(gen ? { generationConfig: readJson(gen) as Record<string, unknown> } : {}),
    ...(opt('tokenizer.json') ? { tokenizerJson: opt('tokenizer.json')! } : {}),
    ...(opt('tokenizer_config.json') ? { tokenizerConfig: opt('tokenizer_config.json')! } : {}),
  };
}

export function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`${path}: cannot be read (${(e as Error).message})`);
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a JSON object');
    return v;
  } catch (e) {
    throw new UserError(`${path}: expected a JSON object (${(e as Error).message})`);
  }
}

/** A file named by a config must stay inside the model folder. */
export function inside(dir: string, rel: string, namedIn: string): string {
  const p = resolve(dir, rel);
  if (p !== dir && !p.startsWith(dir + '/') && !p.startsWith(dir + '\\')) {
    throw new UserError(`${namedIn}: "${rel}" points outside the model folder ${dir}`);
  }
  return p;
}
