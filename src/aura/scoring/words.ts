import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { AuraUserError } from '../errors';
import type { Scorer } from './scorer';

/**
 * Any concept from a word list (`--scorer words:FILE`): a text scores 1 when it contains one of the
 * listed words or phrases as whole words, case-folded, else 0. Averaged over a prompt's samples the
 * score is the share of samples that mention the concept, so the evaluation's figures read as
 * "how often continuations are sad" for a sadness list.
 *
 * File: UTF-8, one word or phrase per line; blank lines and lines starting with `#` are skipped. A
 * phrase's spaces match any run of whitespace. Matching is Unicode case-insensitive and whole-word:
 * the character before and after a match is not a letter, digit or underscore ("sad" matches "Sad,"
 * but not "sadly" or "crusade"; list inflections such as "cried" and "cries" yourself).
 */
export class WordListScorer implements Scorer {
  readonly name: string;
  readonly words: readonly string[];
  private readonly pattern: RegExp;

  constructor(words: readonly string[], name = 'words') {
    const clean = [...new Set(words.map((w) => w.trim().toLowerCase()).filter((w) => w !== ''))];
    if (clean.length === 0) throw new AuraUserError(`${name}: no words (expected one word or phrase per line)`);
    this.words = clean;
    this.name = name;
    // Longest first, so a phrase wins over its own first word (the match is a yes/no either way).
    const alternatives = [...clean].sort((a, b) => b.length - a.length).map((w) => w.split(/\s+/).map(escapeRegExp).join('\\s+'));
    this.pattern = new RegExp(`(?<![\\p{L}\\p{N}_])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}_])`, 'iu');
  }

  /** Reads a word-list file; a missing, unreadable or empty file is a one-line user error naming it. */
  static load(path: string): WordListScorer {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new AuraUserError(`--scorer words:${path}: cannot read the word list (${code ?? (e as Error).message}); expected a text file with one word or phrase per line`);
    }
    const words = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    if (words.length === 0) throw new AuraUserError(`--scorer words:${path}: the word list is empty; expected one word or phrase per line`);
    return new WordListScorer(words, `words:${basename(path)}`);
  }

  matches(text: string): boolean {
    if (typeof text !== 'string') throw new TypeError(`texts: expected strings, got ${typeof text}`);
    return this.pattern.test(text);
  }

  async score(texts: string[], signal?: AbortSignal): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < texts.length; i++) {
      if (i % 256 === 0) signal?.throwIfAborted();
      out.push(this.matches(texts[i]!) ? 1 : 0);
    }
    return out;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
