export { TOXIC_THRESHOLD, isToxic, type Scorer } from './scorer';
export { LexiconScorer, noisyOr, type LexiconMatch } from './lexicon';
export { SEVERITY_TIERS, WORD_SEVERITY } from './lexicon-severity';
export { OnnxClassifierScorer, type ClassifierOptions } from './classifier';
export { CussScorer, CUSS_WEIGHT, type CussMatch } from './cuss';
export { createScorer } from './create';
export { WordListScorer } from './words';
