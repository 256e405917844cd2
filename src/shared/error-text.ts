// Error notifications put the reason first: the engine's messages follow the CLI's "PATH: reason"
// form (kept, it is the contract for the terminal), but a notification cuts long text at its end, and
// an absolute path first leaves the user reading only where, not what. Here the leading path moves
// after the reason, shortened to its last two parts (the full path stays in the log).

/** A leading POSIX or Windows absolute path (or a `file:` URI) followed by ": ". */
const LEADING_PATH = /^((?:file:\/\/)?(?:\/|[A-Za-z]:[\\/])[^\n]*?): (?=\S)/;

export interface ErrorText {
  reason: string;
  /** The path the message started with, when it did. */
  path?: string;
}

export function splitErrorPath(message: string): ErrorText {
  const m = LEADING_PATH.exec(message);
  if (!m) return { reason: message };
  const reason = message.slice(m[0].length);
  // "PATH: is empty" reads as "Is empty (…)" once the path moves: a reason that was a predicate of
  // the path gets the file's name back as its subject ("toxic.txt is empty (…/data/toxic.txt)").
  if (PREDICATE.test(reason)) return { reason: `${baseName(m[1]!)} ${reason}`, path: m[1]! };
  return { reason: reason.charAt(0).toUpperCase() + reason.slice(1), path: m[1]! };
}

/** A reason whose grammatical subject is the path itself. */
const PREDICATE = /^(?:is|has|was|does|holds|contains|lacks)\b/;

function baseName(p: string): string {
  return p.split(/[\\/]/).filter((s) => s !== '').pop() ?? p;
}

/** The last `parts` components of a path, with an ellipsis when shortened. */
export function shortPath(p: string, parts = 2): string {
  const sep = p.includes('\\') && !p.includes('/') ? '\\' : '/';
  const segs = p.split(/[\\/]/).filter((s) => s !== '');
  return segs.length <= parts ? p : `…${sep}${segs.slice(-parts).join(sep)}`;
}

/** "Reason (…/dir/file)" for a notification; the message as it is when it does not start with a path. */
export function notificationText(message: string): string {
  const { reason, path } = splitErrorPath(message);
  return path === undefined ? message : `${reason} (${shortPath(path)})`;
}
