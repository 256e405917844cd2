// Engine overhead: the same work with and without aura-lens's graph rewrite, in one process, same
// threads, warm, best of N on both sides. The rewritten session carries only the intervention form its
// interventions need (src/engine/intervention-form.ts), so each form is measured against the graph as
// exported ('plain'):
//   - a forward pass returning every logit, on a session of each form (none: what profiling and plain
//     generation run; gain: AurA; affine: a bias; range: Linear-AcT), fed neutral values;
//   - greedy generation of the same number of tokens without an intervention (form none), with a gain-1
//     intervention on every neuron (gain), and with gain 1, bias 0 and a finite range wider than any
//     activation (range).
// Every pair must give the same values (every logit, every token): exit 1 if not. The forms run in
// increasing order because the session only upgrades.
//   node --import tsx bench/engine.ts [--model DIR] [--threads N] [--reps 5]
import { join } from 'node:path';
import { demoAssets } from '../src/aura/demo-assets';
import { generate } from '../src/engine/generation/generate';
import { seededRng } from '../src/engine/generation/random';
import { LanguageModel } from '../src/engine/model';
import { arg, bestOfPair, check, fmt, maxDiff, record, threadsArg } from './common';
import type { Intervention, InterventionForm } from '../src/engine/model';

interface FormFigures {
  forwardOverPlainTime: number;
  forwardMaxAbsDiff: number;
  generationOverPlainTime?: number;
  sameTokens?: boolean;
}

async function main(): Promise<void> {
  const dir = arg('model', demoAssets(join(__dirname, '..', 'src')).model);
  const threads = threadsArg();
  const reps = arg('reps', 5);
  const model = await LanguageModel.open(dir, { threads });
  const rng = seededRng(1);
  const vocab = model.facts.vocabSize;
  const batch = 8;
  const seq = 64;
  const batches = Array.from({ length: 4 }, () => Array.from({ length: batch }, () => Array.from({ length: seq }, () => Math.floor(rng() * vocab))));
  const mask = batches[0]!.map((r) => r.map(() => 1));
  const pass = (kind: 'plain' | 'lm', form: InterventionForm = 'none') => async () => {
    const out: Float32Array[] = [];
    for (const ids of batches) out.push((await model.step({ ids, mask, asExported: kind === 'plain', logits: 'all', form })).logits!);
    return out;
  };
  const prompts = ['The old house on the hill', 'She said that the'];
  const maxNewTokens = 48;
  const tokens = prompts.length * maxNewTokens;
  const neutral = (f: (n: number) => Intervention extends Map<string, infer V> ? V : never): Intervention => new Map(model.sites.map((s) => [s.id, f(s.neurons)]));
  // Interventions that change no value but need the form: gain 1; gain 1, bias 0, a range wider than any float32 activation.
  const generationWith: Partial<Record<InterventionForm, Intervention | undefined>> = {
    none: undefined,
    gain: neutral((n) => ({ gain: new Float32Array(n).fill(1) })),
    range: neutral((n) => ({ gain: new Float32Array(n).fill(1), bias: new Float32Array(n), lo: new Float32Array(n).fill(-3e38), hi: new Float32Array(n).fill(3e38) })),
  };
  console.log(`engine overhead: ${dir}, ${threads} threads, best of ${reps} warm runs`);
  const forms: Partial<Record<InterventionForm, FormFigures>> = {};
  let logitsCompared = 0;
  let plainForwardSeconds = 0;
  let plainGenerationSeconds = 0;
  for (const form of ['none', 'gain', 'affine', 'range'] as const) {
    const [plain, lm] = await bestOfPair(reps, pass('plain'), pass('lm', form));
    let diff = 0;
    plain.value.forEach((p, i) => (diff = Math.max(diff, maxDiff(p, lm.value[i]!))));
    logitsCompared = plain.value.reduce((n, x) => n + x.length, 0);
    plainForwardSeconds = plain.seconds;
    const f: FormFigures = { forwardOverPlainTime: lm.seconds / plain.seconds, forwardMaxAbsDiff: diff };
    console.log(`  forward, every logit, ${form} form: as exported ${fmt(plain.seconds, 3)} s, rewritten ${fmt(lm.seconds, 3)} s: overhead ${fmt((f.forwardOverPlainTime - 1) * 100, 1)}%`);
    check(`${form} form vs exported graph, all ${logitsCompared} logits`, diff, 1e-4);
    if (form in generationWith) {
      const iv = generationWith[form];
      const gen = (kind: 'plain' | 'lm') => () => generate(model, prompts, { maxNewTokens, stopAtEos: false, kind, ...(kind === 'lm' && iv ? { intervention: iv } : {}) });
      const [g0, g1] = await bestOfPair(reps, gen('plain'), gen('lm'));
      f.generationOverPlainTime = g1.seconds / g0.seconds;
      f.sameTokens = JSON.stringify(g0.value.ids) === JSON.stringify(g1.value.ids);
      plainGenerationSeconds = g0.seconds;
      console.log(`  generation, ${tokens} tokens, ${form} form: plain ${fmt(g0.seconds, 3)} s, rewritten ${fmt(g1.seconds, 3)} s: overhead ${fmt((f.generationOverPlainTime - 1) * 100, 1)}%`);
      check(`generated tokens, ${form} form vs plain`, f.sameTokens ? 0 : Infinity, 0);
    }
    if (model.sessionState().form !== form) throw new Error(`bench: expected a ${form} session, found ${model.sessionState().form}`);
    forms[form] = f;
  }
  const figures = {
    model: dir,
    threads,
    reps,
    // The rows earlier results carried: a forward as profiling runs it (none), generation with a gain-1 intervention (gain).
    forward: { plainSeconds: plainForwardSeconds, rewrittenOverPlainTime: forms.none!.forwardOverPlainTime, logitsCompared, maxAbsDiff: Math.max(...Object.values(forms).map((f) => f.forwardMaxAbsDiff)) },
    generation: { tokens, plainSeconds: plainGenerationSeconds, intervenedOverPlainTime: forms.gain!.generationOverPlainTime!, sameTokens: Object.values(forms).every((f) => f.sameTokens !== false) },
    forms,
  };
  record('engine', { ...figures, agree: process.exitCode !== 1 });
  await model.dispose();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(2);
});
