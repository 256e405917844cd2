import type { Scorer } from './scorer';
import { LexiconScorer } from './lexicon';
import { OnnxClassifierScorer, type ClassifierOptions } from './classifier';

/** The CLI's `--scorer lexicon|CLASSIFIER_DIR`: the word `lexicon`, or a classifier folder path. */
export async function createScorer(spec: string, options: ClassifierOptions = {}): Promise<Scorer> {
  if (spec === 'lexicon') return new LexiconScorer();
  if (!spec) throw new Error('--scorer: expected "lexicon" or a classifier folder');
  return OnnxClassifierScorer.load(spec, options);
}
