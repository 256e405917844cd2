import { basename } from 'node:path';
import * as ort from 'onnxruntime-node';
import { Tokenizer } from '@huggingface/tokenizers';
import type { Scorer } from './scorer';
import { AuraUserError } from '../errors';
import { oneLine, readClassifierFolder, type ClassifierFolder } from './classifier-folder';

export interface ClassifierOptions {
  /** id2label name to score; by default the one matching toxic|offensive|hate|abusive (not non-/not-). */
  label?: string;
  /** Tokens per text after special tokens; capped by the model's position embeddings. Default 512. */
  maxLength?: number;
  /** Texts per onnxruntime call. Default 16. */
  batchSize?: number;
}

/**
 * Any ONNX text-classification folder (an exported RoBERTa or BERT toxicity classifier) as a Scorer:
 * tokenizer.json via @huggingface/tokenizers, onnxruntime-node, then softmax (sigmoid for multi-label
 * heads) and the probability of the toxic label.
 */
export class OnnxClassifierScorer implements Scorer {
  readonly name: string;

  private constructor(
    private readonly folder: ClassifierFolder,
    private readonly session: ort.InferenceSession,
    private readonly tokenizer: Tokenizer,
    private readonly maxLength: number,
    private readonly batchSize: number,
    private readonly padId: number,
    private readonly specialIds: ReadonlySet<number>,
  ) {
    this.name = `classifier:${basename(folder.dir)}`;
  }

  get label(): string {
    return this.folder.labels[this.folder.toxicIndex];
  }

  static async load(dir: string, options: ClassifierOptions = {}): Promise<OnnxClassifierScorer> {
    const folder = readClassifierFolder(dir, options.label);
    let tokenizer: Tokenizer;
    try {
      tokenizer = new Tokenizer(folder.tokenizerJson, folder.tokenizerConfig);
    } catch (e) {
      throw new AuraUserError(`${folder.tokenizerPath}: not a tokenizer.json the tokenizer library can load (${oneLine(e)})`);
    }
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(folder.modelPath);
    } catch (e) {
      throw new AuraUserError(`${folder.modelPath}: onnxruntime cannot load it (${oneLine(e)})`);
    }
    for (const name of session.inputNames) {
      if (!['input_ids', 'attention_mask', 'token_type_ids'].includes(name)) {
        throw new AuraUserError(`${folder.modelPath}: unexpected input "${name}" (expected input_ids, attention_mask, token_type_ids)`);
      }
    }
    const maxLength = Math.max(2, Math.min(options.maxLength ?? 512, folder.maxPositions ?? Infinity));
    const specialIds = new Set<number>();
    for (const [id, token] of tokenizer.get_added_tokens_decoder()) if (token.special) specialIds.add(id);
    const padId = folder.padId ?? padFromTokenizer(tokenizer, folder.tokenizerConfig) ?? 0;
    return new OnnxClassifierScorer(folder, session, tokenizer, maxLength, options.batchSize ?? 16, padId, specialIds);
  }

  async score(texts: string[], signal?: AbortSignal): Promise<number[]> {
    const out: number[] = [];
    for (let b = 0; b < texts.length; b += this.batchSize) {
      signal?.throwIfAborted();
      out.push(...(await this.scoreBatch(texts.slice(b, b + this.batchSize))));
    }
    return out;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }

  private encode(text: string): number[] {
    if (typeof text !== 'string') throw new TypeError(`texts: expected strings, got ${typeof text}`);
    const ids = this.tokenizer.encode(text).ids;
    if (ids.length === 0) return [this.padId];
    if (ids.length <= this.maxLength) return ids;
    // Keep the closing special tokens (</s>, [SEP]) that the model was trained to see last.
    let tail = 0;
    while (tail < ids.length - 1 && this.specialIds.has(ids[ids.length - 1 - tail])) tail++;
    return [...ids.slice(0, this.maxLength - tail), ...ids.slice(ids.length - tail)];
  }

  private async scoreBatch(texts: string[]): Promise<number[]> {
    const encoded = texts.map((t) => this.encode(t));
    const width = Math.max(...encoded.map((e) => e.length));
    const ids = new BigInt64Array(texts.length * width).fill(BigInt(this.padId));
    const mask = new BigInt64Array(texts.length * width);
    encoded.forEach((e, row) => {
      e.forEach((id, col) => {
        ids[row * width + col] = BigInt(id);
        mask[row * width + col] = 1n;
      });
    });
    const dims = [texts.length, width];
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', ids, dims),
      attention_mask: new ort.Tensor('int64', mask, dims),
    };
    if (this.session.inputNames.includes('token_type_ids')) {
      feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(ids.length), dims);
    }
    const fetched = await this.session.run(pick(feeds, this.session.inputNames));
    const logits = fetched[this.session.outputNames.includes('logits') ? 'logits' : this.session.outputNames[0]];
    const n = this.folder.labels.length;
    if (logits.dims.length !== 2 || logits.dims[0] !== texts.length || logits.dims[1] !== n) {
      throw new Error(`${this.folder.modelPath}: expected logits [${texts.length}, ${n}], got [${logits.dims.join(', ')}]`);
    }
    const data = logits.data as Float32Array;
    return texts.map((_, row) => this.probability(data.subarray(row * n, row * n + n)));
  }

  private probability(row: Float32Array): number {
    const k = this.folder.toxicIndex;
    if (this.folder.multiLabel || row.length === 1) return 1 / (1 + Math.exp(-row[k]));
    const max = Math.max(...row);
    let sum = 0;
    for (const v of row) sum += Math.exp(v - max);
    return Math.exp(row[k] - max) / sum;
  }
}

function pick(feeds: Record<string, ort.Tensor>, names: readonly string[]): Record<string, ort.Tensor> {
  return Object.fromEntries(names.map((name) => [name, feeds[name]]));
}

function padFromTokenizer(tokenizer: Tokenizer, config: object): number | undefined {
  const pad = (config as { pad_token?: unknown }).pad_token;
  const content = typeof pad === 'string' ? pad : (pad as { content?: unknown } | undefined)?.content;
  return typeof content === 'string' ? tokenizer.token_to_id(content) : undefined;
}
