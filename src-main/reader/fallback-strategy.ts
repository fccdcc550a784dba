/**
 * The strategies of the fallback ladder (issue 6 §2) and how a failure picks the next rung.
 *
 * A strategy is every transport choice we can change without touching the card's data:
 * protocol, share mode, reset at session start, APDU shapes, chunk size, watchdog, retries.
 * Rungs are applied cumulatively: a slow T=0-only card needs both "T=0" and "longer
 * timeout", so a rung never undoes what an earlier one found necessary.
 *
 * The default is the "modern reader" choice of each pair; the fallbacks are what the ANS
 * Cryptolib forces on every CPS reader (domain.md §3: T=0, case 4 sent as case 3, at most
 * 231 = 0xE7 bytes per READ BINARY, no extended APDUs). We start modern because most readers
 * sold since the PC/SC switch (GIE SESAM-Vitale, 2019) handle it, and remember per reader
 * what an older one needed, so the cost of climbing is paid once.
 */
import type { ProtocolPreference, ShareMode } from '../../src-shared/reader-port';

export interface ReaderStrategy {
  protocol: ProtocolPreference;
  share: ShareMode;
  /** Reset sent right after connect: none, warm (keeps power) or cold (power cycle). */
  reset: 'none' | 'warm' | 'cold';
  /** Allow extended APDUs. Only effective on T=1: T=0 cannot carry them (ISO 7816-3 §10.3). */
  extended: boolean;
  /** Send case-4 commands as case 3 and fetch data with GET RESPONSE (Cryptolib "case4as3"). */
  case4AsCase3: boolean;
  /** Largest Le of one READ BINARY. */
  maxReadChunk: number;
  /** Watchdog of connect and of each APDU, in ms. */
  timeoutMs: number;
  /** Retries (with back-off) of idempotent read-only commands after a transmission error. */
  retries: number;
}

/** Ladder values, in the order they are tried (issue 6 §2). */
export const PROTOCOL_LADDER: readonly ProtocolPreference[] = ['T1', 'T0', 'any'];
export const CHUNK_LADDER: readonly number[] = [0xe7, 128, 64];
/** 15 s is the port's default (slow legacy T=0 cards); 45 s for readers slower still. */
export const DEFAULT_TIMEOUT_LADDER_MS: readonly number[] = [15_000, 45_000];
export const RETRIES_WHEN_NEEDED = 2;

export function defaultStrategy(timeoutsMs: readonly number[] = DEFAULT_TIMEOUT_LADDER_MS): ReaderStrategy {
  return {
    protocol: 'T1',
    share: 'shared',
    reset: 'none',
    extended: true,
    case4AsCase3: false,
    maxReadChunk: CHUNK_LADDER[0]!,
    timeoutMs: timeoutsMs[0] ?? DEFAULT_TIMEOUT_LADDER_MS[0]!,
    retries: 0,
  };
}

export type RungFamily = 'protocol' | 'share' | 'reset' | 'short' | 'case4' | 'chunk' | 'timeout' | 'retry';

/** Ladder order of the families: the order issue 6 §2 lists them in. */
export const FAMILY_ORDER: readonly RungFamily[] = ['protocol', 'share', 'reset', 'short', 'case4', 'chunk', 'timeout', 'retry'];

export interface Rung {
  family: RungFamily;
  /** Stable id for traces and reports: `protocol:T0`, `chunk:128`, `timeout:45000`… */
  id: string;
  apply(strategy: ReaderStrategy): ReaderStrategy;
}

/**
 * The next rung of a family from where `current` stands, or undefined when the family is
 * exhausted. Families are "one step further along their ladder", so a remembered strategy
 * that already says T=0 goes on to ANY, never back to T=1.
 */
