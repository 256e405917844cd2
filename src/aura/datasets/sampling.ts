import { mulberry32, randomInt, shuffleInPlace } from '../random';
import type { Label, LabelledText } from './types';

export interface SamplingOptions {
  /** Keep at most this many examples of each class (a seeded uniform sample of the file). */
  maxPerClass?: number;
  /** 'equal' also cuts the larger class down to the size of the smaller one. Default 'none':
   *  AUROC does not need balanced classes, and the reference keeps all non-toxic rows. */
  balance?: 'none' | 'equal';
  seed?: number;
}

interface Kept {
  order: number;
  text: string;
}

/**
 * Reservoir sampling per class (Algorithm R), so a 300 MB file is sampled in one pass while only
 * `maxPerClass` texts per class stay in memory. Each class has its own generator, so the toxic sample
 * for a seed does not change when non-toxic rows are added or removed.
 */
export class ClassSampler {
  private readonly kept: [Kept[], Kept[]] = [[], []];
  private readonly seen: [number, number] = [0, 0];
  private readonly rngs: [() => number, () => number];
  private order = 0;

  constructor(private readonly options: SamplingOptions = {}) {
    const seed = options.seed ?? 0;
    this.rngs = [mulberry32(seed * 2 + 1), mulberry32(seed * 2 + 2)];
    const max = options.maxPerClass;
    if (max !== undefined && !(Number.isInteger(max) && max > 0)) {
      throw new RangeError(`maxPerClass must be a positive integer, got ${max}`);
    }
  }

  add(text: string, label: Label): void {
    const item = { order: this.order++, text };
    const n = ++this.seen[label];
    const kept = this.kept[label];
    const max = this.options.maxPerClass;
    if (max === undefined || kept.length < max) {
      kept.push(item);
      return;
    }
    const j = randomInt(this.rngs[label], n);
    if (j < max) kept[j] = item;
  }

  /** Examples read so far, before sampling: [negatives, positives]. */
  counts(): { positives: number; negatives: number } {
    return { positives: this.seen[1], negatives: this.seen[0] };
  }

  /** The sample in file order. */
  finish(): LabelledText[] {
    let [neg, pos] = this.kept;
    if (this.options.balance === 'equal') {
      const n = Math.min(neg.length, pos.length);
      const rng = mulberry32((this.options.seed ?? 0) * 2 + 3);
      if (neg.length > n) neg = shuffleInPlace(neg.slice(), rng).slice(0, n);
      if (pos.length > n) pos = shuffleInPlace(pos.slice(), rng).slice(0, n);
    }
    const all: (Kept & { label: Label })[] = [];
    for (const k of neg) all.push({ ...k, label: 0 });
    for (const k of pos) all.push({ ...k, label: 1 });
    all.sort((a, b) => a.order - b.order);
    return all.map(({ text, label }) => ({ text, label }));
  }
}
