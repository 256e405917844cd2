// Numbers as the panel shows them: the formatters the host uses too (src/shared/format.ts).
export { fixed, int, pct } from '../../src/shared/format';

export const METHOD_LABELS = { aura: 'AurA', damp: 'Damp', det0: 'Det0', 'linear-act': 'Linear-AcT', 'mean-act': 'Mean-AcT' } as const;

export function neuronId(site: string, neuron: number): string {
  return `${site}:${neuron}`;
}
