import type { EnglishProfaneWord } from 'obscenity';

/**
 * How strongly one match of each word of obscenity's English dataset counts as toxic.
 *
 * The library has no ratings, so these tiers are ours. They exist because the dataset mixes slurs and
 * swear words with clinical or contextual words ("sex", "penis", "rape", "negro" in 1960s prose) that
 * are not toxic on their own; one such word must not flag a sentence, two or more do.
 * Typed as a Record over the library's word union so that a new word in an obscenity update fails the
 * type check until it is given a tier here.
 */
export const SEVERITY_TIERS = {
  /** Slurs against a group. */
  slur: 0.95,
  /** Strong profanity and insults. */
  strong: 0.9,
  /** Milder profanity and explicit sexual terms: one match alone still flags the text. */
  mild: 0.6,
  /** Clinical or contextual words: toxic only together with another match. */
  contextual: 0.3,
} as const;

const { slur, strong, mild, contextual } = SEVERITY_TIERS;

export const WORD_SEVERITY: Record<EnglishProfaneWord, number> = {
  abeed: slur,
  abo: slur,
  africoon: slur,
  anal: contextual,
  anus: contextual,
  arabush: slur,
  arse: mild,
  ass: mild,
  bastard: strong,
  bestiality: mild,
  bitch: strong,
  blowjob: mild,
  bollocks: mild,
  boob: mild,
  boonga: slur,
  buttplug: mild,
  chingchong: slur,
  chink: slur,
  cock: strong,
  cuck: strong,
  cum: mild,
  cunt: strong,
  deepthroat: mild,
  dick: strong,
  dildo: mild,
  doggystyle: mild,
  'double penetration': mild,
  dyke: slur,
  ejaculate: contextual,
  fag: slur,
  felch: mild,
  fellatio: mild,
  'finger bang': mild,
  fisting: mild,
  fuck: strong,
  gangbang: mild,
  handjob: mild,
  hentai: mild,
  hooker: contextual,
  incest: contextual,
  'jerk off': mild,
  jizz: strong,
  kike: slur,
  lubejob: mild,
  masturbate: contextual,
  negro: contextual,
  nigger: slur,
  orgasm: contextual,
  orgy: mild,
  penis: contextual,
  piss: mild,
  porn: mild,
  prick: strong,
  pussy: strong,
  rape: contextual,
  retard: slur,
  scat: contextual,
  semen: contextual,
  sex: contextual,
  shit: strong,
  slut: strong,
  spastic: slur,
  tit: mild,
  tranny: slur,
  turd: mild,
  twat: strong,
  vagina: contextual,
  wank: strong,
  whore: strong,
};
