// What the extension asks of the model. The model lives in a child process (process-host.ts), so a
// multi-GB model's heap and its synchronous stretches (protobuf decoding, tokenizing thousands of
// examples, writing responses) never slow the extension host; tests may run the same work in process
// (ModelWork). Every argument and result is a valibot schema in src/shared/model-messages.ts; the
// types here are inferred from those schemas.
import type { CallArg, CallResult, GainMapSchema, GenerationSettingsSchema, ShiftMapSchema, RankedExpertsSchema, WorkProgressSchema } from '../../shared/model-messages';
import type { InferOutput } from 'valibot';

export type OpenRequest = CallArg<'open'>;
export type ModelInfo = CallResult<'open'>;
export type GenerationSettings = InferOutput<typeof GenerationSettingsSchema>;
/** Per site, the factor applied to each neuron (already at the chosen strength). */
export type GainMap = InferOutput<typeof GainMapSchema>;
/** Per site, what an imported file adds after the gain, and the range a transport map holds in. */
export type ShiftMap = InferOutput<typeof ShiftMapSchema>;
export type GenerateRequest = CallArg<'generate'>;
export type ActivationsRequest = CallArg<'activations'>;
export type TextActivations = CallResult<'activations'>[number];
export type ProfileRequest = CallArg<'profile'>;
/** Every neuron ranked (in the model process: sorting 1.4M rows takes a while), as typed columns. */
export type RankedExperts = InferOutput<typeof RankedExpertsSchema>;
export type ProfileOutcome = CallResult<'profile'>;
export type EvaluateRequest = CallArg<'evaluate'>;
export type EvaluateOutcome = CallResult<'evaluate'>;
export type EvaluationSide = EvaluateOutcome['baseline'];
export type ExportOnnxRequest = CallArg<'exportOnnx'>;
export type DetailRequest = CallArg<'neuronDetail'>;
export type OpenProfileRequest = CallArg<'openProfile'>;
export type NeuronDetailOutcome = CallResult<'neuronDetail'>;
export type SweepRequest = CallArg<'sweep'>;
export type SweepOutcome = CallResult<'sweep'>;
export type WorkProgress = InferOutput<typeof WorkProgressSchema>;
export type ReferencesRequest = CallArg<'nonToxicReferences'>;

export interface CallOptions {
  signal?: AbortSignal;
  onProgress?: (p: WorkProgress) => void;
  /** Generation: the full text generated so far, after every token. */
  onText?: (text: string) => void;
}

export interface ModelHost {
  open(req: OpenRequest, call?: CallOptions): Promise<ModelInfo>;
  close(): Promise<void>;
  generate(req: GenerateRequest, call?: CallOptions): Promise<string>;
  activations(req: ActivationsRequest, call?: CallOptions): Promise<TextActivations[]>;
  profile(req: ProfileRequest, call?: CallOptions): Promise<ProfileOutcome>;
  evaluate(req: EvaluateRequest, call?: CallOptions): Promise<EvaluateOutcome>;
  exportOnnx(req: ExportOnnxRequest, call?: CallOptions): Promise<{ bytes: number }>;
  /** One neuron's responses (from the profile folder) and the examples that drive it (one batched pass). */
  neuronDetail(req: DetailRequest, call?: CallOptions): Promise<NeuronDetailOutcome>;
  /** A finished profile folder made elsewhere (CLI, cluster merge), checked against the open model. */
  openProfile(req: OpenProfileRequest, call?: CallOptions): Promise<ProfileOutcome>;
  /** Methods and their random/lowest controls fitted on a profile folder, evaluated at each strength. */
  sweep(req: SweepRequest, call?: CallOptions): Promise<SweepOutcome>;
  /**
   * The highlight's per-neuron scales for a few experts: stats.json of a 1.4M-neuron profile is ~50 MB
   * of JSON, which parsed on the extension host would hold its thread for hundreds of milliseconds.
   */
  nonToxicReferences(req: ReferencesRequest, call?: CallOptions): Promise<number[][]>;
  /** Stops everything; the host cannot be used afterwards. */
  dispose(): Promise<void>;
}

export type HostMethod = Exclude<keyof ModelHost, 'dispose'>;
