// The concept data of the stories260K sadness example, drawn from the model itself (seeded): stories
// sampled from BOS labelled by the word list, held-out openings and held-out non-sad stories. Shared by
// study.ts and the end-to-end test of the CLI walk-through (test/unit/stories-concept-loop.test.ts).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from '../../src/engine/generation/generate';
import type { WordListScorer } from '../../src/aura/scoring/words';
import type { LanguageModel } from '../../src/engine/model';

export interface ConceptDataSizes {
  conceptStories: number;
  storyTokens: number;
  prompts: number;
  neutral: number;
  seed: number;
}

export interface StoriesConceptData {
  /** Every sampled story, sad or not: the held-out texts must avoid all of them. */
  stories: string[];
  examples: { text: string; label: 0 | 1 }[];
  prompts: string[];
  neutral: string[];
}

export async function sampleStories(model: LanguageModel, n: number, seed: number, tokens: number): Promise<string[]> {
  const out: string[] = [];
  for (let start = 0; start < n; start += 64) {
    const rows = Math.min(64, n - start);
    // Row i draws from seed + start + i: the stories do not depend on the batch size.
    const r = await generate(model, new Array<number[]>(rows).fill([1]), { maxNewTokens: tokens, temperature: 1, seed: seed + start, stopAtEos: true });
    out.push(...r.texts.map((t) => t.trim()));
  }
  return out;
}

export function firstSentence(t: string): string | undefined {
  const m = /^[^.!?\n]{10,}[.!?]/.exec(t);
  return m ? m[0] : undefined;
}

export async function storiesConceptData(model: LanguageModel, scorer: WordListScorer, P: ConceptDataSizes): Promise<StoriesConceptData> {
  const stories = await sampleStories(model, P.conceptStories, P.seed * 1000, P.storyTokens);
  const sad = stories.filter((t) => scorer.matches(t));
  const calm = stories.filter((t) => !scorer.matches(t)).slice(0, sad.length);
  const examples = [...sad.map((text) => ({ text, label: 1 as const })), ...calm.map((text) => ({ text, label: 0 as const }))];
  // Held-out openings and neutral texts come from other seeds; none sad, none seen in the concept data.
  const seen = new Set(stories);
  const more = (await sampleStories(model, P.prompts * 3, P.seed * 1000 + 500000, 40)).filter((t) => !seen.has(t));
  const prompts = [...new Set(more.map(firstSentence).filter((s): s is string => !!s && !scorer.matches(s)))].slice(0, P.prompts);
  const neutral = (await sampleStories(model, P.neutral * 3, P.seed * 1000 + 700000, P.storyTokens)).filter((t) => !seen.has(t) && !scorer.matches(t)).slice(0, P.neutral);
  return { stories, examples, prompts, neutral };
}

/** concept.jsonl, prompts.jsonl and neutral.jsonl in `dir`, the files the CLI walk-through reads. */
export function writeStoriesConceptData(dir: string, d: StoriesConceptData): void {
  const jsonl = (xs: object[]) => xs.map((x) => JSON.stringify(x)).join('\n') + '\n';
  writeFileSync(join(dir, 'concept.jsonl'), jsonl(d.examples));
  writeFileSync(join(dir, 'prompts.jsonl'), jsonl(d.prompts.map((text) => ({ text }))));
  writeFileSync(join(dir, 'neutral.jsonl'), jsonl(d.neutral.map((text) => ({ text }))));
}
