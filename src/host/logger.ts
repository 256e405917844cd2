// All logging goes to one place (the "AurA" output channel in VS Code, an array or stderr in tests).

export interface LogSink {
  appendLine(line: string): void;
}

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, cause?: unknown): void;
}

export function createLogger(sink: LogSink, now: () => Date = () => new Date()): Logger {
  const line = (level: string, message: string) => sink.appendLine(`${now().toISOString().slice(11, 23)} [${level}] ${message}`);
  return {
    info: (m) => line('info', m),
    warn: (m) => line('warn', m),
    error: (m, cause) => {
      line('error', m);
      // Internal failures keep their stack in the log, where a bug report can quote it.
      if (cause instanceof Error && cause.stack && !cause.stack.startsWith(`${cause.name}: ${m}`)) sink.appendLine(cause.stack);
    },
  };
}

/** A logger that keeps its lines, for tests. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, ...createLogger({ appendLine: (l) => lines.push(l) }) };
}
