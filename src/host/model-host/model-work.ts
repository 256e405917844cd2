// The model and every piece of work that needs it, run one at a time (one inference at a time per
// session). This runs inside the model process; tests may also call it in process.
import { exportFoldedOnnx } from '../../aura/export/onnx-export';
import { unchangedExportReason } from '../../aura/export/unchanged';
import { verifyInChild } from './verify-child';
import type { Provenance } from '../../aura/export/provenance';
import { isUserError, UserError } from '../../engine/errors';
import { neuronWrites, WRITES_TOP } from '../../aura/neuron-writes';
import { toxicTokenIds } from '../../aura/neuron-writes-tokens';
import { generate } from '../../engine/generation/generate';
import { continuationDecoder } from '../../engine/generation/continuation-text';
import { LanguageModel } from '../../engine/model';
import { runEvaluation } from './evaluate-job';
import { openProfileFolder } from './open-profile-job';
import { runProfile } from './profile-job';
import { runSweep } from './sweep-job';
import { batchedTokenValues } from './token-values';
import { nonToxicReferences } from '../token-scores';
import { NeuronDetails } from '../neuron-detail';
import type { Intervention } from '../../engine/model';
import type { LabelledText } from '../../aura/datasets';
import type {
  ActivationsRequest,
  CallOptions,
  DetailRequest,
  EvaluateOutcome,
  EvaluateRequest,
  ExportOnnxRequest,
  GainMap,
  ShiftMap,
  GenerateRequest,
  ModelHost,
  ModelInfo,
  NeuronDetailOutcome,
  OpenProfileRequest,
  OpenRequest,
  ProfileOutcome,
  ProfileRequest,
  ReferencesRequest,
  SweepOutcome,
  SweepRequest,
  TextActivations,
} from './api';

export class ModelWork implements ModelHost {
  private model: LanguageModel | undefined;
  /** Reads the profile's files here, in the model process, so the extension host only gets the answer. */
  private readonly details = new NeuronDetails(
    (texts, sites, signal) => batchedTokenValues(this.require(), texts, sites, signal ? { signal } : {}),
    (site, neuron, texts) => this.writesOf(site, neuron, texts),
  );
  /** The concept's toxic word pieces, per list of example texts (one profile's), for the writes' tag. */
  private toxicPieces: { examples: readonly LabelledText[]; ids: Set<number> } | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  open(req: OpenRequest, call: CallOptions = {}): Promise<ModelInfo> {
    return this.exclusive(call, async () => {
      call.onProgress?.({ stage: 'Reading the model', done: 0, total: 2 });
      const next = await LanguageModel.open(req.path, {
        ...(req.threads ? { threads: req.threads } : {}),
        ...(req.executionProvider ? { executionProvider: req.executionProvider } : {}),
      });
      // onnxruntime reads the weights when a session is created, which the engine does on first use:
      // without this step "ready" came before the weights were in memory, and the first job's
      // progress then hid the real load (0.6 s vs many seconds for a 2.35 GB model).
      call.onProgress?.({ stage: 'Loading the weights', done: 1, total: 2 });
      try {
        await warmUp(next);
        call.signal?.throwIfAborted();
      } catch (e) {
        await next.dispose();
        throw e;
      }
      call.onProgress?.({ stage: 'Ready', done: 2, total: 2 });
      // The old model stays usable until the new one has loaded, so a failed open changes nothing.
      await this.model?.dispose();
      this.model = next;
      this.details.forget();
      this.toxicPieces = undefined;
      return modelInfo(next, req.path);
    });
  }

  close(): Promise<void> {
    return this.exclusive({}, async () => {
      await this.model?.dispose();
      this.model = undefined;
    });
  }

  generate(req: GenerateRequest, call: CallOptions = {}): Promise<string> {
    return this.exclusive(call, async () => {
      const model = this.require();
      const s = req.settings;
      // Keep the prompt's last tokens when prompt and continuation would not fit the context.
      const room = Math.max(1, (model.facts.maxPositions ?? Infinity) - s.maxNewTokens);
      const ids = model.tokenizer.encode(req.prompt).slice(-room);
      if (ids.length === 0) throw new UserError('the prompt is empty');
      // The text as it continues the prompt: with the space a word-level tokenizer puts between words.
      const continuation = continuationDecoder(model.tokenizer, ids);
      const r = await generate(model, [ids], {
        maxNewTokens: s.maxNewTokens,
        seed: s.seed,
        ...(s.temperature > 0 ? { temperature: s.temperature, topP: s.topP, ...(s.topK > 0 ? { topK: s.topK } : {}) } : {}),
        ...(req.gains ? { intervention: toIntervention(req.gains, req.shifts) } : {}),
        ...(call.signal ? { signal: call.signal } : {}),
        onToken: (e) => call.onText?.(continuation(e.ids)),
      });
      return continuation(r.ids[0] ?? []);
    });
  }

