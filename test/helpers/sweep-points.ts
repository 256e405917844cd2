// A sweep's points for tests: five series (three methods, two controls) at five strengths, and one
// point without a perplexity.
import type { SweepPoint } from '../../src/shared/protocol';

export function sweepPoints(): SweepPoint[] {
  const out: SweepPoint[] = [];
  let seed = 3;
  const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  for (const [method, control] of [['aura', null], ['det0', null], ['linear-act', null], ['aura', 'random'], ['aura', 'lowest']] as const) {
    for (const strength of [0, 0.25, 0.5, 0.75, 1]) out.push({ method, control, strength, toxicity: Math.round(rnd() * 1000) / 1000, perplexity: Math.round((30 + rnd() * 10) * 100) / 100 });
  }
  out.push({ method: 'mean-act', control: null, strength: 1, toxicity: 0, perplexity: null });
  return out;
}
