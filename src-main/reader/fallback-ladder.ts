/**
 * The fallback ladder for legacy readers (issue 6 §2): open a card with the strategy that
 * worked last time on this reader (ReaderMemory) or the default one, judge it with a
 * read-only probe, and when the reader or the card misbehaves, climb one rung chosen from
 * what failed (fallback-strategy.ts `familiesFor`), until the probe passes or nothing is
 * left. What worked is remembered per reader; every rung tried is in `attempts` (for the
 * diagnostics report) and in the structured `trace`.
 *
 *   const r = await openWithFallback(port, reader, { memory, allowExclusive: false, trace: log });
 *   if (r.ok) new CardChannel(r.connection, { ...r.channelOptions, onExchange: apduTrace.record });
 *
 * Each attempt opens a fresh connection, because the protocol is fixed for a handle and a
 * reconnect keeps it (pcsc-mini-on-linux.md: only a disconnect lets it change). Exclusive
 * access is tried only with the caller's explicit consent: it locks every other application
 * (pharmacy software, GALSS) out of the reader while we hold it.
 */
import { isEcpsError } from '../../src-shared/errors';
import { toHex } from '../../src-shared/hex';
import type { CardConnection, ConnectOptions, ReaderPort } from '../../src-shared/reader-port';
import type { CardChannelOptions } from '../card/channel';
import type { CardIdentification } from '../card/identify';
import { channelOptionsFor, failureOf, probeCard } from './fallback-probe';
import { StrategyConnection } from './fallback-retry';
import {
  DEFAULT_TIMEOUT_LADDER_MS,
  defaultStrategy,
  familiesFor,
  nextRung,
  sameStrategy,
  type ProbeFailure,
  type ReaderStrategy,
} from './fallback-strategy';
import type { ReaderMemory } from './reader-memory';

export interface FallbackAttempt {
  /** 1-based order. */
  index: number;
  /** `default`, `remembered`, or the rung climbed: `protocol:T0`, `timeout:45000`… */
  rung: string;
  strategy: ReaderStrategy;
  outcome: 'ok' | 'failed' | 'skipped';
  ms: number;
  error?: ProbeFailure;
}

/** One structured log line per rung (and per retry of a command). */
export type FallbackTraceEvent =
  | { event: 'rung'; reader: string; index: number; rung: string; outcome: FallbackAttempt['outcome']; code?: string; step?: string; sw?: string; ms: number; strategy: ReaderStrategy }
  | { event: 'retry'; reader: string; rung: string; attempt: number; code: string; delayMs: number };

export interface FallbackOptions {
  memory?: ReaderMemory;
  /** The user agreed to lock other applications out of the reader. Default false. */
  allowExclusive?: boolean;
  trace?: (event: FallbackTraceEvent) => void;
  /** APDU trace of the probes (plug ApduTrace.record: PIN data is redacted there). */
  onExchange?: CardChannelOptions['onExchange'];
  /** Watchdog ladder in ms. Default 15 000 → 45 000. */
  timeoutsMs?: readonly number[];
  /** Caller preferences over the default strategy (not over a remembered one). */
  initial?: Partial<ReaderStrategy>;
  /** Bound on the rungs tried (skipped ones excluded). Default 12. */
  maxAttempts?: number;
  /** First back-off of the retry rung, ms. Default 50. */
  backoffMs?: number;
}

export interface FallbackSuccess {
  ok: true;
  /** The open card, carrying the strategy's watchdog and retry policy. */
  connection: CardConnection;
  /** Pass to CardChannel (add your own onExchange). */
  channelOptions: CardChannelOptions;
  strategy: ReaderStrategy;
  attempts: FallbackAttempt[];
  identification: CardIdentification;
  /** The first attempt used the remembered strategy. */
  fromMemory: boolean;
  /** This run stored a (new) strategy for the reader. */
  remembered: boolean;
  /** Rungs climbed from the default, remembered ones included. */
  rungs: string[];
}

export interface FallbackFailure {
  ok: false;
  attempts: FallbackAttempt[];
  /** Last strategy tried and what it failed on. */
  strategy: ReaderStrategy;
  failure: ProbeFailure;
  rungs: string[];
}

