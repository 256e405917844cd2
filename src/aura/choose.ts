/**
 * The evaluation protocol (issue 20, item 4): prompts (and neutral texts) split, seeded, into a
 * validation part and a test part; a rule written before the run (`--choose`) picks a strength or
 * method from the points measured on validation, and only the chosen point is reported on test.
 *
 * Grammar of a rule (spaces ignored):
 *   RULE       := OBJECTIVE [ ":" CONSTRAINT { "," CONSTRAINT } ]
 *   OBJECTIVE  := "max-cut"   lowest toxicity probability (ties: expected max toxicity, perplexity, strength)
 *               | "min-emt"   lowest expected maximum toxicity (ties: toxicity probability, perplexity, strength)
 *   CONSTRAINT := METRIC OP VALUE
 *   METRIC     := "ppl" (perplexity) | "tox" (toxicity probability) | "emt" (expected max toxicity) | "mean" (mean toxicity)
 *   OP         := "<=" | "<" | ">=" | ">"
 *   VALUE      := NUMBER              the point's own figure
 *               | SIGN NUMBER "%"     its change relative to the model itself (strength 0) on validation
 * Example: "max-cut:ppl<=+5%" — the strongest toxicity cut whose perplexity is at most 5% above the model's.
 */
import { AuraUserError } from './errors';
import { mulberry32, shuffleInPlace } from './random';
import type { ToxicityResult } from './evaluate';

export type Metric = 'ppl' | 'tox' | 'emt' | 'mean';
export type Op = '<=' | '<' | '>=' | '>';

export interface Constraint {
  metric: Metric;
  op: Op;
  value: number;
  /** True: `value` is a relative change (0.05 for +5%) from the model itself. */
  relative: boolean;
}

export interface ChoiceRule {
  text: string;
  objective: 'max-cut' | 'min-emt';
  constraints: Constraint[];
}

export interface Candidate {
  method: string;
  strength: number;
  toxicity: Pick<ToxicityResult, 'toxicityProbability' | 'expectedMaxToxicity' | 'meanToxicity'>;
  perplexity: number | null;
}

const METRICS: readonly Metric[] = ['ppl', 'tox', 'emt', 'mean'];
const GRAMMAR = 'expected OBJECTIVE[:CONSTRAINT,...] with OBJECTIVE max-cut or min-emt and CONSTRAINT like ppl<=+5%, tox<0.2 (metrics ppl, tox, emt, mean)';

export function parseChoiceRule(text: string, flag = '--choose'): ChoiceRule {
  const t = text.replace(/\s+/g, '');
  const colon = t.indexOf(':');
  const objective = colon < 0 ? t : t.slice(0, colon);
  if (objective !== 'max-cut' && objective !== 'min-emt') throw new AuraUserError(`${flag}: unknown objective "${objective}"; ${GRAMMAR}`);
  const constraints: Constraint[] = [];
  if (colon >= 0) {
    for (const part of t.slice(colon + 1).split(',')) {
      const m = /^([a-z]+)(<=|>=|<|>)([+-]?)(\d+(?:\.\d+)?|\.\d+)(%?)$/.exec(part);
      if (!m) throw new AuraUserError(`${flag}: cannot read the constraint "${part}"; ${GRAMMAR}`);
      const [, metric, op, sign, num, pct] = m;
      if (!(METRICS as readonly string[]).includes(metric!)) throw new AuraUserError(`${flag}: unknown metric "${metric}" in "${part}"; ${GRAMMAR}`);
      if (pct && !sign) throw new AuraUserError(`${flag}: a relative bound needs a sign, e.g. ppl<=+5%, got "${part}"`);
      if (sign && !pct) throw new AuraUserError(`${flag}: a signed bound is a change and needs %, e.g. ppl<=+5%, got "${part}"`);
      const v = Number(num) * (sign === '-' ? -1 : 1);
      constraints.push({ metric: metric as Metric, op: op as Op, value: pct ? v / 100 : v, relative: !!pct });
    }
  }
  return { text: t, objective, constraints };
}

function figure(c: Candidate, m: Metric): number | null {
  if (m === 'ppl') return c.perplexity;
  return m === 'tox' ? c.toxicity.toxicityProbability : m === 'emt' ? c.toxicity.expectedMaxToxicity : c.toxicity.meanToxicity;
}

function holds(x: number, op: Op, v: number): boolean {
  return op === '<=' ? x <= v : op === '<' ? x < v : op === '>=' ? x >= v : x > v;
}

/** Whether `c` meets every constraint; a relative one is measured against `base` (the model itself). */
export function admissible(rule: ChoiceRule, c: Candidate, base: Candidate | undefined): boolean {
  return rule.constraints.every((k) => {
    const x = figure(c, k.metric);
    if (x === null) return false;
    if (!k.relative) return holds(x, k.op, k.value);
    const b = base ? figure(base, k.metric) : null;
    if (b === null || !(b > 0)) return false;
    // A tiny tolerance so that "+0%" admits the model itself despite rounding.
    return holds(x / b - 1, k.op, k.value + (k.op.startsWith('<') ? 1e-12 : -1e-12));
  });
}

/**
 * The candidate the rule picks, or undefined when none is admissible. `base` is the model itself on
 * the same part; it is also a candidate when passed in `candidates` (strength 0).
 */
export function choose<C extends Candidate>(rule: ChoiceRule, candidates: readonly C[], base: Candidate | undefined): C | undefined {
  const ok = candidates.filter((c) => admissible(rule, c, base));
  const key = (c: Candidate): number[] => {
    const t = c.toxicity;
    const ppl = c.perplexity ?? Infinity;
    return rule.objective === 'max-cut' ? [t.toxicityProbability, t.expectedMaxToxicity, ppl, c.strength] : [t.expectedMaxToxicity, t.toxicityProbability, ppl, c.strength];
  };
  let best: C | undefined;
  for (const c of ok) {
    if (!best) best = c;
    else {
      const a = key(c);
      const b = key(best);
      const i = a.findIndex((v, j) => v !== b[j]);
      if (i >= 0 && a[i]! < b[i]!) best = c;
    }
  }
  return best;
}

export interface Split<T> {
  validation: T[];
  test: T[];
}

/**
 * Items shuffled with mulberry32(seed); the first round(fraction * n) go to validation, the rest to
 * test, each part in the items' own order. Both parts need at least one item.
 */
export function splitItems<T>(items: readonly T[], validationFraction: number, seed: number, what: string): Split<T> {
  if (!(validationFraction > 0 && validationFraction < 1)) throw new AuraUserError(`--validation: ${validationFraction} is not a fraction in (0, 1)`);
  const idx = shuffleInPlace(Array.from({ length: items.length }, (_, i) => i), mulberry32(seed));
  const v = Math.floor(validationFraction * items.length + 0.5);
  if (v < 1 || v > items.length - 1) throw new AuraUserError(`--validation ${validationFraction}: ${items.length} ${what} cannot be split into a validation and a test part of at least one each`);
  const inValidation = new Set(idx.slice(0, v));
  return { validation: items.filter((_, i) => inValidation.has(i)), test: items.filter((_, i) => !inValidation.has(i)) };
}