  activations(req: ActivationsRequest, call: CallOptions = {}): Promise<TextActivations[]> {
    return this.exclusive(call, () =>
      batchedTokenValues(this.require(), req.texts, req.sites, {
        ...(req.maxTokens ? { maxTokens: req.maxTokens } : {}),
        ...(req.gains ? { intervention: toIntervention(req.gains, req.shifts) } : {}),
        ...(call.signal ? { signal: call.signal } : {}),
      }),
    );
  }

  profile(req: ProfileRequest, call: CallOptions = {}): Promise<ProfileOutcome> {
    return this.exclusive(call, async () => {
      // A new profile may be written to the folder of the last one: its cached details no longer hold.
      this.details.forget();
      return runProfile(this.require(), req, call);
    });
  }

  evaluate(req: EvaluateRequest, call: CallOptions = {}): Promise<EvaluateOutcome> {
    return this.exclusive(call, () => runEvaluation(this.require(), req, toIntervention(req.gains, req.shifts), call));
  }

  openProfile(req: OpenProfileRequest, call: CallOptions = {}): Promise<ProfileOutcome> {
    return this.exclusive(call, () => {
      this.details.forget();
      return openProfileFolder(this.require(), req, call);
    });
  }

  sweep(req: SweepRequest, call: CallOptions = {}): Promise<SweepOutcome> {
    return this.exclusive(call, () => runSweep(this.require(), req, call));
  }

  /** Reads a file, not the model: runs beside the queue instead of waiting behind a preview. */
  nonToxicReferences(req: ReferencesRequest, call: CallOptions = {}): Promise<number[][]> {
    call.signal?.throwIfAborted();
    return nonToxicReferences(req.dir, req.pooling, req.experts);
  }

  /** The profile's part reads files only: it runs beside the queue, so the panel draws it while a preview runs. */
  neuronDetail(req: DetailRequest, call: CallOptions = {}): Promise<NeuronDetailOutcome> {
    if (req.part === 'profile') {
      call.signal?.throwIfAborted();
      return this.details.profilePart(req);
    }
    return this.exclusive(call, () => this.details.detail(req, call.signal));
  }

  /** Model passes the neuron detail has run (tests read it: a cached neuron runs none). */
  get detailPasses(): number {
    return this.details.passes;
  }

  exportOnnx(req: ExportOnnxRequest, call: CallOptions = {}): Promise<{ bytes: number }> {
    const provenance = req.provenance === undefined ? undefined : (JSON.parse(req.provenance) as Provenance);
    const factors = toIntervention(req.gains, req.shifts);
    const unchanged = unchangedExportReason([...factors.values()].map((f) => f.gain), [...factors.values()].map((f) => f.bias));
    if (unchanged) return Promise.reject(new UserError(`${req.out}: ${unchanged}`));
    // Verified in a short-lived process: loading the written model here, beside the live session, held
    // two copies of the weights (2.53x at 2.35 GB).
    return this.exclusive(call, async () => ({ bytes: (await exportFoldedOnnx(this.require(), factors, req.out, provenance, { verify: verifyInChild })).bytes }));
  }

  async dispose(): Promise<void> {
    await this.close();
  }

  /** What a neuron writes, or the one-line reason the layout forbids reading it (fused, quantised). */
  private writesOf(site: string, neuron: number, examples: readonly LabelledText[] | undefined) {
    const model = this.require();
    try {
      if (examples && this.toxicPieces?.examples !== examples) this.toxicPieces = { examples, ids: toxicTokenIds(model.tokenizer, examples.map((e) => e.text)) };
      return neuronWrites(model, site, neuron, WRITES_TOP, examples ? this.toxicPieces!.ids : undefined);
    } catch (e) {
      if (isUserError(e)) return e as Error;
      throw e;
    }
  }

  private require(): LanguageModel {
    if (!this.model) throw new UserError('no model is open (run "AurA: Open Model Folder…" or "AurA: Use Demo Model")');
    return this.model;
  }

  /** Runs work after everything queued before it; a call cancelled while waiting never starts. */
  private exclusive<T>(call: CallOptions, work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      call.signal?.throwIfAborted();
      return work();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/**
 * One token through the generation session (the one previews use first), creating it and its weights.
 * It is built with gain inputs: the panel's AurA previews then change feeds only, never the session (a
 * Linear-AcT or Mean-AcT import upgrades it once); profiling on it pays one Mul per site.
 */
async function warmUp(model: LanguageModel): Promise<void> {
  const id = model.facts.eosTokenIds[0] ?? model.facts.padTokenId ?? 0;
  await model.step({ ids: [[id]], mask: [[1]], logits: 'last', form: 'gain' });
}

export function toIntervention(gains: GainMap, shifts?: ShiftMap): Intervention {
  return new Map([...gains].map(([site, gain]) => [site, { gain, ...shifts?.get(site) }]));
}

function modelInfo(m: LanguageModel, path: string): ModelInfo {
  return {
    name: m.name,
    path,
    format: m.format,
    architecture: m.facts.architecture,
    layers: m.facts.layers,
    vocabSize: m.facts.vocabSize,
    fingerprint: m.fingerprint,
    maxPositions: m.facts.maxPositions ?? null,
    sites: m.sites.map((s) => ({ id: s.id, layer: s.layer, kind: s.kind, neurons: s.neurons })),
  };
}
