// With --json every command prints exactly one JSON object on stdout; progress and logs go to stderr.
export interface Output {
  json: boolean;
  /** The command's result: JSON with --json, else the human-readable text. */
  result(obj: unknown, human: string): void;
  log(message: string): void;
}

export function makeOutput(json: boolean): Output {
  return {
    json,
    result(obj, human) {
      process.stdout.write(json ? JSON.stringify(obj) + '\n' : human.endsWith('\n') ? human : human + '\n');
    },
    log(message) {
      process.stderr.write(message + '\n');
    },
  };
}
