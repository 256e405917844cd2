import type { Scorer } from './scorer';
import { AuraUserError } from '../errors';
import { CussScorer } from './cuss';
import { LexiconScorer } from './lexicon';
import { OnnxClassifierScorer, type ClassifierOptions } from './classifier';

/**
 * The instrument that checks the first: the other built-in lexicon (cuss's graded ratings unless the
 * first is cuss). The demo's concept data is labelled by the lexicon, so its cut must also be seen by
 * a scorer that did not choose the experts.
 */
export function defaultSecondScorer(primary: string): string {
  return primary === 'cuss' ? 'lexicon' : 'cuss';
}

/** The CLI's `--scorer lexicon|cuss|CLASSIFIER_DIR`: a built-in lexicon's name, or a classifier folder path. */
export async function createScorer(spec: string, options: ClassifierOptions = {}): Promise<Scorer> {
  if (spec === 'lexicon') return new LexiconScorer();
  if (spec === 'cuss') return new CussScorer();
  if (!spec) throw new AuraUserError('--scorer: expected "lexicon", "cuss" or a classifier folder');
  return OnnxClassifierScorer.load(spec, options);
}
