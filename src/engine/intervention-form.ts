// Which intervention nodes a rewritten graph carries at every intervened site. Each node is a full pass
// over the site's [batch, seq, neurons] tensor, memory-bound and as costly as a matmul at c_fc's width, so
// a graph carries only what the interventions it serves need:
//   none   no intervention inputs (profiling, plain generation and perplexity);
//   gain   y * gain (AurA, Det0, Damp: every v1 file and every gain-only v2 file);
//   affine y * gain + bias;
//   range  y * gain + bias where lo < y < hi, y elsewhere (Linear-AcT, Mean-AcT with ranges).
// A larger form serves every smaller one with neutral feeds (gain 1, bias 0, lo -inf, hi +inf).
import { BIAS_INPUT, GAIN_INPUT, HI_INPUT, LO_INPUT } from './io-names';
import type { Intervention } from './feeds';

export type InterventionForm = 'none' | 'gain' | 'affine' | 'range';
export const FORMS: readonly InterventionForm[] = ['none', 'gain', 'affine', 'range'];

/** The smallest form that serves both. */
export function largerForm(a: InterventionForm, b: InterventionForm): InterventionForm {
  return FORMS.indexOf(a) >= FORMS.indexOf(b) ? a : b;
}

/** Whether a graph of form `have` can run what needs form `need`. */
export function formServes(have: InterventionForm, need: InterventionForm): boolean {
  return FORMS.indexOf(have) >= FORMS.indexOf(need);
}

/** The graph inputs a form adds, in order. */
export function formInputs(form: InterventionForm): string[] {
  switch (form) {
    case 'none':
      return [];
    case 'gain':
      return [GAIN_INPUT];
    case 'affine':
      return [GAIN_INPUT, BIAS_INPUT];
    case 'range':
      return [GAIN_INPUT, BIAS_INPUT, LO_INPUT, HI_INPUT];
  }
}

/**
 * The smallest form that applies `iv` exactly: none without sites; range where any lo or hi is finite;
 * affine where any bias is non-zero; else gain. Gains of 1 everywhere still make a gain form: the caller
 * asked for an intervention, and the next one (other gains, same form) must not need another session.
 */
export function interventionForm(iv: Intervention | undefined): InterventionForm {
  if (!iv || iv.size === 0) return 'none';
  let form: InterventionForm = 'gain';
  for (const f of iv.values()) {
    if (f.lo?.some((x) => x !== -Infinity) || f.hi?.some((x) => x !== Infinity)) return 'range';
    if (f.bias?.some((x) => x !== 0)) form = 'affine';
  }
  return form;
}
