import type { Scorer } from './scorer';
import { AuraUserError } from '../errors';
import { CussScorer } from './cuss';
import { LexiconScorer } from './lexicon';
import { OnnxClassifierScorer, type ClassifierOptions } from './classifier';
import { WordListScorer } from './words';

/**
 * The instrument that checks the first: the other built-in lexicon (cuss's graded ratings unless the
 * first is cuss). The demo's concept data is labelled by the lexicon, so its cut must also be seen by
 * a scorer that did not choose the experts.
 */
export function defaultSecondScorer(primary: string): string {
  // A word list names some other concept: a toxicity lexicon would measure nothing relevant to it.
  if (primary.startsWith(WORDS_PREFIX)) return 'none';
  return primary === 'cuss' ? 'lexicon' : 'cuss';
}

const WORDS_PREFIX = 'words:';

/**
 * The CLI's `--scorer lexicon|cuss|words:FILE|CLASSIFIER_DIR`: a built-in lexicon's name, a word list
 * (any concept, see WordListScorer) or a classifier folder path.
 */
export async function createScorer(spec: string, options: ClassifierOptions = {}): Promise<Scorer> {
  if (spec === 'lexicon') return new LexiconScorer();
  if (spec === 'cuss') return new CussScorer();
  if (spec.startsWith(WORDS_PREFIX)) {
    const file = spec.slice(WORDS_PREFIX.length);
    if (!file) throw new AuraUserError('--scorer words:FILE: expected a word-list file after "words:"');
    return WordListScorer.load(file);
  }
  if (!spec) throw new AuraUserError('--scorer: expected "lexicon", "cuss", "words:FILE" or a classifier folder');
  return OnnxClassifierScorer.load(spec, options);
}
