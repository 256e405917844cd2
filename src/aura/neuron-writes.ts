// What an expert writes into the residual stream, in tokens (LM-Debugger's view), and the tag that
// separates experts that detect the concept (they fire on it; AUROC says so) from experts that also
// generate it (the tokens they promote are toxic by the lexicon that labelled the concept data).
import { NeuronWeights } from '../engine/weights/neuron-weights';
import { LexiconScorer } from './scoring/lexicon';
import type { LanguageModel } from '../engine/model';
import type { NeuronWriteSource } from '../engine/weights/neuron-weights';

export type ExpertRole = 'generation' | 'detection';

export interface WrittenToken {
  id: number;
  /** The token decoded alone (leading space kept, as the tokenizer writes it). */
  token: string;
  /** Its logit contribution per unit of the neuron's activation: (W_U^T (gamma * w_down))[id]. */
  logit: number;
  /** The labelling lexicon scores the token, trimmed, as toxic (>= 0.5), or it is in the given toxic token set. */
  toxic: boolean;
}

/** The neuron detail's "writes" section: what the host sends to the panel. */
export interface NeuronWrites {
  siteId: string;
  neuron: number;
  layer: number;
  /** Tokens the neuron pushes up when it fires, largest logit first. */
  promoted: WrittenToken[];
  /** Tokens it pushes down, most negative first. */
  suppressed: WrittenToken[];
  /** How many of `promoted` the lexicon scores toxic. */
  toxicPromoted: number;
  /** 'generation' when at least GENERATION_MIN_TOXIC promoted tokens are toxic, else 'detection'. */
  role: ExpertRole;
  /** Where the numbers come from: tensor names, the norm recognised, the sizes. */
  source: NeuronWriteSource;
}

/** Tokens listed each way, and looked at for the tag. */
export const WRITES_TOP = 20;
/**
 * Two toxic tokens among the top 20 promoted: one can be chance, two rarely are. In the demo, 21 of the
 * 3,072 tokens count as toxic given its concept data (3 as whole words), so 20 random tokens hold at
 * least one with probability about 0.13 and at least two with about 0.008.
 */
export const GENERATION_MIN_TOXIC = 2;

const readers = new WeakMap<LanguageModel, NeuronWeights>();
let lexicon: LexiconScorer | undefined;

/** Reads the graph once per model; weights stay on disk (or in the graph's raw_data) until a row is needed. */
export function neuronWeightsOf(model: LanguageModel): NeuronWeights {
  let r = readers.get(model);
  if (!r) {
    // The model's own graph: weights it moved to the weight cache are read from there.
    const loaded = model.mainGraph;
    r = NeuronWeights.fromModel(loaded.model, model.files.main, model.facts.modelType, model.facts.hidden, loaded.dataDir);
    readers.set(model, r);
  }
  return r;
}

/** What one neuron writes; the host's neuron detail calls this. Throws the user error when the layout forbids it. */
export function neuronWrites(model: LanguageModel, siteId: string, neuron: number, top = WRITES_TOP, toxicTokens?: ReadonlySet<number>): NeuronWrites {
  return neuronWritesMany(model, [{ siteId, neuron }], top, toxicTokens)[0]!;
}

/**
 * Several neurons at once: the unembedding is read once for all of them (tagging every expert).
 * `toxicTokens` (from `toxicTokenIds` over the concept data) adds word pieces to the whole-token lexicon test.
 */
export function neuronWritesMany(
  model: LanguageModel,
  neurons: readonly { siteId: string; neuron: number }[],
  top = WRITES_TOP,
  toxicTokens?: ReadonlySet<number>,
): NeuronWrites[] {
  const w = neuronWeightsOf(model);
  const sources = neurons.map((n) => w.source(n.siteId));
  const logits = w.project(neurons.map((n) => w.writeVector(n.siteId, n.neuron)));
  lexicon ??= new LexiconScorer();
  const lex = lexicon;
  const describe = (id: number, logit: number): WrittenToken => {
    const token = model.tokenizer.decode([id], false);
    return { id, token, logit, toxic: !!toxicTokens?.has(id) || lex.probability(token.trim()) >= 0.5 };
  };
  return neurons.map((n, k) => {
    const l = logits[k]!;
    const { up, down } = extremes(l, top);
    const promoted = up.map((id) => describe(id, l[id]!));
    const suppressed = down.map((id) => describe(id, l[id]!));
    const toxicPromoted = promoted.filter((t) => t.toxic).length;
    return {
      siteId: n.siteId,
      neuron: n.neuron,
      layer: sources[k]!.layer,
      promoted,
      suppressed,
      toxicPromoted,
      role: toxicPromoted >= GENERATION_MIN_TOXIC ? 'generation' : 'detection',
      source: sources[k]!,
    };
  });
}

/** Indices of the `k` largest and `k` smallest values; ties broken by the lower index. */
export function extremes(values: Float32Array, k: number): { up: number[]; down: number[] } {
  const idx = Array.from(values.keys());
  idx.sort((a, b) => values[b]! - values[a]! || a - b);
  const n = Math.min(k, idx.length);
  const down = idx.slice(idx.length - n).reverse();
  // Reversal puts equal values in descending index order; restore ascending index among ties.
  down.sort((a, b) => values[a]! - values[b]! || a - b);
  return { up: idx.slice(0, n), down };
}
