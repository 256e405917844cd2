import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AuraUserError } from '../errors';

/** The parts of a Hugging Face text-classification folder the scorer needs, validated. */
export interface ClassifierFolder {
  dir: string;
  modelPath: string;
  configPath: string;
  labels: string[];
  /** Index into the logits of the label scored as toxic. */
  toxicIndex: number;
  /** Multi-label heads (e.g. unitary/toxic-bert) score each label with a sigmoid, not a softmax. */
  multiLabel: boolean;
  padId: number | undefined;
  /** Largest number of tokens the position embeddings allow, when config.json says. */
  maxPositions: number | undefined;
  tokenizerJson: object;
  tokenizerConfig: object;
  tokenizerPath: string;
}

const TOXIC_LABEL = /toxic|offensive|hate|abusive/i;
const NEGATED_LABEL = /non|not/i;
/** RoBERTa-family models number positions from padding_idx + 1, so two slots are not usable. */
const POSITION_OFFSET: Record<string, number> = { roberta: 2, 'xlm-roberta': 2, camembert: 2, longformer: 2 };

export function readClassifierFolder(dir: string, label?: string): ClassifierFolder {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new AuraUserError(`${dir}: classifier folder not found (expected config.json, tokenizer.json and model.onnx)`);
  }
  const configPath = join(dir, 'config.json');
  const config = readJson(configPath, 'config.json with id2label');
  rejectLanguageModel(configPath, config);
  const labels = parseLabels(configPath, config.id2label);
  const toxicIndex = pickToxicLabel(configPath, labels, label);
  const modelPath = [join(dir, 'model.onnx'), join(dir, 'onnx', 'model.onnx')].find((p) => existsSync(p));
  if (modelPath === undefined) throw new AuraUserError(`${dir}: expected model.onnx or onnx/model.onnx`);
  const tokenizerPath = join(dir, 'tokenizer.json');
  const tokenizerJson = readJson(tokenizerPath, 'a Hugging Face tokenizer.json');
  const tokenizerConfigPath = join(dir, 'tokenizer_config.json');
  const tokenizerConfig = existsSync(tokenizerConfigPath) ? readJson(tokenizerConfigPath, 'tokenizer_config.json') : {};
  const offset = POSITION_OFFSET[String(config.model_type)] ?? 0;
  const maxPositions = typeof config.max_position_embeddings === 'number' ? config.max_position_embeddings - offset : undefined;
  return {
    dir,
    modelPath,
    configPath,
    labels,
    toxicIndex,
    multiLabel: config.problem_type === 'multi_label_classification',
    padId: typeof config.pad_token_id === 'number' ? config.pad_token_id : undefined,
    maxPositions,
    tokenizerJson,
    tokenizerConfig,
    tokenizerPath,
  };
}

function readJson(path: string, what: string): Record<string, unknown> {
  if (!existsSync(path)) throw new AuraUserError(`${path}: not found (expected ${what})`);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new AuraUserError(`${path}: invalid JSON (${oneLine(e)})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new AuraUserError(`${path}: expected a JSON object`);
  return value as Record<string, unknown>;
}

/** id2label keys are strings in JSON ("0", "1"); they must cover 0..n-1 exactly. */
function parseLabels(configPath: string, id2label: unknown): string[] {
  if (id2label === null || typeof id2label !== 'object' || Array.isArray(id2label)) {
    throw new AuraUserError(`${configPath}: expected an id2label object mapping label ids to names`);
  }
  const entries = Object.entries(id2label as Record<string, unknown>);
  const labels: string[] = [];
  for (const [key, name] of entries) {
    const id = Number(key);
    if (!Number.isInteger(id) || id < 0 || id >= entries.length || typeof name !== 'string') {
      throw new AuraUserError(`${configPath}: id2label must map ids 0..${entries.length - 1} to names, got "${key}": ${JSON.stringify(name)}`);
    }
    labels[id] = name;
  }
  if (labels.length < 1) throw new AuraUserError(`${configPath}: id2label is empty`);
  return labels;
}

function pickToxicLabel(configPath: string, labels: string[], wanted?: string): number {
  if (wanted !== undefined) {
    const i = labels.indexOf(wanted);
    if (i < 0) throw new AuraUserError(`${configPath}: label "${wanted}" not in id2label (${labels.join(', ')})`);
    return i;
  }
  const candidates = labels.map((name, i) => ({ name, i })).filter(({ name }) => TOXIC_LABEL.test(name) && !NEGATED_LABEL.test(name));
  // A multi-label head lists "toxic" next to "severe_toxic" or "identity_hate": prefer the plain name.
  const plain = candidates.find(({ name }) => /^(toxic(ity)?|offensive|hate(ful)?|abusive)$/i.test(name));
  const pick = plain ?? candidates[0];
  if (pick === undefined) {
    throw new AuraUserError(`${configPath}: no id2label name matches toxic|offensive|hate|abusive (labels: ${labels.join(', ')}); choose one explicitly`);
  }
  return pick.i;
}

/** A language-model folder has a config.json too; say what it is instead of failing later in onnxruntime. */
function rejectLanguageModel(configPath: string, config: Record<string, unknown>): void {
  const archs = Array.isArray(config.architectures) ? config.architectures.filter((a): a is string => typeof a === 'string') : [];
  const lm = archs.find((a) => /ForCausalLM|LMHeadModel|ForConditionalGeneration|ForMaskedLM/.test(a));
  if (lm !== undefined) {
    throw new AuraUserError(`${configPath}: this is a language model (${lm}), not a toxicity classifier; --scorer expects "lexicon", "cuss" or a text-classification folder`);
  }
}

export function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').trim();
}
