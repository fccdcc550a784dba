/**
 * The one place that loads `pcsc-mini`.
 *
 * pcsc-mini 0.1.3 is CommonJS (`build/index.js` defines its exports with getters) and loads a
 * prebuilt N-API addon. We load it with `createRequire` rather than `import`: a CJS module's
 * named exports under ESM depend on cjs-module-lexer's static guess, and under tsx, vitest and
 * plain Node the answers differ; `require` returns the real `module.exports` everywhere.
 * Types come from the package's own .d.ts files (`import type` is erased at run time).
 */
import { createRequire } from 'node:module';
import type * as PcscMini from 'pcsc-mini';

const require = createRequire(import.meta.url);

export const pcsc = require('pcsc-mini') as typeof PcscMini;

export type NativeClient = PcscMini.Client;
export type NativeReader = PcscMini.Reader;
export type NativeCard = PcscMini.Card;
export type NativeReaderStatusFlags = PcscMini.ReaderStatusFlags;
export type NativeProtocol = PcscMini.Protocol;
export type NativeCardMode = PcscMini.CardMode;

/**
 * Clients whose pcscd connection died. Measured (pcsc-mini 0.1.3, pcsc-lite 1.9.9): once pcscd
 * stops, a Client is dead for good, and when it is garbage-collected its N-API finalizer throws
 * `Error in async finalizer callback for *Client` (code NoService or InvalidHandle) as an
 * uncaught exception, which exits Node with code 1 — even after `client.stop()`.
 * Keeping every started Client reachable from module scope means its finalizer never runs
 * while the process lives. The cost is one small object per pcscd outage (and per port).
 * We deliberately do NOT install a process-wide 'uncaughtException' handler: adding one
 * changes Node's default crash-on-error behaviour for the whole application.
 * Dead Card handles are safe to collect (measured: no crash after GC, with or without
 * disconnect()), so only Clients are kept.
 */
const clientGraveyard: NativeClient[] = [];

export function keepClientAlive(client: NativeClient): void {
  if (!clientGraveyard.includes(client)) clientGraveyard.push(client);
}

/** For tests and diagnostics. */
export function keptClientCount(): number {
  return clientGraveyard.length;
}

/** Largest response we accept: 65536 data bytes + SW1 SW2 (extended-length APDUs). */
export const OUTPUT_BUFFER_BYTES = 65538;

/**
 * Output buffers for transmit() / control(), pooled. pcsc-mini 0.1.3 keeps a reference to
 * every distinct output buffer it is given, for good (measured: 20 transmits with 20 fresh
 * 64 KiB buffers → +1.25 MiB of ArrayBuffers after GC and disconnect; 20,000 with one buffer →
 * nothing). One fresh buffer per connection was 64 KiB lost per card insertion: +50 MB of RSS
 * over 1,000 plug/pull cycles of the web shell (bench/memory.ts). A buffer goes back to the
 * pool once its response has been copied out; one whose call is still running (timed out)
 * never does. The pool holds as many buffers as transmits ever ran at once.
 */
const outputPool: ArrayBuffer[] = [];

export function borrowOutputBuffer(): ArrayBuffer {
  return outputPool.pop() ?? new ArrayBuffer(OUTPUT_BUFFER_BYTES);
}

export function returnOutputBuffer(buffer: ArrayBuffer): void {
  outputPool.push(buffer);
}
