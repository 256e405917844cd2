// Generation as a loop of small parts (as in transformers.js): prepare inputs, forward, logits
// processors, sampler, streamer, cache update. Batches are left-padded, as AurA assumes.
import { UserError } from '../errors';
import { processorsFor } from './logits-processors';
import { seededRng } from './random';
import { argmax, sample } from './sampler';
import type { Intervention, LanguageModel, SessionKind } from '../model';
import type { SamplingOptions } from './logits-processors';
import type { ort } from '../ort-session';

export interface GenerateOptions extends SamplingOptions {
  maxNewTokens?: number;
  /** Seed of row i is seed + i, so a row's draws do not depend on what else is in the batch. */
  seed?: number;
  intervention?: Intervention;
  /** 'plain' runs the unmodified graph (baselines and benchmarks). */
  kind?: Extract<SessionKind, 'lm' | 'plain'>;
  stopAtEos?: boolean;
  /** false recomputes the whole sequence every step (a check on the KV cache). */
  useCache?: boolean;
  signal?: AbortSignal;
  onToken?: (event: TokenEvent) => void;
}

export interface TokenEvent {
  row: number;
  tokenId: number;
  /** Every token generated so far in this row, and their text (a full snapshot, not a delta). */
  ids: number[];
  text: string;
}

export interface GenerateResult {
  promptIds: number[][];
  ids: number[][];
  texts: string[];
  finish: ('eos' | 'length')[];
  tokensPerSecond: number;
  seconds: number;
}

export async function generate(model: LanguageModel, prompts: (string | number[])[], o: GenerateOptions = {}): Promise<GenerateResult> {
  const maxNew = o.maxNewTokens ?? 20;
  const promptIds = prompts.map((p) => (typeof p === 'string' ? model.tokenizer.encode(p) : [...p]));
  const empty = promptIds.findIndex((p) => p.length === 0);
  if (empty >= 0) {
    const p = prompts[empty]!;
    const shown = typeof p === 'string' ? ` ${JSON.stringify(p.length > 40 ? `${p.slice(0, 40)}…` : p)}` : '';
    throw new UserError(`prompt${prompts.length > 1 ? ` ${empty + 1}` : ''}${shown} encodes to no tokens: give text the model's tokenizer maps to at least one token`);
  }
  const batch = promptIds.length;
  const pad = model.facts.padTokenId ?? model.facts.eosTokenIds[0] ?? 0;
  const eos = new Set(model.facts.eosTokenIds);
  const width = Math.max(...promptIds.map((p) => p.length));
  const context = model.facts.maxPositions ?? Infinity;
  if (width >= context) throw new UserError(`prompt of ${width} tokens leaves no room in the model's context of ${context} tokens`);
  const rows = promptIds.map((p) => [...new Array<number>(width - p.length).fill(pad), ...p]);
  const mask = promptIds.map((p) => [...new Array<number>(width - p.length).fill(0), ...new Array<number>(p.length).fill(1)]);
  const rngs = promptIds.map((_, i) => seededRng((o.seed ?? 0) + i));
  const processors = processorsFor(o);
  const greedy = !(o.temperature && o.temperature > 0);
  const out: number[][] = promptIds.map(() => []);
  const finish: ('eos' | 'length')[] = promptIds.map(() => 'length');
  const done = promptIds.map(() => false);
  const cache = (o.useCache ?? true) && model.hasPast;
  let past: Record<string, ort.Tensor> | undefined;
  let next: number[][] = rows;
  const started = performance.now();
  let produced = 0;

  // Generation stops at the end of the context, as position embeddings end there.
  const steps = Math.min(maxNew, context - width);
  for (let step = 0; step < steps && done.some((d) => !d); step++) {
    throwIfAborted(o.signal);
    const r = await model.step({
      ids: cache ? next : rows,
      mask,
      ...(cache && past ? { past } : {}),
      asExported: o.kind === 'plain',
      ...(o.intervention ? { intervention: o.intervention } : {}),
      logits: 'last',
    });
    throwIfAborted(o.signal);
    const vocab = r.logits!.length / batch;
    const chosen: number[] = [];
    for (let i = 0; i < batch; i++) {
      if (done[i]) {
        chosen.push(pad);
        continue;
      }
      const logits = r.logits!.slice(i * vocab, (i + 1) * vocab);
      for (const p of processors) p(logits, [...promptIds[i]!, ...out[i]!]);
      const tok = greedy ? argmax(logits) : sample(logits, rngs[i]!);
      chosen.push(tok);
      out[i]!.push(tok);
      produced++;
      if (eos.has(tok) && (o.stopAtEos ?? true)) {
        done[i] = true;
        finish[i] = 'eos';
      }
      o.onToken?.({ row: i, tokenId: tok, ids: [...out[i]!], text: model.tokenizer.decode(out[i]!) });
    }
    for (let i = 0; i < batch; i++) {
      rows[i]!.push(chosen[i]!);
      mask[i]!.push(1);
    }
    next = chosen.map((t) => [t]);
    past = r.present;
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    promptIds,
    ids: out,
    texts: out.map((ids) => model.tokenizer.decode(ids)),
    finish,
    tokensPerSecond: seconds > 0 ? produced / seconds : 0,
    seconds,
  };
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) {
    const e = new Error('cancelled');
    e.name = 'AbortError';
    throw e;
  }
}
