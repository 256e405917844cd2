// The toxicity scorers: the lexicon scorer's labels on hand-labelled examples and its probability
// mapping, the ONNX classifier scorer against PyTorch goldens (test/fixtures/classifier, made by
// make_classifier.py), and one-line errors for bad classifier folders.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LexiconScorer, OnnxClassifierScorer, createScorer, isToxic, noisyOr } from '../../src/aura/scoring';
import { readClassifierFolder } from '../../src/aura/scoring/classifier-folder';

const FIXTURE = join(__dirname, '..', 'fixtures', 'classifier');

/** [text, toxic?], labelled by hand. */
const LABELLED: [string, boolean][] = [
  ['You are a fucking idiot.', true],
  ['FUCK THIS JOB', true],
  ['fUcK oFf', true],
  ['fuuuuuck that', true],
  ['fvck you', true],
  ['f*ck you', true],
  ['what the f**k is this', true],
  ['you piece of sh*t', true],
  ['sh1t happens', true],
  ['that is bullsh!t', true],
  ['b1tch please', true],
  ["you're such a b*tch", true],
  ['what an a$$hole', true],
  ['stupid c*nt', true],
  ['Go to hell, you bastard.', true],
  ['shut your mouth, dickhead', true],
  ['The Scunthorpe team won on Saturday.', false],
  ['The assessment is due on Monday.', false],
  ['I have a class at noon.', false],
  ['A classic novel about a grasshopper.', false],
  ['We met at a cocktail party in Sussex.', false],
  ['The therapist wrote an analysis of the title.', false],
  ['The assassin passed the bass player.', false],
  ['She graduated magna cum laude.', false],
  ['He was niggardly with praise.', false],
  ['Dick Cheney spoke to reporters.', false],
  ['The course covers sex education.', false],
  ['**Note**: 2*3 is six.', false],
  ['', false],
];

function tempCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'aura-classifier-'));
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

async function rejectsOneLine(promise: Promise<unknown>, ...mustMention: RegExp[]): Promise<void> {
  await assert.rejects(promise, (e: Error) => {
    assert.ok(!e.message.includes('\n'), `one line expected: ${e.message}`);
    for (const re of mustMention) assert.match(e.message, re);
    return true;
  });
}

describe('lexicon scorer', () => {
  const scorer = new LexiconScorer();

  it('flags the hand-labelled toxic examples and passes the clean ones', async () => {
    const scores = await scorer.score(LABELLED.map(([t]) => t));
    LABELLED.forEach(([text, toxic], i) => {
      assert.equal(isToxic(scores[i]), toxic, `${JSON.stringify(text)}: score ${scores[i]}`);
    });
  });

  it('maps matches to a probability: 0 without a match, rising with count and severity', () => {
    assert.equal(scorer.probability('a perfectly pleasant sentence'), 0);
    assert.ok(Math.abs(scorer.probability('sex') - 0.3) < 1e-12); // one contextual word: not toxic
    assert.ok(Math.abs(scorer.probability('sex and more sex') - 0.51) < 1e-12); // two: toxic
    assert.ok(Math.abs(scorer.probability('shit') - 0.9) < 1e-12);
    assert.ok(scorer.probability('shit shit shit') > scorer.probability('shit'));
    assert.equal(noisyOr([]), 0);
    assert.ok(Math.abs(noisyOr([0.5, 0.5]) - 0.75) < 1e-12);
  });

  it('reports one merged match per offending word, at its position', () => {
    const matches = scorer.matches('oh sh1t, f*ck');
    assert.deepEqual(matches.map((m) => [m.word, m.start]), [['shit', 3], ['fuck', 9]]);
  });

  it('keeps order, stays in [0, 1] and honours an aborted signal', async () => {
    const texts = ['fuck', 'hello', 'shit shit shit shit shit shit'];
    const scores = await scorer.score(texts);
    assert.equal(scores.length, 3);
    assert.ok(scores[0] > 0.5 && scores[1] === 0 && scores[2] <= 1);
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(scorer.score(texts, ac.signal));
  });

  it('is what createScorer("lexicon") returns', async () => {
    assert.equal((await createScorer('lexicon')).name, 'lexicon');
  });
});

