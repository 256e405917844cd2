/**
 * Step 3: encode the training documents with the shipped tokenizer.json through the same library the
 * engine uses (@huggingface/tokenizers), so training ids and run-time ids cannot disagree, and check
 * that every text round-trips (decode(encode(x)) === x).
 *
 *   node --import tsx scripts/demo-model/tokenize.ts [WORK_DIR=/tmp/aura-demo] [MODEL_DIR=media/demo/model]
 *
 * Writes WORK_DIR/train_ids.bin (uint16, documents separated by <|endoftext|>) and train_kinds.json
 * (per document: kind and token offset), which train.py reads.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';

const workDir = process.argv[2] ?? '/tmp/aura-demo';
const modelDir = process.argv[3] ?? 'media/demo/model';

const tokenizer = new Tokenizer(
  JSON.parse(readFileSync(join(modelDir, 'tokenizer.json'), 'utf8')),
  JSON.parse(readFileSync(join(modelDir, 'tokenizer_config.json'), 'utf8')),
);
const eos = tokenizer.token_to_id('<|endoftext|>');
if (eos === undefined) throw new Error(`${modelDir}/tokenizer.json: expected an <|endoftext|> token`);

function readJsonl(path: string): { text: string; kind?: string }[] {
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

const docs = readJsonl(join(workDir, 'train_docs.jsonl'));
const ids: number[] = [];
const index: { kind: string; start: number; end: number }[] = [];
let bad = 0;
for (const doc of docs) {
  const enc = tokenizer.encode(doc.text, { add_special_tokens: false }).ids;
  if (tokenizer.decode(enc) !== doc.text) bad++;
  const start = ids.length;
  for (const id of enc) ids.push(id);
  ids.push(eos);
  index.push({ kind: doc.kind ?? 'base', start, end: ids.length });
}
for (const file of ['held_out.jsonl']) {
  for (const row of readJsonl(join(workDir, file))) {
    if (tokenizer.decode(tokenizer.encode(row.text, { add_special_tokens: false }).ids) !== row.text) bad++;
  }
}
if (bad > 0) throw new Error(`tokenizer.json: ${bad} texts do not round-trip`);
writeFileSync(join(workDir, 'train_ids.bin'), Buffer.from(Uint16Array.from(ids).buffer));
writeFileSync(join(workDir, 'train_kinds.json'), JSON.stringify(index));
const byKind: Record<string, number> = {};
for (const d of index) byKind[d.kind] = (byKind[d.kind] ?? 0) + d.end - d.start;
console.error(JSON.stringify({ tokens: ids.length, byKind, charsPerToken: docs.reduce((a, d) => a + d.text.length, 0) / ids.length }));
