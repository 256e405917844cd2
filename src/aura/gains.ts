/** Strength: how far the gains go from "no intervention" (s = 0) to the fitted gains (s = 1). */
import { AuraUserError } from './errors';

/** Throws unless s is a number in [0, 1]; `what` names the argument or field for the message. */
export function checkStrength(s: number, what = '--strength'): void {
  if (typeof s !== 'number' || !(s >= 0 && s <= 1)) throw new AuraUserError(`${what}: ${s} is not a number in [0, 1]`);
}

/** The factor applied at strength s: 1 - s*(1 - gain), per neuron (the paper's alpha_s). */
export function applyStrength(gain: Float32Array, s: number): Float32Array {
  checkStrength(s);
  if (s === 1) return gain.slice();
  const out = new Float32Array(gain.length);
  for (let i = 0; i < gain.length; i++) out[i] = 1 - s * (1 - gain[i]);
  return out;
}

/** A bias added after the gain is scaled by s likewise, so s = 0 is exactly the original model. */
export function scaleBias(bias: Float32Array, s: number): Float32Array {
  checkStrength(s);
  const out = new Float32Array(bias.length);
  for (let i = 0; i < bias.length; i++) out[i] = s * bias[i];
  return out;
}
