import type { Label } from './types';

// The contract's spellings (toxic/non-toxic, 1/0, true/false) plus the forms spreadsheets and pandas write.
const POSITIVE = new Set(['1', '1.0', 'true', 'toxic', 'yes', 'positive']);
const NEGATIVE = new Set(['0', '0.0', 'false', 'non-toxic', 'nontoxic', 'non_toxic', 'not toxic', 'no', 'negative']);

/** What a label may look like, for error messages. */
export const LABEL_FORMS = 'toxic/non-toxic, 1/0 or true/false';

/** Parses a label from a CSV cell or a JSON value; undefined when it is not one of the known forms. */
export function parseLabel(value: unknown): Label | undefined {
  if (value === 1 || value === true) return 1;
  if (value === 0 || value === false) return 0;
  if (typeof value !== 'string') return undefined;
  const v = value.trim().toLowerCase();
  if (POSITIVE.has(v)) return 1;
  if (NEGATIVE.has(v)) return 0;
  return undefined;
}
