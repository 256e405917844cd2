// Numbers as the panel shows them: the formatters the host uses too (src/shared/format.ts).
export { fixed, int, pct } from '../../src/shared/format';


export function neuronId(site: string, neuron: number): string {
  return `${site}:${neuron}`;
}
