// The user-error type is the engine's (one class, so `instanceof` and the CLI's exit-code mapping agree
// across layers); AuraUserError is its name in aura/ code.
import { UserError } from '../engine/errors';

export { UserError, isUserError } from '../engine/errors';
export const AuraUserError = UserError;
export type AuraUserError = UserError;

/** Quotes a user value for a one-line message, shortened so a 10 MB field never floods the terminal. */
export function quoteValue(value: string, max = 40): string {
  const s = value.length > max ? `${value.slice(0, max)}…` : value;
  return JSON.stringify(s);
}

/** Shows any parsed value (a JSON label, a CSV cell) in a one-line message. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return quoteValue(value);
  const s = JSON.stringify(value) ?? String(value);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
