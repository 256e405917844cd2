// Workspace trust, as a rule without VS Code: in an untrusted workspace a path inside one of its
// folders is workspace content, and loading it (a model runs code paths of its own choosing through
// onnxruntime) needs the user's explicit confirmation. Paths outside the workspace, and the
// embedded demo, are the user's own choice and load as usual.
import { isAbsolute, relative, resolve } from 'node:path';

export function isInside(path: string, folder: string): boolean {
  const rel = relative(resolve(folder), resolve(path));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

export function needsTrustConfirmation(path: string, workspaceFolders: readonly string[], trusted: boolean): boolean {
  return !trusted && workspaceFolders.some((f) => isInside(path, f));
}