export type FallbackResult = FallbackSuccess | FallbackFailure;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function openWithFallback(port: ReaderPort, reader: string, options: FallbackOptions = {}): Promise<FallbackResult> {
  const timeouts = options.timeoutsMs ?? DEFAULT_TIMEOUT_LADDER_MS;
  const allowExclusive = options.allowExclusive === true;
  const maxAttempts = options.maxAttempts ?? 12;
  const remembered = await options.memory?.get(reader);
  let current: ReaderStrategy = remembered ? { ...remembered.strategy } : { ...defaultStrategy(timeouts), ...options.initial };
  // A remembered "exclusive" is not consent for today: the user may have changed their mind.
  if (current.share === 'exclusive' && !allowExclusive) current.share = 'shared';
  let rung = remembered ? 'remembered' : 'default';
  const rungs = remembered ? [...remembered.rungs] : [];
  const attempts: FallbackAttempt[] = [];
  let consentNoted = false;

  const log = (a: FallbackAttempt) => {
    attempts.push(a);
    options.trace?.({
      event: 'rung', reader, index: a.index, rung: a.rung, outcome: a.outcome, ms: a.ms, strategy: a.strategy,
      ...(a.error ? { code: a.error.code, step: a.error.step, ...(a.error.sw ? { sw: a.error.sw } : {}) } : {}),
    });
  };

  for (;;) {
    const started = performance.now();
    const result = await tryStrategy(port, reader, current, rung, options);
    const ms = Math.round(performance.now() - started);
    if (result.ok) {
      log({ index: attempts.length + 1, rung, strategy: current, outcome: 'ok', ms });
      let stored = false;
      const changed = remembered ? !sameStrategy(remembered.strategy, current) : !sameStrategy(current, { ...defaultStrategy(timeouts), ...options.initial });
      if (options.memory && changed) {
        await options.memory.remember(reader, current, { rungs, atr: toHex(result.connection.atr, '') });
        stored = true;
      }
      return {
        ok: true,
        connection: result.connection,
        channelOptions: channelOptionsFor(current, result.connection),
        strategy: current,
        attempts,
        identification: result.identification,
        fromMemory: remembered !== undefined,
        remembered: stored,
        rungs,
      };
    }
    log({ index: attempts.length + 1, rung, strategy: current, outcome: 'failed', ms, error: result.failure });
    const fail = (): FallbackFailure => ({ ok: false, attempts, strategy: current, failure: result.failure, rungs });
    if (attempts.filter((a) => a.outcome !== 'skipped').length >= maxAttempts) return fail();

    let next: { id: string; strategy: ReaderStrategy } | undefined;
    for (const family of familiesFor(result.failure)) {
      const candidate = nextRung(family, current, timeouts);
      if (!candidate) continue;
      if (family === 'share' && !allowExclusive) {
        if (!consentNoted) {
          consentNoted = true;
          const error: ProbeFailure = { step: 'connect', code: 'ConsentRequired', message: 'exclusive access needs the user’s consent' };
          log({ index: attempts.length + 1, rung: candidate.id, strategy: candidate.apply(current), outcome: 'skipped', ms: 0, error });
        }
        continue;
      }
      next = { id: candidate.id, strategy: candidate.apply(current) };
      break;
    }
    if (!next) return fail();
    current = next.strategy;
    rung = next.id;
    rungs.push(next.id);
  }
}

type StrategyOutcome = { ok: true; connection: CardConnection; identification: CardIdentification } | { ok: false; failure: ProbeFailure };

async function tryStrategy(port: ReaderPort, reader: string, strategy: ReaderStrategy, rung: string, options: FallbackOptions): Promise<StrategyOutcome> {
  let raw: CardConnection;
  try {
    raw = await connectWhenFree(port, reader, { protocol: strategy.protocol, share: strategy.share, timeoutMs: strategy.timeoutMs }, strategy.timeoutMs);
  } catch (error) {
    return { ok: false, failure: failureOf('connect', error) };
  }
  const connection = new StrategyConnection(raw, {
    timeoutMs: strategy.timeoutMs,
    retries: strategy.retries,
    ...(options.backoffMs === undefined ? {} : { backoffMs: options.backoffMs }),
    onRetry: (info) => options.trace?.({ event: 'retry', reader, rung, ...info }),
  });
  const outcome = await probeCard(connection, strategy, options.onExchange);
  if (outcome.ok) return { ok: true, connection, identification: outcome.identification };
  await raw.disconnect().catch(() => undefined);
  return outcome;
}

/**
 * connect(), waiting while an earlier call on the reader is still stuck in the card (a slow
 * card answering after our watchdog): both ports refuse a connect then (CardNotResponding,
 * `stuck`), because pcscd itself would block it (pcsc-mini-on-linux.md "Hung card").
 */
async function connectWhenFree(port: ReaderPort, reader: string, options: ConnectOptions, waitMs: number): Promise<CardConnection> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await port.connect(reader, options);
    } catch (error) {
      const stuck = isEcpsError(error, 'CardNotResponding') && error.details.stuck === true;
      if (!stuck || Date.now() >= deadline) throw error;
      await sleep(50);
    }
  }
}
