// An output file named by a flag, checked before the work that produces it, not after minutes of it.
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserError } from '../engine/errors';

/** Throws one line if `path` cannot be an output file: a folder, or a parent that is missing or not a folder. */
export function checkOutputFile(flag: string, path: string): void {
  const at = statOrUndefined(path);
  if (at?.isDirectory()) throw new UserError(`--${flag} ${path}: is a folder; expected a file name`);
  if (at && !at.isFile()) throw new UserError(`--${flag} ${path}: is not a regular file (a device, FIFO or socket); expected a file name`);
  const parent = dirname(resolve(path));
  const p = statOrUndefined(parent);
  if (!p) throw new UserError(`--${flag} ${path}: the folder ${parent} does not exist`);
  if (!p.isDirectory()) throw new UserError(`--${flag} ${path}: ${parent} is not a folder`);
}

function statOrUndefined(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ENOTDIR') throw new UserError(`${path}: a part of the path is a file, not a folder`);
    throw new UserError(`${path}: cannot check it (${code ?? String(e)})`);
  }
}
