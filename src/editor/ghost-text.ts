// How a continuation reads as ghost text on one line: an `after` decoration cannot break lines, so
// line breaks show as a return mark, and a very long continuation is cut with an ellipsis.

const MAX_CHARS = 400;

export function ghostText(continuation: string): string {
  const oneLine = continuation.replace(/\r?\n/g, ' ⏎ ');
  return oneLine.length > MAX_CHARS ? `${oneLine.slice(0, MAX_CHARS)}…` : oneLine;
}
