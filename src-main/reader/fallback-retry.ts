/**
 * Retries for transmission errors, and the connection a ladder strategy hands out.
 *
 * Retrying is only safe for a command the card can run twice with the same effect, because a
 * "lost response" means the card may well have executed it. So:
 * - never VERIFY (20/21), CHANGE REFERENCE DATA (24), RESET RETRY COUNTER (2C) nor any
 *   command flagged sensitive: the first may have spent a PIN try already, a second one
 *   spends another (architecture.md §4: "the app never retries a PIN by itself"; the CPS3
 *   blocks after 3 wrong PINs, domain.md §3);
 * - only an allow-list of read-only INS (SELECT, READ BINARY/RECORD, GET DATA, GET RESPONSE),
 *   never MSE / PSO / INTERNAL AUTHENTICATE, which change the security environment;
 * - only transmission errors (pcscd's SCARD_E_NOT_TRANSACTED / COMM_ERROR family), never a
 *   watchdog: a command that timed out leaves the handle busy until the card answers
 *   (pcsc-mini-on-linux.md "Hung card"), so there is nothing to retry on.
 * OpenSC does the same for its "transmit failed" path: re-send only below the PIN layer.
 */
import { isEcpsError } from '../../src-shared/errors';
import type { CardConnection, ResetKind, TransmitOptions } from '../../src-shared/reader-port';
import { PIN_CARRYING_INS } from './apdu-trace';
import { TRANSMISSION_ERROR_CODES } from './fallback-strategy';

/** SELECT, READ BINARY (B0/B1), READ RECORD (B2/B3), GET RESPONSE, GET DATA (CA/CB). */
export const RETRY_SAFE_INS: ReadonlySet<number> = new Set([0xa4, 0xb0, 0xb1, 0xb2, 0xb3, 0xc0, 0xca, 0xcb]);

export function isPinCommand(command: Uint8Array): boolean {
  return command.length >= 2 && PIN_CARRYING_INS.has(command[1]!);
}

export interface RetryOptions extends TransmitOptions {
  /** Extra attempts after the first one (0 = no retry). */
  retries: number;
  /** First back-off in ms, doubled each time. Default 50. */
  backoffMs?: number;
  /** The caller knows the command carries a secret: never retried whatever its INS. */
  sensitive?: boolean;
  sleep?: (ms: number) => Promise<void>;
  onRetry?: (info: { attempt: number; code: string; delayMs: number }) => void;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function mayRetry(command: Uint8Array, sensitive = false): boolean {
  return !sensitive && !isPinCommand(command) && command.length >= 4 && RETRY_SAFE_INS.has(command[1]!);
}

/** One transmit, re-sent after a transmission error when (and only when) that is safe (module comment). */
export async function transmitWithRetry(connection: CardConnection, command: Uint8Array, options: RetryOptions): Promise<Uint8Array> {
  const transmitOptions: TransmitOptions = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
  const retries = mayRetry(command, options.sensitive) ? Math.max(0, Math.floor(options.retries)) : 0;
  const sleep = options.sleep ?? defaultSleep;
  let delay = options.backoffMs ?? 50;
  for (let attempt = 0; ; attempt++) {
    try {
      return await connection.transmit(command, transmitOptions);
    } catch (error) {
      const code = isEcpsError(error) ? error.code : '';
      if (attempt >= retries || !TRANSMISSION_ERROR_CODES.has(code) || !connection.connected) throw error;
      options.onRetry?.({ attempt: attempt + 1, code, delayMs: delay });
      await sleep(delay);
      delay *= 2;
    }
  }
}

/**
 * The connection a strategy hands out: the strategy's watchdog on every call that does not
 * bring its own, and its retry policy. Everything else goes straight to the real connection.
 */
export class StrategyConnection implements CardConnection {
  constructor(
    readonly inner: CardConnection,
    private readonly policy: { timeoutMs: number; retries: number; backoffMs?: number; onRetry?: RetryOptions['onRetry'] },
  ) {}

  get reader(): string {
    return this.inner.reader;
  }
  get atr(): Uint8Array {
    return this.inner.atr;
  }
  get protocol() {
    return this.inner.protocol;
  }
  get share() {
    return this.inner.share;
  }
  get connected(): boolean {
    return this.inner.connected;
  }

  transmit(command: Uint8Array, options: TransmitOptions = {}): Promise<Uint8Array> {
    return transmitWithRetry(this.inner, command, {
      timeoutMs: options.timeoutMs ?? this.policy.timeoutMs,
      retries: this.policy.retries,
      ...(this.policy.backoffMs === undefined ? {} : { backoffMs: this.policy.backoffMs }),
      ...(this.policy.onRetry ? { onRetry: this.policy.onRetry } : {}),
    });
  }
  reset(kind: ResetKind): Promise<void> {
    return this.inner.reset(kind);
  }
  control(code: number, data?: Uint8Array): Promise<Uint8Array> {
    return this.inner.control(code, data);
  }
  disconnect(): Promise<void> {
    return this.inner.disconnect();
  }
}
