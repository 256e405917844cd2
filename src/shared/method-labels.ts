// The built-in methods' display names, parameters and descriptions, in one place for the host's
// registry, the reports and the panel (issue 20, item 11). The panel builds its picker from the list
// the host sends (didListMethods, from the registry); this list is only what it shows before that.
import type { MethodInfo } from './protocol';

export const BUILTIN_METHODS: readonly MethodInfo[] = [
  {
    id: 'aura',
    label: 'AurA',
    takesK: false,
    takesAlpha: false,
    defaultAlpha: null,
    transport: false,
    description: 'Each expert (AUROC > 0.5) is multiplied by 1 − 2·(AUROC − 0.5): the better it separates, the more it is dampened. No hyperparameter.',
  },
  {
    id: 'damp',
    label: 'Damp',
    takesK: true,
    takesAlpha: true,
    defaultAlpha: 0.5,
    transport: false,
    description: 'The top-k neurons by AUROC (over all sites) are multiplied by one fixed alpha. An empty top-k means every expert (AUROC > 0.5).',
  },
  {
    id: 'det0',
    label: 'Det0',
    takesK: true,
    takesAlpha: false,
    defaultAlpha: null,
    transport: false,
    description: 'The top-k neurons by AUROC (over all sites) are set to zero. An empty top-k means every expert (AUROC > 0.5).',
  },
  {
    id: 'linear-act',
    label: 'Linear-AcT',
    takesK: false,
    takesAlpha: false,
    defaultAlpha: null,
    transport: true,
    description: 'Linear-AcT (apple/ml-act): per neuron, an affine map that transports the toxic responses onto the non-toxic ones, applied inside the toxic range; the strength interpolates.',
  },
  {
    id: 'mean-act',
    label: 'Mean-AcT',
    takesK: false,
    takesAlpha: false,
    defaultAlpha: null,
    transport: true,
    description: 'Mean-AcT: per neuron, a shift of the toxic mean onto the non-toxic mean; the strength interpolates.',
  },
];

export const METHOD_LABELS: Readonly<Record<string, string>> = Object.fromEntries(BUILTIN_METHODS.map((m) => [m.id, m.label]));

/** A built-in method's panel description; throws for an id that is not built in (a programming error). */
export function builtinMethod(id: string): MethodInfo {
  const m = BUILTIN_METHODS.find((x) => x.id === id);
  if (!m) throw new Error(`${id} is not a built-in method`);
  return m;
}

/** The display name of a method: from the host's list when given, else the built-in one, else its id. */
export function methodDisplayName(method: string, listed?: readonly MethodInfo[] | null): string {
  return listed?.find((m) => m.id === method)?.label ?? METHOD_LABELS[method] ?? method;
}
