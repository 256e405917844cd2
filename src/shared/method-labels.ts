// Each method's display name, in one place for the host, the reports and the panel (issue 20, item 11).
import type { MethodName } from './protocol';

export const METHOD_LABELS: Readonly<Record<MethodName, string>> = { aura: 'AurA', damp: 'Damp', det0: 'Det0', 'linear-act': 'Linear-AcT', 'mean-act': 'Mean-AcT' };

/** The display name of a method, or its id when it is not one the panel knows. */
export function methodDisplayName(method: string): string {
  return (METHOD_LABELS as Record<string, string>)[method] ?? method;
}