export function nextRung(family: RungFamily, current: ReaderStrategy, timeoutsMs: readonly number[]): Rung | undefined {
  const step = <T>(ladder: readonly T[], value: T): T | undefined => {
    const at = ladder.indexOf(value);
    return at < 0 ? undefined : ladder[at + 1];
  };
  switch (family) {
    case 'protocol': {
      const next = step(PROTOCOL_LADDER, current.protocol);
      return next && { family, id: `protocol:${next}`, apply: (s) => ({ ...s, protocol: next }) };
    }
    case 'share':
      return current.share === 'shared' ? { family, id: 'share:exclusive', apply: (s) => ({ ...s, share: 'exclusive' }) } : undefined;
    case 'reset': {
      const next = current.reset === 'none' ? 'warm' : current.reset === 'warm' ? 'cold' : undefined;
      return next && { family, id: `reset:${next}`, apply: (s) => ({ ...s, reset: next }) };
    }
    case 'short':
      return current.extended ? { family, id: 'apdu:short', apply: (s) => ({ ...s, extended: false }) } : undefined;
    case 'case4':
      return current.case4AsCase3 ? undefined : { family, id: 'apdu:case4-as-case3', apply: (s) => ({ ...s, case4AsCase3: true }) };
    case 'chunk': {
      const next = CHUNK_LADDER.find((c) => c < current.maxReadChunk);
      return next === undefined ? undefined : { family, id: `chunk:${next}`, apply: (s) => ({ ...s, maxReadChunk: next }) };
    }
    case 'timeout': {
      const next = timeoutsMs.find((t) => t > current.timeoutMs);
      return next === undefined ? undefined : { family, id: `timeout:${next}`, apply: (s) => ({ ...s, timeoutMs: next }) };
    }
    case 'retry':
      return current.retries > 0 ? undefined : { family, id: `retry:${RETRIES_WHEN_NEEDED}`, apply: (s) => ({ ...s, retries: RETRIES_WHEN_NEEDED }) };
  }
}

/** Where a failure happened and what it said; produced by the probe. */
export interface ProbeFailure {
  step: 'connect' | 'reset' | 'identify' | 'select-fcp' | 'read';
  code: string;
  /** Status word (hex, `6700`) when the card answered with a refusal. */
  sw?: string;
  /** The step used an extended APDU. */
  extended?: boolean;
  message?: string;
}

/** Transport errors that a lost or garbled exchange gives (pcscd: SCARD_E_NOT_TRANSACTED…). */
export const TRANSMISSION_ERROR_CODES: ReadonlySet<string> = new Set(['TransactionError', 'CommError', 'PcscError', 'InternalError']);
/** Nothing on the transport side can help: the user must act (insert, plug, start pcscd…). */
const HOPELESS_CODES = new Set(['NoCard', 'CardRemoved', 'ReaderUnavailable', 'ServiceUnavailable', 'NoReaders', 'SharingViolation']);

/**
 * Which families may cure a failure, most likely first. Empty: stop climbing.
 * - connect refused for the protocol (ProtoMismatch, failed PPS, mute after PPS) → protocol;
 * - watchdog → longer timeout, then a reset (a card left hung by another application);
 * - transmission error → retry, then smaller chunks / short APDUs (long frames are the usual
 *   victims of a flaky reader), then a reset;
 * - another application reset the card under us → exclusive access;
 * - 6700 (wrong length) on the case-4 SELECT → case 4 as case 3; on READ BINARY → short
 *   APDUs when the read was extended, else smaller chunks;
 * - any other refusal or an unconfirmed CPS (6F00: a confused card) → warm, then cold reset.
 */
export function familiesFor(failure: ProbeFailure): RungFamily[] {
  const { code, step } = failure;
  if (HOPELESS_CODES.has(code)) return [];
  if (step === 'connect') {
    if (code === 'CardNotResponding' || code === 'Timeout') return ['timeout', 'protocol'];
    return ['protocol', 'reset'];
  }
  if (code === 'CardNotResponding' || code === 'ConnectionBroken' || code === 'Timeout') return ['timeout', 'reset'];
  if (code === 'CardReset') return ['share', 'retry'];
  if (code === 'ApduExtendedNotAllowed') return ['short'];
  if (TRANSMISSION_ERROR_CODES.has(code)) return ['retry', 'short', 'chunk', 'reset'];
  if (failure.sw === '6700') {
    if (step === 'select-fcp') return ['case4', 'short'];
    if (step === 'read') return failure.extended ? ['short', 'chunk'] : ['chunk'];
    return ['case4', 'short', 'chunk'];
  }
  if (code === 'WrongLengthRepeated' || code === 'TooManyGetResponses') return ['case4', 'reset'];
  return ['reset'];
}

export function sameStrategy(a: ReaderStrategy, b: ReaderStrategy): boolean {
  return (Object.keys(a) as (keyof ReaderStrategy)[]).every((k) => a[k] === b[k]);
}
