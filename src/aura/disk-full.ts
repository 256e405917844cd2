// A full disk (or quota) while a profile or merge writes is the user's to fix, said in one line like
// export and fit say it, not an internal error with a stack. What was written stays: the progress record
// only ever names batches whose data was fully written, so the same command resumes exactly.
import { AuraUserError } from './errors';

const FULL = new Set(['ENOSPC', 'EDQUOT']);

/** The one-line user error for a full disk at `where`, or `e` itself for any other failure. */
export function diskFullError(where: string, e: unknown, again = 'run the same command again to resume'): unknown {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === undefined || !FULL.has(code)) return e;
  return new AuraUserError(`${where}: no space left on the device (${code}); free some space, then ${again}`);
}
