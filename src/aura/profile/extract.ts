// Pooled responses of labelled texts, batch by batch, written to the profile folder as they come:
// texts are truncated to `seqLen` tokens, sorted by length so batches carry little padding, left-padded
// (AurA assumes left padding), and pooled inside the graph over real tokens only.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { atomicWriteFile } from '../atomic-write';
import { AuraUserError } from '../errors';
import { prepareProfileFolder, removeProfileOutputs } from './folder';
import { lockFolder } from './lock';
import { PROFILE_FORMAT, PROFILE_VERSION, ResponseWriter, dataHash, readManifest, readProgress, settingsDifference, shardBatches, shardRows, writeProgress } from './store';
import type { LanguageModel } from '../../engine/model';
import type { ConceptData } from '../datasets';
import type { Pooling, ProfileManifest, ShardSpec } from './store';
import { syncEveryMs } from './sync-interval';


export interface ExtractOptions {
  sites?: string[];
  seqLen?: number;
  batchSize?: number;
  pooling?: Pooling;
  signal?: AbortSignal;
  onProgress?: (event: { batch: number; batches: number; examples: number; reused: boolean }) => void;
  /** Recorded in the manifest and compared on resume (the CLI's --max-per-class and --seed). */
  sampling?: { maxPerClass: number | null; seed: number };
  /** Run only this shard's batches (`profile --shard I/N`); the folder becomes a shard folder. */
  shard?: ShardSpec;
  /** A folder made with other settings is refused (naming the difference) unless this is set: then
   *  its profile files are removed and the work starts over. The extension's own cache sets it. */
  replaceDifferent?: boolean;
}

export interface Extracted {
  manifest: ProfileManifest;
  /** Labels in extraction (row) order. */
  labels: Uint8Array;
  /** Batches taken from an earlier, interrupted run of the same work. */
  reusedBatches: number;
  /** Where this run's time went (batches reused from an earlier run cost nothing here). */
  timing: ExtractTiming;
}

/**
 * Seconds per stage of extraction, so a slow profile can be diagnosed. Pooling runs inside the graph
 * (fused into the forward pass), so `pooling` is only the hand-over of the pooled rows per site.
 */
export interface ExtractTiming {
  tokenizeS: number;
  /** Left-padding the ids and building the masks of each batch. */
  batchingS: number;
  forwardS: number;
  poolingS: number;
  writingS: number;
  /** Real (unpadded) tokens that went through the model in this run, and with padding. */
  tokens: number;
  paddedTokens: number;
}

/** Checks and locks the folder, then extracts; `profileConcept` holds the lock over scoring too. */
export async function extractResponses(model: LanguageModel, data: ConceptData, dir: string, o: ExtractOptions = {}): Promise<Extracted> {
  prepareProfileFolder(dir);
  const lock = lockFolder(dir);
  try {
    return await extractResponsesLocked(model, data, dir, o);
  } finally {
    lock.release();
  }
}

