// An exclusive lock on a profile folder, so two `profile` (or `merge`) runs never write one folder at
// once and mix their responses. The lock is a file created with O_EXCL holding the owner's pid and
// host. A lock left by a killed process on this host is taken over (the pid no longer runs); a lock
// held from another host cannot be checked from here, so the message names it and says how to clear it.
import { closeSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { AuraUserError } from '../errors';

export const LOCK_FILE = '.aura-lens.lock';

interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

export interface FolderLock {
  release(): void;
}

/** Takes the lock on `dir` (which must exist) or throws a one-line AuraUserError naming the holder. */
export function lockFolder(dir: string, what = 'profile'): FolderLock {
  const path = join(dir, LOCK_FILE);
  const me: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  const body = JSON.stringify(me);
  // Two tries: the second after taking over a stale lock.
  for (let attempt = 0; attempt < 2; attempt++) {
    if (tryCreate(path, body)) return { release: () => releaseIfMine(path, body) };
    const owner = readOwner(path);
    if (owner === 'gone') continue;
    if (owner && owner.host === me.host && !isAlive(owner.pid)) {
      takeOverStale(path, owner);
      continue;
    }
    const who = owner ? `pid ${owner.pid} on ${owner.host}, since ${owner.since}` : 'an unreadable lock';
    const clear = owner && owner.host !== me.host ? `; if that process is gone, delete ${path}` : '';
    throw new AuraUserError(`${dir}: another aura-lens ${what} run is writing this folder (${who}); wait for it to finish or use another --out${clear}`);
  }
  throw new AuraUserError(`${dir}: could not take the folder lock ${path} (another run keeps taking it); try again`);
}

/** Creates the lock file with its full content in one step: write a private file, then link it (fails if taken). */
function tryCreate(path: string, body: string): boolean {
  const temp = `${path}.${process.pid}.${Math.random().toString(16).slice(2)}`;
  let fd: number;
  try {
    fd = openSync(temp, 'wx');
  } catch (e) {
    throw asUserError(path, e);
  }
  try {
    writeSync(fd, body);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw asUserError(path, e);
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      // Already gone.
    }
  }
}

function readOwner(path: string): LockOwner | undefined | 'gone' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    return undefined;
  }
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    if (typeof o.pid === 'number' && typeof o.host === 'string') return { pid: o.pid, host: o.host, since: String(o.since ?? '?') };
  } catch {
    // Unreadable: treated as held.
  }
  return undefined;
}

/**
 * Moves the stale lock aside under a name of our own (an atomic rename), then checks that what was
 * moved is the stale lock: if another process took the stale lock over first and wrote its own, put
 * that one back rather than delete a live lock.
 */
function takeOverStale(path: string, stale: LockOwner): void {
  const aside = `${path}.stale.${process.pid}`;
  try {
    renameSync(path, aside);
  } catch {
    return; // Someone else moved it first; the next attempt sees the new state.
  }
  const moved = readOwner(aside);
  if (moved !== 'gone' && moved && moved.pid === stale.pid && moved.host === stale.host && moved.since === stale.since) {
    unlinkSync(aside);
    return;
  }
  try {
    linkSync(aside, path);
  } catch {
    // A third process holds the lock now; ours to lose, not to take.
  }
  unlinkSync(aside);
}

function releaseIfMine(path: string, body: string): void {
  try {
    if (readFileSync(path, 'utf8') === body) unlinkSync(path);
  } catch {
    // Already gone.
  }
}

export function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function asUserError(path: string, e: unknown): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return new AuraUserError(`${path}: cannot write in this folder (${code})`);
  if (code === 'ENOENT') return new AuraUserError(`${path}: the folder does not exist`);
  return e;
}
