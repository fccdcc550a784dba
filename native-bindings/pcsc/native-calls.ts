/**
 * Guarded one-off pcsc-mini calls used by the port (outside any CardConnection): opening a
 * card with a watchdog, reading its ATR, and releasing handles whose call came back late.
 */
import type { ShareMode } from '../../src-shared/reader-port';
import { nativeMode } from './card-connection';
import { pcsc, type NativeCard, type NativeReader } from './native';
import { TIMED_OUT, callAsync, raceTimeout } from './serial-queue';

/** What a guarded call produced: a value, the native error, or nothing yet (`late`). */
export type Guarded<T> = { ok: true; value: T } | { ok: false; error: unknown } | { ok: 'late'; pending: Promise<T> };

export async function guarded<T>(fn: () => Promise<T>, timeoutMs: number): Promise<Guarded<T>> {
  const pending = callAsync(fn);
  try {
    const outcome = await raceTimeout(pending, timeoutMs);
    return outcome === TIMED_OUT ? { ok: 'late', pending } : { ok: true, value: outcome };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Releases a card handle, ignoring errors (after a removal or a pcscd restart it has nothing to free). */
export async function releaseCard(card: NativeCard, timeoutMs: number): Promise<void> {
  await guarded(() => card.disconnect(pcsc.CardDisposition.LEAVE), timeoutMs);
}

/**
 * A call that missed its watchdog may still finish. Run `done` when it does, and release the
 * card it opened, if any, so that no PC/SC context stays open behind our back.
 */
export function whenSettled<T>(
  pending: Promise<T>,
  done: () => void,
  release?: (value: T) => NativeCard | undefined,
  timeoutMs = 10_000,
): void {
  pending.then(
    async (value) => {
      const card = release?.(value);
      if (card) await releaseCard(card, timeoutMs);
      done();
    },
    () => done(),
  );
}

export function nativeProtocol(preference: 'T0' | 'T1' | 'any'): number {
  if (preference === 'T0') return pcsc.Protocol.T0;
  if (preference === 'T1') return pcsc.Protocol.T1;
  return pcsc.Protocol.ANY;
}

export function openCard(reader: NativeReader, share: ShareMode, preference: 'T0' | 'T1' | 'any') {
  return () => reader.connect(nativeMode(share), nativeProtocol(preference));
}

/**
 * The ATR sent by the reader `change` event is wrong on Linux with pcsc-mini 0.1.3 (measured:
 * right length, bytes `25 00 00 …` whatever the card sends), so it is used only when it at
 * least starts like an ATR (TS = 3B direct or 3F inverse convention), e.g. on other platforms.
 */
export function plausibleEventAtr(atr: Uint8Array | undefined): Uint8Array | undefined {
  if (!atr || atr.length < 2) return undefined;
  return atr[0] === 0x3b || atr[0] === 0x3f ? atr.slice() : undefined;
}

export interface AtrProbe {
  atr?: Uint8Array;
  /** Native code when the card could not be opened (SharingViolation: held elsewhere). */
  failure?: string;
}

/**
 * Opens the card SHARED just long enough to read its real ATR with card.state(), then
 * releases it (LEAVE). Costs one PC/SC context (~0.7 ms) per insertion, not per APDU.
 */
export async function probeAtr(reader: NativeReader, timeoutMs: number): Promise<AtrProbe> {
  const opened = await guarded(openCard(reader, 'shared', 'any'), timeoutMs);
  if (opened.ok === 'late') {
    whenSettled(opened.pending, () => undefined, (card) => card, timeoutMs);
    return { failure: 'Timeout' };
  }
  if (!opened.ok) {
    const code = (opened.error as { code?: unknown } | null)?.code;
    return { failure: typeof code === 'string' ? code : String(opened.error) };
  }
  const card = opened.value;
  const state = await guarded(() => card.state(), timeoutMs);
  if (state.ok === 'late') whenSettled(state.pending, () => undefined, () => card, timeoutMs);
  else await releaseCard(card, timeoutMs);
  return state.ok === true ? { atr: state.value.atr.slice() } : { failure: 'state' };
}
