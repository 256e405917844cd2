/**
 * An error the user can fix (a wrong path, a file that is not what was expected, a bad argument).
 * The message is one line that names the file or argument and what was expected; the CLI maps this
 * class to exit status 1 and everything else to 2, so internal failures must not use it.
 * The name is what src/engine's `isUserError` recognises, so both layers agree without importing each other.
 */
export class AuraUserError extends Error {
  override readonly name = 'AuraUserError';
  constructor(message: string) {
    // One line on stderr: collapse any newline a caller lets through (e.g. from a quoted input value).
    super(message.replace(/\s*[\r\n]+\s*/g, ' '));
  }
}

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
