/**
 * The one user-error type of engine/ and aura/ (aura/errors.ts re-exports it as AuraUserError).
 * An error the user can fix: a wrong path, a file that is not what was expected, an unknown id.
 * Its message is one line that names the file or argument at fault. The CLI maps it to exit status 1
 * and everything else to 2, so keep internal failures out of this class.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(message: string) {
    // Any line break (a parser quoting the "\r" it choked on, say) would split the CLI's one-line message.
    super(message.replace(/\s*[\r\n\u2028\u2029]+\s*/g, ' '));
  }
}

/**
 * True for a UserError, and for one rebuilt from its name after crossing a process or worker boundary
 * (host/model-host/rpc.ts), where `instanceof` cannot hold.
 */
export function isUserError(e: unknown): e is Error {
  return e instanceof UserError || (e instanceof Error && e.name === 'UserError');
}

/** Turns a low-level failure (protobuf decode, ORT load) into a one-line user error about `file`. */
export function userErrorFrom(file: string, expected: string, cause: unknown): UserError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  const first = detail.split('\n').find((l) => l.trim().length > 0)?.trim() ?? '';
  return new UserError(`${file}: ${expected}${first ? ` (${first.slice(0, 200)})` : ''}`);
}
