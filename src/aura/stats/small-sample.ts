/** A profile too small to support any claim says so wherever its results appear (issue 9, item 1). */

/** Below this many examples in a class, AUROCs, intervals and q-values are not evidence of anything. */
export const MIN_PER_CLASS = 20;

export interface SampleCheck {
  /** True when a class has fewer than MIN_PER_CLASS examples. */
  tooSmall: boolean;
  /** One line per problem, for CLI JSON `warnings` and the panel. */
  warnings: string[];
}

export function checkSampleSize(positives: number, negatives: number): SampleCheck {
  const warnings: string[] = [];
  for (const [count, name] of [[positives, 'toxic'], [negatives, 'non-toxic']] as const) {
    if (count < MIN_PER_CLASS) {
      warnings.push(
        `only ${count} ${name} example${count === 1 ? '' : 's'} (fewer than ${MIN_PER_CLASS} per class): the AUROCs, intervals and expert counts of this profile cannot support a claim`,
      );
    }
  }
  return { tooSmall: warnings.length > 0, warnings };
}
