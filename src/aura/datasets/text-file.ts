import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { AuraUserError } from '../errors';

const NEWLINE = 0x0a;
const SNIFF_BYTES = 64 * 1024;

/**
 * Checks that `path` is a non-empty text file before any parser sees it, so a model checkpoint or a
 * zip passed by mistake fails at once with a clear message instead of as a CSV error on line 1.
 */
export async function sniffTextFile(path: string): Promise<void> {
  let size: number;
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw new AuraUserError(`${path}: is a directory; expected a data file`);
    // A FIFO or a device reports size 0 whatever it holds, and the file is read twice (this check, then the data).
    if (!st.isFile()) throw new AuraUserError(`${path}: is ${specialKind(st)}, not a regular file; save the data to a file and pass that`);
    size = st.size;
  } catch (e) {
    if (e instanceof AuraUserError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new AuraUserError(code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read (${code ?? String(e)})`);
  }
  if (size === 0) throw new AuraUserError(`${path}: the file is empty (0 bytes); expected examples (JSONL, CSV or one text per line)`);

  const head = Buffer.alloc(Math.min(size, SNIFF_BYTES));
  const fh = await open(path, 'r');
  try {
    await fh.read(head, 0, head.length, 0);
  } finally {
    await fh.close();
  }
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    throw new AuraUserError(`${path}: is UTF-16 text; save it as UTF-8`);
  }
  const nul = head.indexOf(0);
  if (nul !== -1) {
    throw new AuraUserError(`${path}: is not a text file (NUL byte at byte ${nul}); expected UTF-8 text`);
  }
  // Binary formats without NUL bytes in their head are rare but exist; text never has many control bytes.
  let control = 0;
  for (const b of head) if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) control++;
  if (control > head.length * 0.05) {
    throw new AuraUserError(`${path}: is not a text file (binary content); expected UTF-8 text`);
  }
}

function specialKind(st: { isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (st.isFIFO()) return 'a pipe (FIFO)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

export interface TextLine {
  /** The line without its `\n` / `\r\n`, cut at `maxChars` when `onLong` is 'truncate'. */
  text: string;
  /** 1-based. */
  lineNo: number;
  truncated: boolean;
}

export interface ReadLinesOptions {
  maxChars: number;
  /** 'truncate' for plain text; 'error' where a cut line would no longer parse (JSONL). */
  onLong: 'truncate' | 'error';
}

/**
 * Streams the lines of a UTF-8 file. Each line is decoded with a fatal decoder so invalid bytes are
 * reported with their line number, and a line longer than `maxChars` never holds more than about
 * `maxChars` characters in memory (the rest is still decoded, to validate it, then dropped).
 */
export async function* readTextLines(path: string, options: ReadLinesOptions): AsyncGenerator<TextLine> {
  const line = new LineAccumulator(path, options);
  for await (const chunk of createReadStream(path, { highWaterMark: SNIFF_BYTES })) {
    const buf = chunk as Buffer;
    let start = 0;
    while (start < buf.length) {
      const nl = buf.indexOf(NEWLINE, start);
      const end = nl === -1 ? buf.length : nl;
      line.push(buf.subarray(start, end));
      if (nl === -1) break;
      yield line.finish();
      start = nl + 1;
    }
  }
  if (!line.isEmpty()) yield line.finish();
}

class LineAccumulator {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private parts: string[] = [];
  private chars = 0;
  private bytes = 0;
  private overflow = false;
  private lineNo = 1;

  constructor(
    private readonly path: string,
    private readonly options: ReadLinesOptions,
  ) {}

  isEmpty(): boolean {
    return this.bytes === 0;
  }

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.bytes += bytes.length;
    if (bytes.indexOf(0) !== -1) {
      throw new AuraUserError(`${this.path}:${this.lineNo}: NUL byte; the file is not text (expected UTF-8)`);
    }
    const s = this.decode(bytes, true);
    if (this.overflow) return;
    if (this.chars + s.length > this.options.maxChars + 1) {
      if (this.options.onLong === 'error') {
        throw new AuraUserError(
          `${this.path}:${this.lineNo}: line longer than ${this.options.maxChars} characters; split it or shorten it`,
        );
      }
      this.overflow = true;
    }
    this.parts.push(s);
    this.chars += s.length;
  }

  finish(): TextLine {
    const tail = this.decode(new Uint8Array(0), false);
    if (!this.overflow) this.parts.push(tail);
    let text = this.parts.join('');
    if (!this.overflow && text.endsWith('\r')) text = text.slice(0, -1);
    const truncated = text.length > this.options.maxChars;
    if (truncated) text = text.slice(0, this.options.maxChars);
    const out = { text, lineNo: this.lineNo, truncated };
    this.parts = [];
    this.chars = 0;
    this.bytes = 0;
    this.overflow = false;
    this.lineNo++;
    return out;
  }

  private decode(bytes: Uint8Array, stream: boolean): string {
    try {
      return this.decoder.decode(bytes, { stream });
    } catch {
      throw new AuraUserError(`${this.path}:${this.lineNo}: invalid UTF-8 bytes; save the file as UTF-8`);
    }
  }
}

/**
 * A byte → string stream stage for parsers that take text (csv-parse): validates UTF-8 and rejects NUL
 * bytes, naming the physical line, which csv-parse itself would silently turn into U+FFFD.
 */
export class Utf8Validator extends Transform {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private lineNo = 1;

  constructor(private readonly path: string) {
    super({ readableObjectMode: false, decodeStrings: true, encoding: 'utf8' });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      done(null, this.decodeChunk(chunk));
    } catch (e) {
      done(e as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      done(null, this.decode(new Uint8Array(0), false));
    } catch (e) {
      done(e as Error);
    }
  }

  private decodeChunk(buf: Buffer): string {
    const out: string[] = [];
    let start = 0;
    // Decoding line by line costs little and lets an error name its line.
    while (start < buf.length) {
      const nl = buf.indexOf(NEWLINE, start);
      const end = nl === -1 ? buf.length : nl + 1;
      const piece = buf.subarray(start, end);
      if (piece.indexOf(0) !== -1) {
        throw new AuraUserError(`${this.path}:${this.lineNo}: NUL byte; the file is not text (expected UTF-8)`);
      }
      out.push(this.decode(piece, true));
      if (nl === -1) break;
      this.lineNo++;
      start = end;
    }
    return out.join('');
  }

  private decode(bytes: Uint8Array, stream: boolean): string {
    try {
      return this.decoder.decode(bytes, { stream });
    } catch {
      throw new AuraUserError(`${this.path}:${this.lineNo}: invalid UTF-8 bytes; save the file as UTF-8`);
    }
  }
}
