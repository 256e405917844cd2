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

/** A progress line for the statistics stage at most every 2 seconds, and at the end when any was printed. */
export function statsProgress(command: string, log: (m: string) => void, everyMs = 2000): (done: number, total: number) => void {
  let last = performance.now();
  let printed = false;
  return (done, total) => {
    const now = performance.now();
    if (now - last < everyMs && !(printed && done === total)) return;
    last = now;
    printed = true;
    log(`${command}: statistics ${done}/${total} neurons`);
  };
}
