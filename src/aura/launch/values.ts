/**
 * Values that end up in a job script or manifest. A newline in `--out` would end the sbatch comment it
 * is printed in and run the rest as a command, and sbatch stops reading `#SBATCH` lines at the first
 * command (so `--array` too would be silently lost): every value is refused if it holds a control
 * character, and the scheduler's own fields are checked against their grammars before anything is written.
 */
import { isAbsolute } from 'node:path';
import { AuraUserError } from '../errors';

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;

/** Refuses a value with a control character (newline, tab, escape, NUL...), naming the flag and the character. */
export function checkOneLine(flag: string, value: string): void {
  const m = CONTROL.exec(value);
  if (m) {
    const code = m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    throw new AuraUserError(`${flag}: holds the control character U+${code} at position ${m.index}; expected one line of printable text`);
  }
}

/** A path the job's nodes or pods open: one line, and absolute (they do not start in this folder). */
export function checkJobPath(flag: string, value: string): void {
  checkOneLine(flag, value);
  if (!isAbsolute(value) || !value.startsWith('/')) {
    throw new AuraUserError(`${flag}: "${value}" is a relative path; the job does not start in this folder, so give the absolute path as the cluster's nodes see it`);
  }
}

/** Kubernetes resource quantity (cpu "500m", "2"; memory "16Gi", "512M", "1e9"). */
const QUANTITY = /^(\d+(\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;

export function checkQuantity(flag: string, value: string, example: string): void {
  if (!QUANTITY.test(value) || Number(value.replace(/[A-Za-z].*$/, '') || '0') === 0) {
    throw new AuraUserError(`${flag}: "${printable(value)}" is not a Kubernetes quantity above zero (a number with an optional suffix such as ${example})`);
  }
}

/**
 * A container image reference, [registry[:port]/]path[:tag][@digest], as Docker's reference grammar
 * has it: path components lowercase, separated by "/", with ".", "_", "__" or dashes inside.
 */
const DOMAIN = '(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::\\d+)?/)';
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const IMAGE = new RegExp(`^${DOMAIN}?${COMPONENT}(?:/${COMPONENT})*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$`);

export function checkImage(flag: string, value: string): void {
  if (value.length > 4096 || !IMAGE.test(value)) {
    throw new AuraUserError(`${flag}: "${printable(value)}" is not a container image reference (e.g. ghcr.io/you/aura-lens:cpu; lowercase path, optional :tag or @sha256:digest)`);
  }
}

/** sbatch --time: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS, or UNLIMITED. */
const SLURM_TIME = /^(\d+|\d+:\d{1,2}|\d+:\d{1,2}:\d{1,2}|\d+-\d{1,2}|\d+-\d{1,2}:\d{1,2}|\d+-\d{1,2}:\d{1,2}:\d{1,2}|UNLIMITED|INFINITE)$/i;

export function checkSlurmTime(flag: string, value: string): void {
  if (!SLURM_TIME.test(value)) {
    throw new AuraUserError(`${flag}: "${printable(value)}" is not a Slurm time limit (minutes, HH:MM:SS, D-HH:MM:SS or UNLIMITED)`);
  }
}

/** sbatch --mem: a whole number with an optional unit K, M, G or T (megabytes without one). */
export function checkSlurmMemory(flag: string, value: string): void {
  if (!/^\d+[KMGT]?$/i.test(value) || /^0+[KMGT]?$/i.test(value)) {
    throw new AuraUserError(`${flag}: "${printable(value)}" is not a Slurm memory size (a whole number with an optional unit K, M, G or T, e.g. 32G)`);
  }
}

/** A value shown inside an error line: control characters as escapes, so the message stays one line. */
export function printable(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}
