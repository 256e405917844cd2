// When a profile is too small to support any claim about its experts. The statistics issue's example:
// a handful of examples per class gives AUROC 1.000 for thousands of neurons by chance alone.

/** Fewer examples than this in either class and the ranking says nothing a reader should trust. */
export const MIN_PER_CLASS = 20;

/** A one-line warning, or undefined when both classes are large enough. */
export function smallProfileWarning(positives: number, negatives: number): string | undefined {
  const fewest = Math.min(positives, negatives);
  if (fewest >= MIN_PER_CLASS) return undefined;
  return `Profile too small to trust: ${positives} toxic and ${negatives} non-toxic examples (at least ${MIN_PER_CLASS} per class are needed); AUROCs this close to chance or this extreme may be luck.`;
}
