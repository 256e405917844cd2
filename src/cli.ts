// aura-lens: the engine and the AurA pipeline from a terminal. Exit status 0 on success, 1 on a user
// error (one line on stderr naming the file or argument), 2 on an internal error.
import { isUserError } from './engine/errors';
import { COMMANDS, usage } from './cli/commands';

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 1;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`aura-lens: unknown command "${name}" (expected one of ${Object.keys(COMMANDS).join(', ')})\n`);
    return 1;
  }
  if (rest.includes('--help')) {
    process.stdout.write(usage(name));
    return 0;
  }
  await command.run(rest);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (isUserError(e)) {
      process.stderr.write(`aura-lens: ${(e as Error).message}\n`);
      process.exitCode = 1;
    } else if (e instanceof Error && e.name === 'AbortError') {
      process.stderr.write('aura-lens: cancelled\n');
      process.exitCode = 1;
    } else {
      process.stderr.write(`aura-lens: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 2;
    }
  },
);
