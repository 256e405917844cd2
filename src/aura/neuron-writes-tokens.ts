// Which vocabulary tokens count as toxic when tagging what a neuron writes. Whole-token lexicon matches
// are rare in small BPE vocabularies (the demo's 3,072 tokens hold three: "ass", " ass", " tit"; " fuck" is
// " f" + "uck"), so a token also counts when, in the given texts, it is mostly a piece of a word the
// lexicon flags: "uck" is, " f" is not.
import { LexiconScorer } from './scoring/lexicon';
import type { TextTokenizer } from '../engine/tokenizer';

export interface ToxicTokenOptions {
  /** A token counts when at least this share of its occurrences lies inside lexicon matches. Default 0.5. */
  minShare?: number;
  /** ... and it occurs inside matches at least this often. Default 3. */
  minCount?: number;
}

/** Token ids that are, in `texts`, mostly pieces of lexicon-toxic words. */
export function toxicTokenIds(tokenizer: TextTokenizer, texts: readonly string[], o: ToxicTokenOptions = {}, lexicon = new LexiconScorer()): Set<number> {
  const minShare = o.minShare ?? 0.5;
  const minCount = o.minCount ?? 3;
  const total = new Map<number, number>();
  const inside = new Map<number, number>();
  const add = (m: Map<number, number>, ids: number[]) => {
    for (const id of ids) m.set(id, (m.get(id) ?? 0) + 1);
  };
  for (const text of texts) {
    add(total, tokenizer.encode(text, false));
    for (const match of lexicon.matches(text)) {
      // A byte-level BPE writes the space before a word into its first token: keep it, as in context.
      const space = match.start > 0 && /\s/.test(text[match.start - 1]!) ? ' ' : '';
      add(inside, tokenizer.encode(space + text.slice(match.start, match.end + 1), false));
    }
  }
  const out = new Set<number>();
  for (const [id, n] of inside) if (n >= minCount && n / Math.max(n, total.get(id) ?? 0) >= minShare) out.add(id);
  return out;
}
