// Numbers as the panel shows them.

export const int = (n: number) => n.toLocaleString('en-US');
export const fixed = (n: number, d = 3) => (Number.isFinite(n) ? n.toFixed(d) : '–');
export const pct = (n: number) => `${Math.round(n * 100)}%`;

export const METHOD_LABELS = { aura: 'AurA', damp: 'Damp', det0: 'Det0' } as const;

export function neuronId(site: string, neuron: number): string {
  return `${site}:${neuron}`;
}
