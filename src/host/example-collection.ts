// Sentences gathered in the editor ("Add Selection as Toxic Example"), to profile a concept from.
import { Emitter } from './events';
import type { LabelledText } from '../aura/datasets';
import type { ConceptSource } from '../aura/datasets';

export class ExampleCollection {
  private readonly items: LabelledText[] = [];
  private readonly changed = new Emitter<{ toxic: number; nonToxic: number }>();
  readonly onDidChange = this.changed.event;

  add(text: string, label: 0 | 1): void {
    const t = text.trim();
    if (t === '' || this.items.some((e) => e.text === t && e.label === label)) return;
    this.items.push({ text: t, label });
    this.changed.fire(this.counts());
  }

  counts(): { toxic: number; nonToxic: number } {
    const toxic = this.items.filter((e) => e.label === 1).length;
    return { toxic, nonToxic: this.items.length - toxic };
  }

  list(): readonly LabelledText[] {
    return this.items;
  }

  /** Both classes are needed for an AUROC. */
  get ready(): boolean {
    const c = this.counts();
    return c.toxic > 0 && c.nonToxic > 0;
  }

  source(): ConceptSource {
    return { kind: 'memory', examples: this.items.slice(), name: 'examples gathered in the editor' };
  }

  clear(): void {
    this.items.length = 0;
    this.changed.fire(this.counts());
  }

  dispose(): void {
    this.changed.dispose();
  }
}
