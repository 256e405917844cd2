/** Reads `a.b.c` from a parsed JSON value; RealToxicityPrompts nests its text as `prompt.text`. */
export function getPath(value: unknown, path: string): unknown {
  let cur: unknown = value;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(cur, key)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** The top-level keys of a JSON object, for "keys found: ..." in error messages. */
export function keysOf(value: unknown): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return '(not an object)';
  const keys = Object.keys(value);
  return keys.length === 0 ? '(none)' : keys.slice(0, 20).join(', ');
}
