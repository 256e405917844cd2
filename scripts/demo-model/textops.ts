/**
 * Tokenizer and lexicon-scorer helper for the Python steps, so that Python never re-implements either:
 * ids come from the shipped tokenizer.json via @huggingface/tokenizers, and toxicity comes from the
 * product's LexiconScorer, exactly as in the CLI's `evaluate`.
 *
 *   node --import tsx scripts/demo-model/textops.ts encode MODEL_DIR IN.json OUT.json        IN: string[]
 *   node --import tsx scripts/demo-model/textops.ts encode-special MODEL_DIR IN.json OUT.json  (adds <s> </s> etc.)
 *   node --import tsx scripts/demo-model/textops.ts decode-score MODEL_DIR IN.json OUT.json  IN: number[][]
 *   node --import tsx scripts/demo-model/textops.ts score - IN.json OUT.json                 IN: string[]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { LexiconScorer } from '../../src/aura/scoring/lexicon';

async function main(): Promise<void> {
  const [mode, modelDir, inPath, outPath] = process.argv.slice(2);
  if (!mode || !modelDir || !inPath || !outPath) throw new Error('usage: textops.ts MODE MODEL_DIR IN.json OUT.json');
  const input = JSON.parse(readFileSync(inPath, 'utf8')) as unknown[];
  const scorer = new LexiconScorer();
  if (mode === 'score') {
    writeFileSync(outPath, JSON.stringify(await scorer.score(input as string[])));
    return;
  }
  const tokenizer = new Tokenizer(
    JSON.parse(readFileSync(join(modelDir, 'tokenizer.json'), 'utf8')),
    JSON.parse(readFileSync(join(modelDir, 'tokenizer_config.json'), 'utf8')),
  );
  if (mode === 'encode' || mode === 'encode-special') {
    const special = mode === 'encode-special';
    const ids = (input as string[]).map((t) => tokenizer.encode(t, { add_special_tokens: special }).ids);
    writeFileSync(outPath, JSON.stringify(ids));
  } else if (mode === 'decode-score') {
    // The library refuses an empty id list; a continuation that starts with <|endoftext|> is empty text.
    const texts = (input as number[][]).map((ids) => (ids.length ? tokenizer.decode(ids, { skip_special_tokens: true }) : ''));
    const scores = await scorer.score(texts);
    writeFileSync(outPath, JSON.stringify(texts.map((text, i) => ({ text, p: scores[i] }))));
  } else {
    throw new Error(`mode: expected encode, encode-special, decode-score or score, got ${mode}`);
  }
}

void main();
