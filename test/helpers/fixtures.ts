// Paths to the committed fixtures and their PyTorch golden values (made by test/fixtures/make_fixtures.py).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURES = join(__dirname, '..', 'fixtures');
export const MODELS = join(FIXTURES, 'models');

export interface Golden {
  model: string;
  architecture: string;
  sites: { id: string; layer: number; kind: string; neurons: number }[];
  batch: { input_ids: number[][]; attention_mask: number[][]; position_ids: number[][] };
  pooled: Record<string, { max: number[][]; mean: number[][] }>;
  logits_last: number[][];
  logits_prompt0: number[][];
  intervention: { gain: Record<string, number[]>; bias: Record<string, number[]> };
  logits_last_gain: number[][];
  logits_last_gain_bias: number[][];
  greedy: { prompt_ids: number[]; new_tokens: number; plain: number[]; gain: number[] };
  tokenizer: { text: string; ids: number[] }[];
  eos_token_id: number;
  pad_token_id: number;
  notes?: string;
}

export function goldenNames(): string[] {
  const dir = join(FIXTURES, 'golden');
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .map((f) => f.replace(/\.json$/, ''))
        .filter((n) => existsSync(join(MODELS, n)))
        .sort()
    : [];
}

/** Variant fixtures (merged, fused, fp16, ...) share the values of the model they were made from. */
export function golden(name: string): Golden {
  const g = JSON.parse(readFileSync(join(FIXTURES, 'golden', `${name}.json`), 'utf8')) as Golden & { sameAs?: string };
  if (!g.sameAs) return g;
  const base = JSON.parse(readFileSync(join(FIXTURES, 'golden', g.sameAs), 'utf8')) as Golden;
  return { ...base, ...g };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

export function toGains(g: Golden, withBias: boolean): Map<string, { gain: Float32Array; bias?: Float32Array }> {
  const iv = new Map<string, { gain: Float32Array; bias?: Float32Array }>();
  for (const [id, gain] of Object.entries(g.intervention.gain)) {
    const bias = withBias ? g.intervention.bias[id] : undefined;
    iv.set(id, { gain: Float32Array.from(gain), ...(bias ? { bias: Float32Array.from(bias) } : {}) });
  }
  if (withBias) {
    for (const [id, bias] of Object.entries(g.intervention.bias)) {
      if (!iv.has(id)) iv.set(id, { gain: new Float32Array(bias.length).fill(1), bias: Float32Array.from(bias) });
    }
  }
  return iv;
}

