/**
 * ReaderPort: the seam between the card world and everything above it.
 *
 * Two implementations: `native-bindings/pcsc` (real PC/SC through pcsc-mini) and
 * `simulators/cards/in-process-reader` (virtual cards, no PC/SC: the demo default).
 * Every higher layer is written and tested against this interface only.
 *
 * Guarantees every implementation gives:
 * - calls on one connection are serialised (callers may fire them concurrently);
 * - `transmit` resolves only with a response of at least 2 bytes (SW1 SW2); anything
 *   shorter is a typed error, never data;
 * - `transmit` and `connect` never hang forever: a watchdog raises `CardNotResponding`;
 * - errors are `EcpsError`s with codes from the implementation's catalogue.
 */
import type { EcpsError } from './errors';

export type TransportProtocol = 'T0' | 'T1';
/** What the caller asks for; `any` lets the reader choose (T=0 or T=1). */
export type ProtocolPreference = TransportProtocol | 'any';
export type ShareMode = 'shared' | 'exclusive';
export type ResetKind = 'warm' | 'cold';

export interface ReaderSnapshot {
  name: string;
  cardPresent: boolean;
  /** The card's ATR when a card is present and powered. */
  atr?: Uint8Array;
  /** Another application holds the card exclusively or in a transaction. */
  inUse?: boolean;
  /** A card is present but does not answer to reset. */
  mute?: boolean;
}

export type ReaderEvent =
  | { type: 'reader-added'; reader: string }
  | { type: 'reader-removed'; reader: string }
  | { type: 'card-inserted'; reader: string; atr: Uint8Array }
  | { type: 'card-removed'; reader: string }
  /** The PC/SC service stopped or became unreachable; readers are unknown until it is back. */
  | { type: 'service-down'; error: EcpsError }
  | { type: 'service-up' };

export interface ConnectOptions {
  protocol?: ProtocolPreference;
  share?: ShareMode;
  /** Watchdog for the connect itself, in ms. */
  timeoutMs?: number;
}

export interface TransmitOptions {
  /** Watchdog for this APDU, in ms; defaults to the port's setting. */
  timeoutMs?: number;
}

export interface CardConnection {
  readonly reader: string;
  readonly atr: Uint8Array;
  readonly protocol: TransportProtocol;
  readonly share: ShareMode;
  /** Sends one command APDU (≥ 4 bytes) and returns the response, SW1 SW2 included (≥ 2 bytes). */
  transmit(command: Uint8Array, options?: TransmitOptions): Promise<Uint8Array>;
  /** Warm reset keeps power; cold reset powers the card down and up. The ATR may change. */
  reset(kind: ResetKind): Promise<void>;
  /** Reader-level control (FEATURE_REQUEST…); not every reader supports it. */
  control(code: number, data?: Uint8Array): Promise<Uint8Array>;
  /** Releases the card, leaving it powered. Safe to call twice. */
  disconnect(): Promise<void>;
  readonly connected: boolean;
}

export interface ReaderPort {
  /** `pcsc` for the real service, `simulator` for the built-in virtual cards (demo). */
  readonly kind: 'pcsc' | 'simulator';
  /** Starts monitoring. Resolves once the first list of readers is known (or the service is down). */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The current readers and what is in them. */
  readers(): ReaderSnapshot[];
  /** Whether the PC/SC service answers right now (always true for the simulator). */
  serviceAvailable(): boolean;
  /** Subscribes to reader and card events; returns the unsubscribe function. */
  onEvent(listener: (event: ReaderEvent) => void): () => void;
  connect(reader: string, options?: ConnectOptions): Promise<CardConnection>;
}
