// Where the integration workspace's files lie (fixtures.ts writes them; the suite reads them). Kept
// free of Node file access so that the suite bundle carries only names.
export const FIXTURE = {
  concept: 'data/concept-slice.jsonl',
  prompts: 'data/prompts-3.jsonl',
  notes: 'notes.txt',
  /** Line 0: a neutral prompt; line 1: a held-out demo prompt; line 2: an insult, for the highlights. */
  notesText: 'The weather was awful, and he said\nYea, it hurts like\nYou are a stupid idiot and a disgusting liar, shut up\n',
  emptyFolder: 'bad-models/empty',
  garbageFolder: 'bad-models/garbage',
  missingFolder: 'bad-models/does-not-exist',
  exports: 'exports',
} as const;
