// Checks on a folder before a profile (or a merge) writes into it. aura-lens deletes and rewrites only
// the files it writes itself, and only in a folder that is an aura-lens profile: a user's folder given
// as --out by mistake is refused, never emptied.
import { mkdirSync, readdirSync, rmSync, rmdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AuraUserError, quoteValue } from '../errors';
import { LOCK_FILE } from './lock';
import { readManifest } from './store';

/** Names a profile folder may hold: what the CLI and the extension write there. */
const PROFILE_ENTRIES = new Set([
  'manifest.json',
  'order.json',
  'progress.json',
  'summary.json',
  'stats.json',
  'examples.jsonl',
  'responses',
  'auroc',
  'sketch',
  // The panel's statistics and transport fits (src/aura/stats/cache.ts).
  'cache',
  LOCK_FILE,
]);

/** Our own transient files: atomic-write temporaries and lock files being created or taken over. */
function isTransient(name: string): boolean {
  return (name.startsWith('.') && name.endsWith('.tmp')) || name.startsWith(`${LOCK_FILE}.`);
}

/**
 * Makes `dir` (with its parents) and checks it can hold a profile: a folder, not a file, and either
 * empty or holding only files a profile holds. `flag` names the argument in messages (`--out`).
 */
export function prepareProfileFolder(dir: string, flag = '--out'): void {
  const st = statOrUndefined(dir, flag);
  if (st && !st.isDirectory()) throw new AuraUserError(`${flag} ${dir}: is a file; expected a folder for the profile`);
  if (!st) {
    try {
      makeFolders(dir, 0);
    } catch (e) {
      throw folderError(dir, flag, e);
    }
    return;
  }
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw folderError(dir, flag, e);
  }
  if (names.includes('manifest.json') && !readManifest(dir)) {
    throw new AuraUserError(`${flag} ${dir}: holds a manifest.json that is not an aura-lens profile's; give a new or empty folder`);
  }
  const foreign = names.filter((n) => !PROFILE_ENTRIES.has(n) && !isTransient(n));
  if (foreign.length > 0) {
    const shown = foreign.slice(0, 3).map((n) => quoteValue(n)).join(', ');
    throw new AuraUserError(
      `${flag} ${dir}: is not empty and is not an aura-lens profile (it holds ${shown}${foreign.length > 3 ? `, … ${foreign.length} in all` : ''}); give a new or empty folder`,
    );
  }
  // A folder is a profile only if its manifest says so: profile-like names alone (a user's auroc/ or
  // summary.json) are someone else's files. The manifest is the first thing a profile run writes
  // (after the extension's examples.jsonl, which a run neither removes nor rewrites).
  const held = names.filter((n) => n !== LOCK_FILE && n !== 'examples.jsonl' && !isTransient(n));
  if (!names.includes('manifest.json') && held.length > 0) {
    const shown = held.slice(0, 3).map((n) => quoteValue(n)).join(', ');
    throw new AuraUserError(
      `${flag} ${dir}: is not empty and has no aura-lens manifest.json (it holds ${shown}${held.length > 3 ? `, … ${held.length} in all` : ''}); give a new or empty folder`,
    );
  }
}

/** mkdir -p with a bounded depth: Node's recursive mkdirSync loops forever under /proc (ENOENT there). */
function makeFolders(dir: string, depth: number): void {
  try {
    mkdirSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && statSync(dir).isDirectory()) return;
    const parent = dirname(dir);
    if (code !== 'ENOENT' || parent === dir || depth > 64) throw e;
    makeFolders(parent, depth + 1);
    mkdirSync(dir);
  }
}

function statOrUndefined(dir: string, flag: string) {
  try {
    return statSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw folderError(dir, flag, e);
  }
}

function folderError(dir: string, flag: string, e: unknown): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return new AuraUserError(`${flag} ${dir}: cannot write there (${code}); choose a folder you can write to`);
  if (code === 'ENOTDIR' || code === 'EEXIST') return new AuraUserError(`${flag} ${dir}: a part of the path is a file, not a folder`);
  if (code === 'ENOENT') return new AuraUserError(`${flag} ${dir}: cannot create the folder there (ENOENT)`);
  if (code === 'ENOSPC') return new AuraUserError(`${flag} ${dir}: no space left on the device`);
  return e;
}

/** The files aura-lens writes inside a profile's subfolders; nothing else there is ever removed. */
const OWN_FILES: Record<string, RegExp> = {
  responses: /^[A-Za-z0-9._%-]+\.(max|mean)\.f32$/,
  auroc: /^[A-Za-z0-9._%-]+\.(max|mean)(\.bound)?\.f64$/,
  sketch: /^(?:[A-Za-z0-9._%-]+\.(max|mean)\.range\.f64|counts\.f64)$/,
  cache: /^(?:statistics\.(max|mean)\.bin|transport\.bin)$/,
};

/**
 * Removes a profile's results before it is redone: the listed top-level files, and in each listed
 * subfolder only the files aura-lens writes there (and the folder itself once empty). A file of the
 * user's inside, say, auroc/ stays where it is.
 */
export function removeProfileOutputs(dir: string, entries: readonly string[]): void {
  for (const name of entries) {
    const own = OWN_FILES[name];
    const path = join(dir, name);
    if (!own) {
      if (PROFILE_ENTRIES.has(name)) rmSync(path, { force: true });
      continue;
    }
    let files: string[];
    try {
      files = readdirSync(path);
    } catch {
      continue;
    }
    for (const f of files) if (own.test(f) || isTransient(f)) rmSync(join(path, f), { force: true });
    try {
      rmdirSync(path);
    } catch {
      // Something of the user's is left in it: the folder stays.
    }
  }
}
