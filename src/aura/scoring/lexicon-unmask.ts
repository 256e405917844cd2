import type { EnglishProfaneWord } from 'obscenity';

/**
 * Undoes star-masking ("sh*t", "f**king", "a**hole") before obscenity sees the text.
 *
 * obscenity only tolerates a mask where its own pattern has a wildcard ("f?ck" matches "f*ck"), so
 * "sh*t" or "b*tch" slip through. A masked token is resolved when its visible letters, with each mask
 * character standing for exactly one letter, spell a word of the dataset or a common inflection of one;
 * anything else is left as it is, so stars in ordinary text ("**Note**", "2*3") never change.
 */
const MASKED_TOKEN = /\b[a-z]+(?:[*#]+[a-z]+)+\b|\b[a-z]+[*#]+(?=\s|$|[.,!?;:])/gi;
const SUFFIXES = ['', 's', 'es', 'ed', 'er', 'ers', 'ing', 'in', 'y', 'hole', 'holes', 'head', 'off'];
/**
 * Several words can fit one mask ("a**hole" fits "asshole" and "abohole", "s**t" fits "shit" and
 * "scat"); the words people actually mask are tried first, in this order.
 */
const COMMONLY_MASKED: readonly string[] = [
  'fuck', 'shit', 'bitch', 'ass', 'cunt', 'dick', 'cock', 'pussy', 'bastard', 'whore', 'slut',
  'piss', 'twat', 'prick', 'nigger', 'fag',
];

export function makeUnmasker(words: readonly EnglishProfaneWord[]): (text: string) => string {
  const forms = new Set<string>();
  const ordered = [...COMMONLY_MASKED.filter((w) => words.includes(w as EnglishProfaneWord)), ...words];
  for (const word of ordered) {
    if (word.includes(' ')) continue;
    for (const suffix of SUFFIXES) forms.add(word + suffix);
  }
  // Grouped by length because a mask hides exactly as many letters as it has characters.
  const byLength = new Map<number, string[]>();
  for (const form of forms) {
    const list = byLength.get(form.length) ?? [];
    list.push(form);
    byLength.set(form.length, list);
  }
  return (text) =>
    text.replace(MASKED_TOKEN, (token) => {
      const lower = token.toLowerCase();
      const visible = lower.replace(/[*#]/g, '').length;
      if (visible < 1 || visible === lower.length) return token;
      const hit = byLength.get(lower.length)?.find((form) => sameExceptMask(lower, form));
      return hit ?? token;
    });
}

function sameExceptMask(masked: string, form: string): boolean {
  for (let i = 0; i < masked.length; i++) {
    const c = masked[i];
    if (c !== '*' && c !== '#' && c !== form[i]) return false;
  }
  return true;
}
