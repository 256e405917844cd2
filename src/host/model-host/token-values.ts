// Per-token values of a few sites for several texts at once, for the neuron detail: aura's batched
// reading (one forward pass for all the examples, each site's [batch, seq, neurons] output sliced per
// text), shaped as the model process returns it.
import { textsActivations } from '../../aura/activations';
import type { Intervention, LanguageModel } from '../../engine/model';
import type { TextActivations } from './api';

export interface TokenValueOptions {
  maxTokens?: number;
  intervention?: Intervention;
  signal?: AbortSignal;
}

export async function batchedTokenValues(model: LanguageModel, texts: string[], sites: string[], o: TokenValueOptions = {}): Promise<TextActivations[]> {
  const acts = await textsActivations(model, texts, sites, o);
  return acts.map((a) => ({ tokens: a.tokens, values: a.values }));
}