/** The extraction itself; the caller has checked and locked `dir`. */
export async function extractResponsesLocked(model: LanguageModel, data: ConceptData, dir: string, o: ExtractOptions = {}): Promise<Extracted> {
  // Never past the model's context: position embeddings end there.
  const seqLen = Math.min(o.seqLen ?? 128, model.facts.maxPositions ?? Infinity);
  const batchSize = o.batchSize ?? 16;
  const timing: ExtractTiming = { tokenizeS: 0, batchingS: 0, forwardS: 0, poolingS: 0, writingS: 0, tokens: 0, paddedTokens: 0 };
  let clock = performance.now();
  const lap = (): number => {
    const now = performance.now();
    const s = (now - clock) / 1000;
    clock = now;
    return s;
  };
  const sites = (o.sites?.length ? o.sites.map((id) => model.site(id)) : model.sites).map((s) => ({ id: s.id, neurons: s.neurons }));
  const encoded = data.examples.map((e, i) => ({ ids: model.tokenizer.encode(e.text).slice(0, seqLen), label: e.label, i }));
  const empty = encoded.find((e) => e.ids.length === 0);
  if (empty) throw new AuraUserError(`${data.source}: example ${empty.i + 1} encodes to no tokens`);
  // Stable sort by length: equal lengths keep file order, so the row order is reproducible.
  encoded.sort((a, b) => a.ids.length - b.ids.length || a.i - b.i);
  timing.tokenizeS = lap();
  const batches = Math.ceil(encoded.length / batchSize);
  const manifest: ProfileManifest = {
    format: PROFILE_FORMAT,
    version: PROFILE_VERSION,
    model: { name: model.name, fingerprint: model.fingerprint },
    data: { source: data.source, positives: data.positives, negatives: data.negatives, hash: dataHash(data.examples) },
    seqLen,
    batchSize,
    sites,
    examples: encoded.length,
    batches,
    pooling: o.pooling ?? 'max',
    ...(o.sampling ? { sampling: o.sampling } : {}),
    ...(o.shard ? { shard: o.shard } : {}),
  };
  if (o.shard && !(Number.isInteger(o.shard.count) && o.shard.count >= 1 && Number.isInteger(o.shard.index) && o.shard.index >= 0 && o.shard.index < o.shard.count)) {
    throw new AuraUserError(`--shard ${o.shard.index}/${o.shard.count}: expected I/N with 0 <= I < N`);
  }
  mkdirSync(dir, { recursive: true });
  const previous = readManifest(dir);
  const difference = previous && settingsDifference(previous, manifest);
  if (difference && !o.replaceDifferent) {
    throw new AuraUserError(`${dir}: holds a profile made with other settings: ${difference}; use another --out, or the same settings to resume`);
  }
  const resume = !!previous && !difference;
  if (!resume) {
    // The panel's statistics of the old responses (cache/) go too: their key would not match anyway.
    removeProfileOutputs(dir, ['stats.json', 'responses', 'progress.json', 'summary.json', 'auroc', 'cache']);
  }
  await atomicWriteFile(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  const labels = Uint8Array.from(encoded.map((e) => e.label));
  await atomicWriteFile(join(dir, 'order.json'), JSON.stringify({ labels: [...labels], exampleIndex: encoded.map((e) => e.i) }));
  // This folder's batches (all, or a shard's) and where each one's rows start in its matrices.
  const mine = shardBatches(batches, o.shard);
  const localRow = new Map(mine.map((b, k) => [b, k * batchSize]));
  const done = resume ? new Set([...readProgress(dir)].filter((b) => localRow.has(b))) : new Set<number>();
  const writer = new ResponseWriter(dir, manifest, !resume, shardRows(manifest));
  const pad = model.facts.padTokenId ?? model.facts.eosTokenIds[0] ?? 0;
  const reused = done.size;
  const syncMs = syncEveryMs();
  let lastSync = performance.now();
  let synced = done.size;
  const flush = async () => {
    lap();
    writer.sync();
    await writeProgress(dir, done);
    lastSync = performance.now();
    synced = done.size;
    timing.writingS += lap();
  };
  try {
    for (const [k, b] of mine.entries()) {
      o.signal?.throwIfAborted();
      if (done.has(b)) {
        o.onProgress?.({ batch: k + 1, batches: mine.length, examples: encoded.length, reused: true });
        continue;
      }
      lap();
      const chunk = encoded.slice(b * batchSize, (b + 1) * batchSize);
      const width = Math.max(...chunk.map((c) => c.ids.length));
      const ids = chunk.map((c) => [...new Array<number>(width - c.ids.length).fill(pad), ...c.ids]);
      const mask = chunk.map((c) => [...new Array<number>(width - c.ids.length).fill(0), ...new Array<number>(c.ids.length).fill(1)]);
      for (const c of chunk) timing.tokens += c.ids.length;
      timing.paddedTokens += chunk.length * width;
      timing.batchingS += lap();
      const r = await model.extract({ ids, mask, pool: sites.map((s) => s.id) });
      timing.forwardS += lap();
      for (const s of sites) {
        const pooled = r.pooled!.get(s.id)!;
        timing.poolingS += lap();
        writer.write(s.id, s.neurons, 'max', localRow.get(b)!, pooled.max);
        writer.write(s.id, s.neurons, 'mean', localRow.get(b)!, pooled.mean);
        timing.writingS += lap();
      }
      done.add(b);
      // Data first, then the record that it is there. Syncing every batch cost more than the
      // forward passes on small models, so an interruption loses at most about two seconds of work.
      if (performance.now() - lastSync >= syncMs || k === mine.length - 1) await flush();
      o.onProgress?.({ batch: k + 1, batches: mine.length, examples: encoded.length, reused: false });
    }
  } finally {
    // A cancelled run keeps what it finished; only a killed process loses the last unsynced batches.
    if (done.size > synced) await flush().catch(() => undefined);
    writer.close();
  }
  return { manifest, labels, reusedBatches: reused, timing };
}
