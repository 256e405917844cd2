import type { Scorer } from './scorer';
import { AuraUserError } from '../errors';
import { CussScorer } from './cuss';
import { LexiconScorer } from './lexicon';
import { OnnxClassifierScorer, type ClassifierOptions } from './classifier';

/** The CLI's `--scorer lexicon|cuss|CLASSIFIER_DIR`: a built-in lexicon's name, or a classifier folder path. */
export async function createScorer(spec: string, options: ClassifierOptions = {}): Promise<Scorer> {
  if (spec === 'lexicon') return new LexiconScorer();
  if (spec === 'cuss') return new CussScorer();
  if (!spec) throw new AuraUserError('--scorer: expected "lexicon", "cuss" or a classifier folder');
  return OnnxClassifierScorer.load(spec, options);
}
