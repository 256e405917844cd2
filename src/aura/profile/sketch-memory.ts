// The memory a sketch profile needs, checked before any forward pass, and the reading of its counts file
// by chunks. The counts are [2 poolings][2 classes][neurons][bins + 2] float64 per site, all held in
// memory while profiling (and two folders' worth while merging): 32 * neurons * (bins + 2) bytes. A
// constant cap on the bins cannot bound that (65,536 bins on a large model wrote a 12 GB file that
// readFileSync, limited to 2 GiB, could not read back).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { totalmem } from 'node:os';
import { AuraUserError } from '../errors';

/** Bytes of counts a sketch of `neurons` neurons (all sites) with `bins` bins holds in memory. */
export function sketchBytes(neurons: number, bins: number): number {
  return 32 * neurons * (bins + 2);
}

/**
 * Default budget: a quarter of the machine's memory, so that a merge (the sum and one shard at a
 * time) stays within half of it next to the model.
 */
export function sketchMemoryBudget(): number {
  return Math.floor(totalmem() / 4);
}

/** Refuses, in one line naming the numbers, bins whose counts would not fit in `budget` bytes. */
export function checkSketchMemory(neurons: number, bins: number, budget = sketchMemoryBudget()): void {
  const need = sketchBytes(neurons, bins);
  if (need <= budget) return;
  const most = Math.floor(budget / (32 * neurons)) - 2;
  throw new AuraUserError(
    `--sketch: ${bins} bins for ${neurons} neurons need ${gib(need)} of counts in memory, more than the ${gib(budget)} allowed (a quarter of this machine's memory); ${most >= 1 ? `use at most ${most} bins or fewer sites (--sites)` : 'profile fewer sites (--sites)'}`,
  );
}

function gib(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/** Reads a file into a sequence of typed-array views, in chunks, checking its size first. */
export class ChunkedReader {
  private readonly fd: number;
  readonly size: number;
  private pos = 0;

  constructor(
    readonly path: string,
    private readonly chunkBytes = 64 * 2 ** 20,
  ) {
    this.fd = openSync(path, 'r');
    this.size = fstatSync(this.fd).size;
  }

  /** Fills `into` from the current position; false (nothing read) when the file is too short. */
  read(into: ArrayBufferView): boolean {
    const bytes = new Uint8Array(into.buffer, into.byteOffset, into.byteLength);
    if (this.pos + bytes.length > this.size) return false;
    for (let off = 0; off < bytes.length; ) {
      const n = readSync(this.fd, bytes, off, Math.min(this.chunkBytes, bytes.length - off), this.pos);
      if (n <= 0) return false;
      off += n;
      this.pos += n;
    }
    return true;
  }

  close(): void {
    closeSync(this.fd);
  }
}
