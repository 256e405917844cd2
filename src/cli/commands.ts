// The command table: one entry per command, each in its own file.
import { generateCommand } from './generate';
import { inspectCommand } from './inspect';
import { perplexityCommand } from './perplexity';

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
};

export function usage(name?: string): string {
  if (name && COMMANDS[name]) return `usage: aura-lens ${COMMANDS[name]!.usage}\n`;
  const lines = Object.entries(COMMANDS).map(([k, c]) => `  ${k.padEnd(11)} ${c.summary}\n      aura-lens ${c.usage}`);
  return `aura-lens: find and dampen the neurons that carry a concept in an ONNX language model (AurA)\n\n${lines.join('\n')}\n`;
}
