// The Hugging Face checkpoint folder last used for each model, so the next adapter export offers it:
// keyed by the ONNX model's fingerprint (the same model opened from another path finds it too), kept in
// VS Code's global state (a checkpoint's place is a fact about this machine, not about a workspace).
import * as v from 'valibot';

const KEY = 'aura.checkpointFolders';
/** The most recent folders kept; older ones are forgotten. */
export const MAX_REMEMBERED = 50;

const StoredSchema = v.array(v.object({ fingerprint: v.string(), dir: v.string() }));

export interface MementoLike {
  get(key: string): unknown;
  update(key: string, value: unknown): Thenable<void> | Promise<void>;
}

export class CheckpointMemory {
  constructor(private readonly state: MementoLike) {}

  recall(fingerprint: string): string | undefined {
    return this.entries().find((e) => e.fingerprint === fingerprint)?.dir;
  }

  async remember(fingerprint: string, dir: string): Promise<void> {
    const rest = this.entries().filter((e) => e.fingerprint !== fingerprint);
    await this.state.update(KEY, [{ fingerprint, dir }, ...rest].slice(0, MAX_REMEMBERED));
  }

  /** What is stored, or nothing when it does not parse (an older layout or a hand edit). */
  private entries(): v.InferOutput<typeof StoredSchema> {
    const r = v.safeParse(StoredSchema, this.state.get(KEY));
    return r.success ? r.output : [];
  }
}
