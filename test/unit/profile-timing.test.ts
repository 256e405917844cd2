// `profile --json` says where the time went, so a slow run can be diagnosed.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LanguageModel } from '../../src/engine/model';
import { runCli } from '../helpers/cli';
import { MODELS } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';

const TEXTS = ['The cat sat', 'you are a damn fool', 'The old man went home', 'what a stupid idea', 'When the sun rose over the hills', 'shut up'];

describe('profile timing breakdown', () => {
  it('reports seconds per stage, real and padded tokens, and tokens per second', async () => {
    const dir = scratchDir('timing');
    const data = join(dir, 'data.jsonl');
    writeFileSync(data, TEXTS.map((text, i) => JSON.stringify({ text, label: i % 2 ? 'toxic' : 'non-toxic' })).join('\n') + '\n');
    const r = runCli(['profile', join(MODELS, 'gpt2-tiny'), '--data', data, '--out', join(dir, 'out'), '--batch-size', '4', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const j = r.json as { seconds: number; timing: Record<string, number>; tokens: number; paddedTokens: number; tokensPerSecond: number };
    const stages = ['tokenizeS', 'batchingS', 'forwardS', 'poolingS', 'writingS', 'readingS', 'aurocS', 'statsS'];
    assert.deepEqual(Object.keys(j.timing).sort(), [...stages, 'significanceS'].sort());
    for (const k of [...stages, 'significanceS']) assert.ok(Number.isFinite(j.timing[k]) && j.timing[k]! >= 0, `${k} = ${j.timing[k]}`);
    const sum = stages.reduce((a, k) => a + j.timing[k]!, 0);
    // Stages are disjoint slices of the run (each rounded to 1 ms).
    assert.ok(sum <= j.seconds + 0.01, `stages sum to ${sum} s, more than the whole run (${j.seconds} s)`);
    assert.ok(j.timing.forwardS! > 0);

    // Token counts from the tokenizer's lengths, batched as the profile does (sorted by length, left-padded).
    const model = await LanguageModel.open(join(MODELS, 'gpt2-tiny'));
    const lens = TEXTS.map((t) => Math.min(model.tokenizer.encode(t).length, model.facts.maxPositions ?? 128, 128)).sort((a, b) => a - b);
    await model.dispose();
    assert.equal(j.tokens, lens.reduce((a, b) => a + b, 0));
    let padded = 0;
    for (let i = 0; i < lens.length; i += 4) padded += lens.slice(i, i + 4).length * Math.max(...lens.slice(i, i + 4));
    assert.equal(j.paddedTokens, padded);
    assert.ok(Math.abs(j.tokensPerSecond - j.tokens / j.timing.forwardS!) <= Math.max(2, 0.05 * j.tokensPerSecond), `${j.tokensPerSecond} vs ${j.tokens / j.timing.forwardS!}`);
  });
});
