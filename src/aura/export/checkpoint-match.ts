// A Hugging Face checkpoint folder read only as far as an adapter needs: config.json and the safetensors
// headers (tensor names, dtypes and shapes), never a weight. It must be the model the ONNX file was made
// from; the first field that differs is named, so a user who picked the wrong folder knows which.
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AuraUserError } from '../errors';

export interface CheckpointTensor {
  dtype: string;
  shape: number[];
  file: string;
}

export interface Checkpoint {
  dir: string;
  config: Record<string, unknown>;
  tensors: Map<string, CheckpointTensor>;
}

/** What the ONNX model says about itself (LanguageModel.facts and sites). */
export interface OnnxFacts {
  modelType?: string;
  layers: number;
  hidden?: number;
  vocabSize: number;
  /** Width of the MLP's hidden layer: the neurons of its first projection (an up or in site). */
  mlpSize?: number;
}

export function readCheckpoint(dir: string): Checkpoint {
  const cfgPath = join(dir, 'config.json');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new AuraUserError(`--checkpoint ${dir}: not a folder (expected a Hugging Face checkpoint folder with config.json)`);
  let config: unknown;
  try {
    config = JSON.parse(readFileSync(cfgPath, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AuraUserError(`--checkpoint ${dir}: ${code === 'ENOENT' ? 'has no config.json' : `config.json is not valid JSON (${(e as Error).message.split('\n')[0]})`}; expected a Hugging Face checkpoint folder`);
  }
  if (config === null || typeof config !== 'object' || Array.isArray(config)) throw new AuraUserError(`--checkpoint ${cfgPath}: is not a JSON object`);
  return { dir, config: config as Record<string, unknown>, tensors: readTensorIndex(dir) };
}

/** Tensor names and shapes from model.safetensors or the shards a model.safetensors.index.json names. */
function readTensorIndex(dir: string): Map<string, CheckpointTensor> {
  const index = join(dir, 'model.safetensors.index.json');
  let files: string[];
  if (existsSync(index)) {
    let map: unknown;
    try {
      map = (JSON.parse(readFileSync(index, 'utf8')) as { weight_map?: unknown }).weight_map;
    } catch (e) {
      throw new AuraUserError(`--checkpoint ${index}: not valid JSON (${(e as Error).message.split('\n')[0]})`);
    }
    if (map === null || typeof map !== 'object') throw new AuraUserError(`--checkpoint ${index}: has no weight_map object`);
    files = [...new Set(Object.values(map as Record<string, unknown>).map(String))];
  } else if (existsSync(join(dir, 'model.safetensors'))) {
    files = ['model.safetensors'];
  } else {
    throw new AuraUserError(`--checkpoint ${dir}: has neither model.safetensors nor model.safetensors.index.json (pytorch_model.bin is not read; save with safe_serialization=True)`);
  }
  const out = new Map<string, CheckpointTensor>();
  for (const f of files) {
    for (const [name, t] of Object.entries(readHeader(join(dir, f)))) {
      if (name === '__metadata__') continue;
      out.set(name, { dtype: String(t.dtype), shape: t.shape, file: f });
    }
  }
  return out;
}

/** The JSON header of a safetensors file, read without its data. */
export function readHeader(path: string): Record<string, { dtype: string; shape: number[] }> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new AuraUserError(`--checkpoint ${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  try {
    const size = statSync(path).size;
    const lenBuf = Buffer.alloc(8);
    if (size < 8 || readSync(fd, lenBuf, 0, 8, 0) !== 8) throw new AuraUserError(`--checkpoint ${path}: shorter than a safetensors header`);
    const len = Number(lenBuf.readBigUInt64LE(0));
    if (len > 100 * 1024 ** 2 || 8 + len > size) throw new AuraUserError(`--checkpoint ${path}: header length ${len} exceeds the file; not a safetensors file`);
    const head = Buffer.alloc(len);
    let got = 0;
    while (got < len) {
      const n = readSync(fd, head, got, len - got, 8 + got);
      if (n === 0) break;
      got += n;
    }
    const parsed = JSON.parse(head.toString('utf8')) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Record<string, { dtype: string; shape: number[] }>;
  } catch (e) {
    if (e instanceof AuraUserError) throw e;
    throw new AuraUserError(`--checkpoint ${path}: the safetensors header is not valid JSON; not a safetensors file`);
  } finally {
    closeSync(fd);
  }
}

const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);

/** The checkpoint's architecture as config.json states it, under the names the families use. */
export function checkpointFacts(config: Record<string, unknown>): Partial<OnnxFacts> {
  const hidden = int(config.hidden_size) ?? int(config.n_embd) ?? int(config.d_model);
  // GPT-2 writes n_inner: null for the default 4 * n_embd.
  const gpt2Inner = 'n_inner' in config ? (int(config.n_inner) ?? (hidden !== undefined ? 4 * hidden : undefined)) : undefined;
  const facts: Partial<OnnxFacts> = {};
  const set = <K extends keyof OnnxFacts>(k: K, v: OnnxFacts[K] | undefined) => {
    if (v !== undefined) facts[k] = v;
  };
  set('modelType', typeof config.model_type === 'string' ? config.model_type : undefined);
  set('layers', int(config.num_hidden_layers) ?? int(config.n_layer));
  set('hidden', hidden);
  set('vocabSize', int(config.vocab_size));
  set('mlpSize', int(config.intermediate_size) ?? int(config.ffn_dim) ?? gpt2Inner);
  return facts;
}

/** Throws one line naming the first field where the checkpoint and the ONNX model differ. */
export function checkSameModel(ck: Checkpoint, onnx: OnnxFacts, modelDir: string): void {
  const c = checkpointFacts(ck.config);
  const fields: [keyof OnnxFacts, string][] = [
    ['modelType', 'model_type'],
    ['layers', 'layer count'],
    ['hidden', 'hidden size'],
    ['mlpSize', 'MLP size'],
    ['vocabSize', 'vocabulary size'],
  ];
  for (const [k, what] of fields) {
    const a = c[k];
    const b = onnx[k];
    if (a === undefined || b === undefined) {
      if (k === 'layers' && a === undefined) throw new AuraUserError(`--checkpoint ${ck.dir}: config.json states no layer count (num_hidden_layers or n_layer); expected a transformers config`);
      continue;
    }
    // Embedding tables are often padded past the tokenizer (to a multiple of 64); the ONNX model's logits
    // width is the checkpoint's vocab_size either way, so any difference is a different model.
    if (a !== b) throw new AuraUserError(`--checkpoint ${ck.dir}: ${what} is ${JSON.stringify(a)} in config.json but ${JSON.stringify(b)} in the ONNX model ${modelDir}; expected the checkpoint the ONNX model was exported from`);
  }
}

/**
 * The checkpoint's tensor for a module path: as named in the causal-LM model (`transformer.h.0.mlp.c_fc`),
 * or without its first component when the checkpoint holds the base model (GPT2Model saves `h.0.mlp.c_fc`).
 * transformers loads either into the causal-LM class, so PEFT sees the full path in both cases.
 */
export function moduleTensor(ck: Checkpoint, modulePath: string, param: 'weight' | 'bias'): { name: string; tensor: CheckpointTensor } | undefined {
  for (const name of [`${modulePath}.${param}`, `${modulePath.slice(modulePath.indexOf('.') + 1)}.${param}`]) {
    const tensor = ck.tensors.get(name);
    if (tensor) return { name, tensor };
  }
  return undefined;
}