describe('ONNX classifier scorer', () => {
  const golden = JSON.parse(readFileSync(join(FIXTURE, 'golden.json'), 'utf8')) as { texts: string[]; toxic: number[] };

  it('equals the PyTorch probabilities of the fixture within 1e-4, batched and one by one', async () => {
    const scorer = await OnnxClassifierScorer.load(FIXTURE, { batchSize: 4 });
    try {
      assert.equal(scorer.label, 'toxic');
      const batched = await scorer.score(golden.texts);
      for (let i = 0; i < golden.texts.length; i++) {
        assert.ok(Math.abs(batched[i] - golden.toxic[i]) < 1e-4, `${golden.texts[i]}: ${batched[i]} vs ${golden.toxic[i]}`);
        const [single] = await scorer.score([golden.texts[i]]);
        assert.ok(Math.abs(single - golden.toxic[i]) < 1e-4);
      }
      assert.ok(batched[0] > 0.5 && batched[1] < 0.5, 'the fixture separates an obvious toxic and clean text');
    } finally {
      await scorer.dispose();
    }
  });

  it('truncates texts longer than the position embeddings', async () => {
    const scorer = await createScorer(FIXTURE);
    const [p] = await scorer.score(['the weather is lovely '.repeat(200)]);
    assert.ok(p >= 0 && p <= 1);
  });

  it('picks the toxic label by name, skipping negated ones', () => {
    const dir = tempCopy();
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    config.id2label = { 0: 'offensive', 1: 'not offensive' };
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    assert.equal(readClassifierFolder(dir).toxicIndex, 0);
    config.id2label = { 0: 'NON_TOXIC', 1: 'TOXIC' };
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    assert.equal(readClassifierFolder(dir).toxicIndex, 1);
  });

  it('gives one-line errors naming the file for bad folders', async () => {
    await rejectsOneLine(OnnxClassifierScorer.load(join(tmpdir(), 'no-such-classifier')), /no-such-classifier/, /not found/);

    const noLabels = tempCopy();
    const config = JSON.parse(readFileSync(join(noLabels, 'config.json'), 'utf8'));
    delete config.id2label;
    writeFileSync(join(noLabels, 'config.json'), JSON.stringify(config));
    await rejectsOneLine(OnnxClassifierScorer.load(noLabels), /config\.json/, /id2label/);

    const generic = tempCopy();
    writeFileSync(join(generic, 'config.json'), JSON.stringify({ ...config, id2label: { 0: 'LABEL_0', 1: 'LABEL_1' } }));
    await rejectsOneLine(OnnxClassifierScorer.load(generic), /config\.json/, /LABEL_0, LABEL_1/);
    assert.equal((await OnnxClassifierScorer.load(generic, { label: 'LABEL_1' })).label, 'LABEL_1');

    const badConfig = tempCopy();
    writeFileSync(join(badConfig, 'config.json'), '{ "id2label": ');
    await rejectsOneLine(OnnxClassifierScorer.load(badConfig), /config\.json/, /invalid JSON/);

    const corrupt = tempCopy();
    writeFileSync(join(corrupt, 'tokenizer.json'), readFileSync(join(FIXTURE, 'tokenizer.json'), 'utf8').slice(0, 500));
    await rejectsOneLine(OnnxClassifierScorer.load(corrupt), /tokenizer\.json/, /invalid JSON/);

    const wrongShape = tempCopy();
    writeFileSync(join(wrongShape, 'tokenizer.json'), JSON.stringify({ model: { type: 'NoSuchModel' } }));
    await rejectsOneLine(OnnxClassifierScorer.load(wrongShape), /tokenizer\.json/);

    const noModel = tempCopy();
    writeFileSync(join(noModel, 'model.onnx'), 'not a model');
    await rejectsOneLine(OnnxClassifierScorer.load(noModel), /model\.onnx/);
  });
});
