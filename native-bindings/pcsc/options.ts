/** Options of the PC/SC ReaderPort and their defaults (each default says why). */

/** Minimal logger; every method optional so `console` or a structured logger both fit. */
export interface PcscLogger {
  debug?(message: string, details?: Record<string, unknown>): void;
  info?(message: string, details?: Record<string, unknown>): void;
  warn?(message: string, details?: Record<string, unknown>): void;
  error?(message: string, details?: Record<string, unknown>): void;
}

export interface PcscRecoveryOptions {
  /** First wait before re-creating the pcsc-mini Client after pcscd went away. */
  initialDelayMs?: number;
  /** Longest wait between two attempts. */
  maxDelayMs?: number;
  /** Growth of the wait after each failed attempt. */
  factor?: number;
}

export interface PcscReaderPortOptions {
  /**
   * Watchdog for one APDU. Default 15 s: legacy T=0 cards (CPS2ter/CPS3 at 9600 bauds) take
   * several seconds for an on-card RSA signature, and a real reader driver may itself wait
   * a few seconds on a slow card before giving up; 15 s stays clear of both while still
   * telling the user something is wrong well before they give up. Nothing below us times
   * out (measured: a mute card blocks transmit forever), so this is the only limit.
   */
  transmitTimeoutMs?: number;
  /** Watchdog for connect/reset/control/state. Default 10 s (power-up, PPS, slow ATR). */
  connectTimeoutMs?: number;
  /**
   * How long pcscd is given to answer the probe made before each blocking native call
   * (service-probe.ts). Default 3 s: pcscd answers in about a millisecond, but it checks each
   * new client with polkit, which may first have to start; past this, pcscd counts as down
   * for now (the port retries). It bounds port.start() and port.stop() when pcscd is frozen.
   */
  serviceProbeTimeoutMs?: number;
  /** Back-off used to re-create the Client while pcscd is down. */
  recovery?: PcscRecoveryOptions;
  logger?: PcscLogger;
}

export interface ResolvedOptions {
  transmitTimeoutMs: number;
  connectTimeoutMs: number;
  serviceProbeTimeoutMs: number;
  recovery: Required<PcscRecoveryOptions>;
  logger: PcscLogger;
}

export const DEFAULT_TRANSMIT_TIMEOUT_MS = 15_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_SERVICE_PROBE_TIMEOUT_MS = 3_000;

export function resolveOptions(options: PcscReaderPortOptions = {}): ResolvedOptions {
  const positive = (value: number | undefined, fallback: number) =>
    typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
  return {
    transmitTimeoutMs: positive(options.transmitTimeoutMs, DEFAULT_TRANSMIT_TIMEOUT_MS),
    connectTimeoutMs: positive(options.connectTimeoutMs, DEFAULT_CONNECT_TIMEOUT_MS),
    serviceProbeTimeoutMs: positive(options.serviceProbeTimeoutMs, DEFAULT_SERVICE_PROBE_TIMEOUT_MS),
    recovery: {
      // pcscd usually comes back within a second of a restart; retries are cheap (new
      // Client().start() fails synchronously with NoService while it is down), so stay
      // at most 1 s apart to re-announce readers well within 3 s.
      initialDelayMs: positive(options.recovery?.initialDelayMs, 100),
      maxDelayMs: positive(options.recovery?.maxDelayMs, 1000),
      factor: Math.max(1, positive(options.recovery?.factor, 2)),
    },
    logger: options.logger ?? {},
  };
}

/** Delay before attempt `attempt` (0-based). */
export function backoffDelay(recovery: Required<PcscRecoveryOptions>, attempt: number): number {
  return Math.min(recovery.maxDelayMs, recovery.initialDelayMs * recovery.factor ** attempt);
}
