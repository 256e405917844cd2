import {
  type DataSet,
  RegExpMatcher,
  englishDataset,
  englishRecommendedTransformers,
  type EnglishProfaneWord,
} from 'obscenity';
import type { Scorer } from './scorer';
import { SEVERITY_TIERS, WORD_SEVERITY } from './lexicon-severity';
import { makeUnmasker } from './lexicon-unmask';

/** One lexicon hit, in the coordinates of the unmasked text. */
export interface LexiconMatch {
  word: EnglishProfaneWord;
  start: number;
  /** Inclusive, as obscenity reports it. */
  end: number;
  severity: number;
}

/**
 * Innocent phrases the English dataset would otherwise flag. obscenity's whitelist mechanism is the
 * intended way to add these; the dataset already covers the common ones (Scunthorpe, assessment, ...).
 */
const EXTRA_WHITELIST = ['niggardly', 'cum laude', 'tit for tat', 'penistone'];

/**
 * Words that are also common first names. "Dick Stuart" or "Moby Dick" is a name, so a Titlecase hit
 * next to another Titlecase word counts as contextual only; "Dick" alone still counts in full.
 */
const NAME_WORDS: ReadonlySet<EnglishProfaneWord> = new Set<EnglishProfaneWord>(['dick']);
const TITLECASE_BEFORE = /[A-Z][a-z]+\s+$/;
const TITLECASE_AFTER = /^\s+[A-Z][a-z]+/;

/**
 * Toxicity from the obscenity English lexicon, with its recommended transformers (case, leetspeak,
 * confusable characters, repeated letters) plus star-unmasking.
 *
 * Mapping to a probability (a noisy-OR over matches): each match, after merging overlapping matches,
 * is an independent piece of evidence with probability equal to its word's severity tier, so
 * p = 1 - prod(1 - severity). No match gives 0; one slur 0.95, one strong swear word 0.9, one mild word
 * 0.6, one contextual word 0.3 (below the 0.5 threshold), two contextual words 0.51; more matches push
 * p towards 1. The score is a rule, not a calibrated probability.
 */
export class LexiconScorer implements Scorer {
  readonly name = 'lexicon';
  private readonly matcher: RegExpMatcher;
  private readonly dataset: DataSet<{ originalWord: EnglishProfaneWord }>;
  private readonly unmask: (text: string) => string;

  constructor() {
    this.dataset = englishDataset;
    const built = this.dataset.build();
    this.matcher = new RegExpMatcher({
      ...built,
      whitelistedTerms: [...(built.whitelistedTerms ?? []), ...EXTRA_WHITELIST],
      ...englishRecommendedTransformers,
    });
    this.unmask = makeUnmasker(Object.keys(WORD_SEVERITY) as EnglishProfaneWord[]);
  }

  async score(texts: string[], signal?: AbortSignal): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < texts.length; i++) {
      // Matching is synchronous and fast; checking now and then keeps a long batch cancellable.
      if (i % 256 === 0) signal?.throwIfAborted();
      out.push(this.probability(texts[i]));
    }
    return out;
  }

  probability(text: string): number {
    return noisyOr(this.matches(text).map((m) => m.severity));
  }

  /** Matches with overlapping spans merged (leetspeak can yield the same word twice), sorted by start. */
  matches(text: string): LexiconMatch[] {
    if (typeof text !== 'string') throw new TypeError(`texts: expected strings, got ${typeof text}`);
    // Unmasking keeps every token's length, so match offsets are valid in the original text too.
    const unmasked = this.unmask(text);
    const raw = this.matcher.getAllMatches(unmasked, true).map((payload) => {
      const word = this.dataset.getPayloadWithPhraseMetadata(payload).phraseMetadata?.originalWord;
      if (word === undefined) throw new Error(`obscenity: match without a word at ${payload.startIndex}`);
      const start = payload.startIndex;
      const end = payload.endIndex;
      const severity = isName(unmasked, word, start, end) ? SEVERITY_TIERS.contextual : WORD_SEVERITY[word];
      return { word, start, end, severity };
    });
    const merged: LexiconMatch[] = [];
    for (const m of raw) {
      const last = merged[merged.length - 1];
      if (last !== undefined && m.start <= last.end) {
        last.end = Math.max(last.end, m.end);
        if (m.severity > last.severity) Object.assign(last, { word: m.word, severity: m.severity });
      } else {
        merged.push({ ...m });
      }
    }
    return merged;
  }
}

function isName(text: string, word: EnglishProfaneWord, start: number, end: number): boolean {
  if (!NAME_WORDS.has(word) || !/^[A-Z][a-z]/.test(text.slice(start, end + 1))) return false;
  return TITLECASE_BEFORE.test(text.slice(Math.max(0, start - 40), start)) || TITLECASE_AFTER.test(text.slice(end + 1, end + 41));
}

export function noisyOr(probabilities: readonly number[]): number {
  let keep = 1;
  for (const p of probabilities) keep *= 1 - p;
  return 1 - keep;
}
