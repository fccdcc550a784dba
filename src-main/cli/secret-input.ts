/**
 * Reading a PIN or a PUK for the CLI: from the terminal without echo, or one line from
 * standard input with --pin-stdin (scripts, tests). Never from the command line: argv is
 * visible to every user of the machine (ps, /proc) and kept in shell histories.
 *
 * The secret is returned as bytes (ASCII digits) so the caller can zero it after use; a
 * JavaScript string could not be wiped. Nothing here logs or echoes what is typed.
 */
import type { CliIo } from './context';

const CTRL_C = 0x03;
const CTRL_D = 0x04;
const BACKSPACE = [0x08, 0x7f];
const MAX_SECRET = 16;

interface TtyInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?: (raw: boolean) => unknown;
}

/** Reads `count` secrets, one per line, from a non-terminal stdin (--pin-stdin). */
export async function readSecretLines(stdin: NodeJS.ReadableStream, count: number): Promise<Uint8Array[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) {
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    if (Buffer.concat(chunks).filter((b) => b === 0x0a).length >= count) break;
  }
  const all = Buffer.concat(chunks);
  const secrets: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i <= all.length && secrets.length < count; i++) {
    if (i === all.length || all[i] === 0x0a) {
      let end = i;
      if (end > start && all[end - 1] === 0x0d) end--;
      if (i < all.length || end > start) secrets.push(new Uint8Array(all.subarray(start, end)));
      start = i + 1;
    }
  }
  all.fill(0);
  for (const c of chunks) c.fill(0);
  return secrets;
}

/**
 * Prompts on stderr and reads one secret from the terminal in raw mode, echoing nothing.
 * `signal` withdraws the question (resolves undefined, what was typed so far wiped).
 */
export function readSecretFromTerminal(io: CliIo, prompt: string, signal?: AbortSignal): Promise<Uint8Array | undefined> {
  const input = io.stdin as TtyInput;
  if (!input.isTTY || typeof input.setRawMode !== 'function' || signal?.aborted) return Promise.resolve(undefined);
  const setRaw = input.setRawMode.bind(input);
  io.stderr(prompt);
  const buffer = new Uint8Array(MAX_SECRET);
  let length = 0;
  return new Promise((resolve) => {
    const withdraw = () => finish(undefined);
    const finish = (value: Uint8Array | undefined) => {
      signal?.removeEventListener('abort', withdraw);
      input.removeListener('data', onData);
      setRaw(false);
      input.pause();
      io.stderr('\n');
      const out = value ? value.slice() : undefined;
      buffer.fill(0);
      resolve(out);
    };
    const onData = (chunk: Buffer) => {
      for (const byte of chunk) {
        if (byte === CTRL_C || byte === CTRL_D) return finish(undefined);
        if (byte === 0x0d || byte === 0x0a) return finish(buffer.subarray(0, length));
        if (BACKSPACE.includes(byte)) length = Math.max(0, length - 1);
        else if (length < MAX_SECRET) buffer[length++] = byte;
      }
      chunk.fill(0);
    };
    setRaw(true);
    input.resume();
    input.on('data', onData);
    signal?.addEventListener('abort', withdraw, { once: true });
  });
}

/** Zeroes every buffer given (secrets are bytes precisely so this is possible). */
export function wipe(...secrets: ReadonlyArray<Uint8Array | undefined>): void {
  for (const s of secrets) s?.fill(0);
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
