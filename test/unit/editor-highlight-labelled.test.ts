// The highlight score on a hand-labelled set (issue 23, item 7), on the shipped demo model profiled on
// its own concept data: the insult words of "You are a stupid idiot and a disgusting liar, shut up"
// (every token overlapping "stupid", "idiot", "disgusting", "liar") against every token of a neutral
// sentence. The AUROC of toxic over neutral tokens is counted here pair by pair (ties 1/2), and printed.
//
// What it asserts is only that insults rank above neutral words more often than not. On this model
// the measured AUROC is about 0.65 (and about as high with the earlier raw-activation score): the
// demo's top experts are sentence-level detectors that fire on "walked" as much as on "idiot", which
// no per-token normalisation of their activations undoes (docs/editor.md, "Limits").
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { demoAssets } from '../../src/aura/demo-assets';
import { objectSource, readConfig } from '../../src/host/config';
import { memoryLogger } from '../../src/host/logger';
import { ModelWork } from '../../src/host/model-host/model-work';
import { Workbench } from '../../src/host/workbench';

const TOXIC = 'You are a stupid idiot and a disgusting liar, shut up';
const INSULTS = ['stupid', 'idiot', 'disgusting', 'liar'];
const NEUTRAL = 'She walked to the market and bought some bread for the family';

const cacheRoot = mkdtempSync(join(tmpdir(), 'aura-labelled-'));
let wb: Workbench;

before(async () => {
  // 300 examples a class keeps the profile to seconds; the extension's default is 2,000.
  const config = readConfig(objectSource({ 'dataset.maxPerClass': 300 }), true);
  wb = new Workbench({ host: new ModelWork(), log: memoryLogger(), cacheRoot, config: () => config, demo: () => demoAssets() });
  await wb.useDemo();
});
after(async () => {
  await wb.dispose();
  rmSync(cacheRoot, { recursive: true, force: true });
});

/** Mann-Whitney by counting: the share of (toxic, neutral) pairs where the toxic token scores higher. */
function pairwiseAuroc(pos: number[], neg: number[]): number {
  let wins = 0;
  for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
  return wins / (pos.length * neg.length);
}

test('insult tokens score above the tokens of a neutral sentence more often than not', async () => {
  const toxic = await wb.tokenScores(TOXIC, 32);
  const neutral = await wb.tokenScores(NEUTRAL, 32);
  const spans = INSULTS.map((w) => ({ start: TOXIC.indexOf(w), end: TOXIC.indexOf(w) + w.length }));
  const insultTokens = toxic.filter((t) => spans.some((s) => t.start < s.end && t.end > s.start));
  assert.ok(insultTokens.length >= INSULTS.length, 'every insult word has a token');
  const auroc = pairwiseAuroc(insultTokens.map((t) => t.score), neutral.map((t) => t.score));
  const show = (ts: typeof toxic) => ts.map((t) => `${t.text}:${Math.round(t.score * 100)}`).join(' ');
  console.log(`labelled-set AUROC (insult tokens over neutral): ${auroc.toFixed(3)}\n  ${show(toxic)}\n  ${show(neutral)}`);
  assert.ok(auroc > 0.5, `AUROC ${auroc.toFixed(3)}`);
  for (const t of [...toxic, ...neutral]) assert.ok(t.score >= 0 && t.score <= 1);
});
