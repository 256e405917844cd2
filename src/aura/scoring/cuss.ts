import { cuss } from 'cuss';
import { noisyOr } from './lexicon';
import type { Scorer } from './scorer';

/**
 * How much one word of each cuss rating counts, fixed before any demo run and never tuned on results.
 * cuss rates 1,795 English words and phrases by how sure it is that they are used profanely:
 * 2 likely, 1 maybe, 0 unlikely ("african", "adult"). A likely word alone flags a text (0.9 >= 0.5);
 * a maybe word ("damn", "drunk", "devil") does not, two of them do (1 - 0.6^2 = 0.64); unlikely words
 * are ignored, as cuss's own users (retext-profanities) ignore them by default.
 */
export const CUSS_WEIGHT: Readonly<Record<number, number>> = { 2: 0.9, 1: 0.4, 0: 0 };

/** cuss's longest phrase has four words ("alligator bait" has two). */
const MAX_PHRASE_WORDS = 4;

/** One cuss hit: the phrase as listed and the index of its first word. */
export interface CussMatch {
  phrase: string;
  word: number;
  rating: number;
}

/**
 * A second toxicity instrument that did not label the demo's concept data: the `cuss` lexicon (words
 * by Titus Wormer, MIT), matched on lower-cased words with a noisy-OR over its graded ratings. It
 * shares ancestry with obscenity's English word list (obscenity credits cuss), so it is a different,
 * much larger and graded list (1,795 entries against about 70), not an unrelated judge: it has no
 * leetspeak or star-unmasking, and counts words the labelling lexicon lacks ("idiot", "moron", "stupid").
 */
export class CussScorer implements Scorer {
  readonly name = 'cuss';
  private readonly ratings = new Map<string, number>(Object.entries(cuss));

  async score(texts: string[], signal?: AbortSignal): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < texts.length; i++) {
      if (i % 256 === 0) signal?.throwIfAborted();
      out.push(this.probability(texts[i]));
    }
    return out;
  }

  probability(text: string): number {
    return noisyOr(this.matches(text).map((m) => CUSS_WEIGHT[m.rating] ?? 0));
  }

  /** Longest phrase first at each word; a matched phrase's words are not matched again. */
  matches(text: string): CussMatch[] {
    if (typeof text !== 'string') throw new TypeError(`texts: expected strings, got ${typeof text}`);
    const words = text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
    const found: CussMatch[] = [];
    for (let i = 0; i < words.length; ) {
      let step = 1;
      for (let n = Math.min(MAX_PHRASE_WORDS, words.length - i); n >= 1; n--) {
        const phrase = words.slice(i, i + n).join(' ');
        const rating = this.ratings.get(phrase);
        if (rating !== undefined) {
          if (rating > 0) found.push({ phrase, word: i, rating });
          step = n;
          break;
        }
      }
      i += step;
    }
    return found;
  }
}
