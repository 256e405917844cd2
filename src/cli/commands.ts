// The command table: one entry per command, each in its own file.
import { compareCommand } from './compare';
import { demoCommand } from './demo';
import { evaluateCommand } from './evaluate';
import { exportCommand } from './export';
import { fitCommand } from './fit';
import { generateCommand } from './generate';
import { inspectCommand } from './inspect';
import { launchCommand } from './launch';
import { mergeCommand } from './merge';
import { perplexityCommand } from './perplexity';
import { profileCommand } from './profile';

export interface Command {
  summary: string;
  usage: string;
  run(argv: string[]): Promise<void>;
}

export const COMMANDS: Record<string, Command> = {
  inspect: { summary: 'list the model format, architecture and MLP sites', usage: 'inspect MODEL_DIR [--json]', run: inspectCommand },
  generate: {
    summary: 'complete a prompt, optionally with an intervention',
    usage:
      'generate MODEL_DIR --prompt TEXT [--max-new-tokens N] [--temperature T --top-k K --top-p P --repetition-penalty R --seed S] [--intervention FILE] [--strength S] [--json]',
    run: generateCommand,
  },
  perplexity: {
    summary: 'perplexity of the texts in a data file',
    usage: 'perplexity MODEL_DIR --data FILE [--intervention FILE] [--strength S] [--batch-size N] [--max-length N] [--json]',
    run: perplexityCommand,
  },
  profile: {
    summary: 'pooled responses of labelled texts and the AUROC of every neuron',
    usage:
      'profile MODEL_DIR --data FILE [--sites ID,...] [--pooling max|mean] [--max-per-class N] [--seq-len 128] [--batch-size N] [--text-column C --label-column C] [--delimiter C] [--seed S] [--bootstrap B] [--permutations R] [--intervals screened|all] [--shard I/N] [--sketch BINS [--calibration-batches K]] [--ep cpu|cuda] --out DIR [--json]',
    run: profileCommand,
  },
  merge: {
    summary: 'merge the shard folders of `profile --shard I/N` into one profile, as a single run would write it',
    usage: 'merge SHARD_DIR... --out DIR [--threads N] [--json]',
    run: mergeCommand,
  },
  launch: {
    summary: 'write (and submit, follow and merge) a Kubernetes Indexed Job or a Slurm job array that runs every profile shard',
    usage:
      'launch k8s MODEL_DIR --data FILE --out DIR --shards N --image IMAGE [--name NAME] [--namespace NS] [--parallelism P] [--backoff-limit-per-index B] [--pvc CLAIM --mount /work] [--gpus G] [--cpu C] [--memory M] [--file F] [--submit] [-- PROFILE_OPTIONS]\n      aura-lens launch slurm MODEL_DIR --data FILE --out DIR --shards N [--name NAME] [--parallelism P] [--partition P] [--time T] [--gpus G] [--cpus C] [--mem M] [--cli CMD] [--file F] [--submit [--wait] [--poll S] [--retries N] [--timeout S]] [-- PROFILE_OPTIONS]\n      aura-lens launch status|wait|merge JOB_ID|DIR [--poll S] [--retries N] [--timeout S]',
    run: launchCommand,
  },
  fit: {
    summary: 'turn a profile into an intervention file (AurA, Damp or Det0)',
    usage:
      'fit DIR --method aura|damp|det0|linear-act|mean-act [--k N] [--alpha A] [--strength S] [--pooling max|mean] [--max-q Q] [--min-auroc A] [--sites ID,...] [--held-out F] [--bootstrap B] [--confidence C] [--permutations R] [--seed S] --out FILE [--json]\n      aura-lens fit --combine A.json,B.json [--rule product|min] --out FILE [--json]',
    run: fitCommand,
  },
  compare: {
    summary: "overlap of two concepts' expert sets on one model, and a CSV of both AUROCs per neuron",
    usage: 'compare PROFILE_A PROFILE_B [--k N] [--csv FILE] [--json]',
    run: compareCommand,
  },
  export: {
    summary: 'write an intervention as JSON, per-site safetensors gains, an ONNX model or a Hugging Face checkpoint with the gains folded in, or a PEFT IA3 adapter',
    usage: 'export FILE --model MODEL_DIR --format json|safetensors|onnx|hf|peft-ia3 --out PATH [--checkpoint HF_DIR] [--dtype keep|float32|float16|bfloat16] [--base-model NAME] [--evaluation FILE] [--strength S] [--json]',
    run: exportCommand,
  },
  evaluate: {
    summary: 'toxicity of sampled continuations and perplexity, with and without an intervention',
    usage:
      'evaluate MODEL_DIR [--intervention FILE | --profile DIR --methods aura,linear-act [--controls random,lowest|none]] [--strength S | --sweep 0,0.5,1] [--csv FILE] [--preprompt TEXT] [--prompts FILE] [--neutral FILE] [--scorer lexicon|cuss|words:FILE|CLASSIFIER_DIR] [--samples N] [--max-new-tokens N] [--max-prompts N] [--seed S] [--json]',
    run: evaluateCommand,
  },
  demo: {
    summary: 'the whole loop on the embedded default model: profile, fit AurA, evaluate, write the intervention',
    usage: 'demo [--out DIR] [--samples N] [--max-new-tokens N] [--max-prompts N] [--seed S] [--json]',
    run: demoCommand,
  },
};

export function usage(name?: string): string {
  if (name && COMMANDS[name]) return `usage: aura-lens ${COMMANDS[name]!.usage}\n`;
  const lines = Object.entries(COMMANDS).map(([k, c]) => `  ${k.padEnd(11)} ${c.summary}\n      aura-lens ${c.usage}`);
  return `aura-lens: find and dampen the neurons that carry a concept in an ONNX language model (AurA)\n\n${lines.join('\n')}\n`;
}
