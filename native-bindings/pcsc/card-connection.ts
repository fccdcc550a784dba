/**
 * One open card (a pcsc-mini Card handle) behind the CardConnection contract: calls are
 * queued, guarded by a watchdog, mapped to EcpsErrors, and never throw synchronously.
 *
 * Lifecycle: open → (a call times out) → stuck → (the stuck call returns; cold reset) → open
 *            open/stuck → (card removed, pcscd lost, disconnect()) → closed (for good)
 *
 * Why "stuck" fails fast instead of queueing: a pcsc-mini Card runs one native task at a time
 * and only frees itself when that task returns. A mute card makes that never (measured: no
 * timeout in pcsc-mini, pcsc-lite or vpcd; only a reset or a removal ends it), and each hung
 * call also pins one libuv worker thread (4 by default, shared with fs/dns/crypto), so piling
 * more calls onto a stuck card would freeze the whole process. Instead every call on a stuck
 * connection rejects at once with `ConnectionBroken`, and when the stuck call finally returns
 * (the card answered late, was pulled out, or a real reader's driver gave up) we cold-reset
 * the card (reconnect with UNPOWER, the strongest reset a handle can send) and the connection
 * works again — on a freshly reset card, so the caller must select its application again.
 * If the card is gone by then, the connection closes and the caller connects anew.
 */
import type {
  CardConnection,
  ResetKind,
  ShareMode,
  TransmitOptions,
  TransportProtocol,
} from '../../src-shared/reader-port';
import { type EcpsError } from '../../src-shared/errors';
import { fromNativeError, nativeCodeOf, pcscErrors, type ErrorDetails, type PcscErrorCode } from './errors';
import { borrowOutputBuffer, pcsc, returnOutputBuffer, type NativeCard, type NativeCardMode } from './native';
import type { PcscLogger } from './options';
import { CallWatchdog, SerialQueue, TIMED_OUT, callAsync, raceTimeout } from './serial-queue';

export interface ConnectionHooks {
  /** A native call on `reader` has not returned yet (true) / has returned (false). */
  onStuck(reader: string, stuck: boolean): void;
  onClosed(connection: PcscCardConnection): void;
  /** The card's ATR, read with card.state() (the reader event's ATR is wrong on Linux). */
  onAtr(reader: string, atr: Uint8Array): void;
}

export interface ConnectionInit {
  reader: string;
  share: ShareMode;
  card: NativeCard;
  atr: Uint8Array;
  protocol: TransportProtocol;
  transmitTimeoutMs: number;
  controlTimeoutMs: number;
  hooks: ConnectionHooks;
  logger: PcscLogger;
}

/** After these the handle is useless: the card is gone or pcscd forgot the handle
 * (measured: after a pcscd restart old handles answer NoService forever). */
const FATAL_NATIVE_CODES = new Set([
  'RemovedCard',
  'NoSmartCard',
  'NoService',
  'ServiceStopped',
  'Shutdown',
  'CommError',
  'InvalidHandle',
  'NoCardConnection',
  'ReaderUnavailable',
  'UnknownReader',
]);

export function toTransportProtocol(protocol: number): TransportProtocol | undefined {
  if (protocol === pcsc.Protocol.T0) return 'T0';
  if (protocol === pcsc.Protocol.T1) return 'T1';
  return undefined;
}

export function nativeMode(share: ShareMode): NativeCardMode {
  return share === 'exclusive' ? pcsc.CardMode.EXCLUSIVE : pcsc.CardMode.SHARED;
}

type State = 'open' | 'stuck' | 'closed';

export class PcscCardConnection implements CardConnection {
  readonly reader: string;
  readonly share: ShareMode;
  readonly #card: NativeCard;
  readonly #mode: NativeCardMode;
  readonly #hooks: ConnectionHooks;
  readonly #log: PcscLogger;
  readonly #transmitTimeoutMs: number;
  readonly #controlTimeoutMs: number;
  readonly #queue = new SerialQueue();
  /** Times out the queued calls, one at a time (no timer per APDU). */
  readonly #watchdog = new CallWatchdog();
  #atr: Uint8Array;
  #protocol: TransportProtocol;
  #state: State = 'open';
  #closedCode: PcscErrorCode = 'ConnectionClosed';
  #reconnectBeforeNextCall = false;
  #released = false;

  constructor(init: ConnectionInit) {
    this.reader = init.reader;
    this.share = init.share;
    this.#card = init.card;
    this.#mode = nativeMode(init.share);
    this.#atr = init.atr;
    this.#protocol = init.protocol;
    this.#transmitTimeoutMs = init.transmitTimeoutMs;
    this.#controlTimeoutMs = init.controlTimeoutMs;
    this.#hooks = init.hooks;
    this.#log = init.logger;
  }

  get atr(): Uint8Array {
    return this.#atr.slice();
  }

  get protocol(): TransportProtocol {
    return this.#protocol;
  }

  get connected(): boolean {
    return this.#state === 'open';
  }

  transmit(command: Uint8Array, options: TransmitOptions = {}): Promise<Uint8Array> {
    // A command shorter than CLA INS P1 P2 is passed straight through by pcsc-mini and then
    // hangs vpcd exactly like a mute card (measured with an empty APDU): refuse it here.
    if (!(command instanceof Uint8Array) || command.length < 4) {
      const length = command instanceof Uint8Array ? command.length : -1;
      return Promise.reject(pcscErrors.create('InvalidApdu', { details: { reader: this.reader, length } }));
    }
    // Copy: the native worker reads the caller's bytes without holding a reference to them
    // (pcsc-mini Session.zig keeps `input.data` only), so they must stay put until it returns.
    const apdu = command.slice();
    const timeoutMs = options.timeoutMs ?? this.#transmitTimeoutMs;
    // Our own output buffer (pooled, ./native.ts): pcsc-mini's default one (264 bytes) fails
    // with InsufficientBuffer AFTER the card has executed the command (measured).
    return this.#queue.run(() => this.#withOutput('transmit', timeoutMs, (card, out) => card.transmit(apdu, out)).then((response) => {
      if (response.length < 2) {
        // vpcd resolves the pending transmit with 0 bytes (and pcscd with SUCCESS) when the
        // card is pulled out mid-command (measured): that is a removal, never data.
        void this.#close('CardRemoved');
        throw pcscErrors.create('CardRemoved', {
          details: { reader: this.reader, operation: 'transmit', responseLength: response.length },
        });
      }
      return response;
    }));
  }

  reset(kind: ResetKind): Promise<void> {
    const disposition = kind === 'cold' ? pcsc.CardDisposition.UNPOWER : pcsc.CardDisposition.RESET;
    return this.#queue.run(async () => {
      await this.#call(`reset-${kind}`, this.#controlTimeoutMs, (card) => card.reconnect(this.#mode, disposition));
      await this.#refreshState();
    });
  }

  control(code: number, data?: Uint8Array): Promise<Uint8Array> {
    const input = data?.slice();
    return this.#queue.run(() => this.#withOutput('control', this.#controlTimeoutMs, (card, out) => card.control(code, input, out)));
  }

  /**
   * A native call writing into a pooled output buffer: the response is copied out (the view
   * points into a buffer the next call reuses), then the buffer goes back to the pool — unless
   * the call is still running after a timeout (CardNotResponding): then it stays with it.
   */
  #withOutput(operation: string, timeoutMs: number, fn: (card: NativeCard, out: ArrayBuffer) => Promise<Uint8Array>): Promise<Uint8Array> {
    const out = borrowOutputBuffer();
    let pending: Promise<Uint8Array>;
    try {
      pending = this.#call(operation, timeoutMs, (card) => fn(card, out));
    } catch (error) {
      returnOutputBuffer(out); // refused before anything reached pcsc-mini
      throw error;
    }
    return pending.then(
      (response) => {
        const copy = response.slice();
        returnOutputBuffer(out);
        return copy;
      },
      (error: unknown) => {
        if ((error as { code?: unknown } | null)?.code !== 'CardNotResponding') returnOutputBuffer(out);
        throw error;
      },
    );
  }

  /** Waits for the calls already queued, then releases the card (LEAVE). Safe to call twice. */
  disconnect(): Promise<void> {
    return this.#queue.run(() => this.#close('ConnectionClosed'));
  }

  /** The reader monitor saw the card leave: close now, so `connected` is false at once. */
  cardRemoved(): void {
    void this.#close('CardRemoved', 'queued');
  }

  /** pcscd went away: this handle will answer NoService forever (measured), so close it now. */
  invalidate(code: PcscErrorCode = 'ServiceUnavailable'): void {
    void this.#close(code, 'queued');
  }

  // ---- internals -------------------------------------------------------------------------

  #call<T>(operation: string, timeoutMs: number, fn: (card: NativeCard) => Promise<T>): Promise<T> {
    // Not async: this runs for every APDU, and the usual path needs no extra promise turn.
    // (#assertUsable may throw; callers run inside a queue task, which turns it into a rejection.)
    this.#assertUsable(operation);
    if (!this.#reconnectBeforeNextCall) return this.#native(operation, timeoutMs, fn);
    // Another application reset the card (ResetCard): reconnect() revives the handle.
    return this.#native('reconnect', this.#controlTimeoutMs, (card) =>
      card.reconnect(this.#mode, pcsc.CardDisposition.LEAVE),
    ).then(() => {
      this.#reconnectBeforeNextCall = false;
      return this.#native(operation, timeoutMs, fn);
    });
  }

  #native<T>(operation: string, timeoutMs: number, fn: (card: NativeCard) => Promise<T>): Promise<T> {
    // callAsync: a busy or closed pcsc-mini handle throws synchronously (CardIsBusy,
    // NoCardConnection); that must become a rejection, never escape to the caller's stack.
    // Not async (this runs for every APDU): one .then on the watchdog's promise.
    const pending = callAsync(() => fn(this.#card));
    return this.#watchdog.watch(pending, timeoutMs).then(
      (outcome) => {
        if (outcome !== TIMED_OUT) return outcome;
        this.#becomeStuck(pending, operation);
        throw pcscErrors.create('CardNotResponding', { details: { reader: this.reader, operation, timeoutMs } });
      },
      (err: unknown) => {
        throw this.#onNativeError(err, { reader: this.reader, operation });
      },
    );
  }

  #onNativeError(err: unknown, details: ErrorDetails): EcpsError {
    const code = nativeCodeOf(err);
    // On a connection that had a card, "no smart card" means it was pulled out: say so
    // (CardRemoved, card error) rather than "insert a card" (NoCard).
    const error =
      code === 'NoSmartCard'
        ? pcscErrors.create('CardRemoved', { details: { ...details, nativeCode: code }, cause: err })
        : fromNativeError(err, details);
    if (code === 'ResetCard') this.#reconnectBeforeNextCall = true;
    else if (code !== undefined && FATAL_NATIVE_CODES.has(code)) void this.#close(error.code as PcscErrorCode);
    return error;
  }

  #assertUsable(operation: string): void {
    const details = { reader: this.reader, operation };
    if (this.#state === 'stuck') throw pcscErrors.create('ConnectionBroken', { details });
    if (this.#state === 'closed') throw pcscErrors.create(this.#closedCode, { details });
  }

  async #refreshState(): Promise<void> {
    const state = await this.#native('state', this.#controlTimeoutMs, (card) => card.state());
    this.#atr = state.atr.slice();
    this.#protocol = toTransportProtocol(state.protocol) ?? this.#protocol;
    this.#hooks.onAtr(this.reader, this.#atr);
  }

  #becomeStuck(pending: Promise<unknown>, operation: string): void {
    const wasClosed = this.#state === 'closed';
    if (!wasClosed) this.#state = 'stuck';
    this.#hooks.onStuck(this.reader, true);
    this.#log.warn?.('pcsc: card call did not return in time; connection marked broken', {
      reader: this.reader,
      operation,
    });
    const settled = () => void this.#recover();
    pending.then(settled, settled);
  }

  /** The stuck native call has returned, so the handle accepts calls again. */
  async #recover(): Promise<void> {
    this.#hooks.onStuck(this.reader, false);
    if (this.#state === 'closed') {
      await this.#release();
      return;
    }
    // Still 'stuck' during the reset and the state read, so no queued call can start and
    // collide with them (pcsc-mini would throw CardIsBusy).
    try {
      await this.#native('recover', this.#controlTimeoutMs, (card) =>
        card.reconnect(this.#mode, pcsc.CardDisposition.UNPOWER),
      );
      await this.#refreshState();
    } catch (err) {
      const code = (err as EcpsError).code;
      this.#log.info?.('pcsc: recovery after a mute card did not complete', { reader: this.reader, code });
      // Stuck again: #recover runs again when that call returns.
      if (code === 'CardNotResponding') return;
      // A fatal code (card gone…) closed the connection; the handle is idle, so free it.
      // (#state may have changed during the awaits above; TypeScript cannot see that.)
      if ((this.#state as State) === 'closed') await this.#release();
      else this.#state = 'open';
      return;
    }
    if (this.#state === 'stuck') {
      this.#state = 'open';
      this.#log.info?.('pcsc: card answered again after a cold reset', { reader: this.reader });
    } else {
      await this.#release();
    }
  }

  /**
   * Closes for good; later calls fail with `code`. Releases the handle right away when called
   * from inside a queued task (`now`), after the queued calls otherwise, and never while a
   * call is stuck in it (the handle throws CardIsBusy until that call returns; #recover
   * releases it then).
   */
  #close(code: PcscErrorCode, when: 'now' | 'queued' = 'now'): Promise<void> {
    if (this.#state === 'closed') return Promise.resolve();
    const wasStuck = this.#state === 'stuck';
    this.#state = 'closed';
    this.#closedCode = code;
    this.#hooks.onClosed(this);
    if (wasStuck) return Promise.resolve();
    return when === 'now' ? this.#release() : this.#queue.run(() => this.#release());
  }

  async #release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    try {
      const outcome = await raceTimeout(
        callAsync(() => this.#card.disconnect(pcsc.CardDisposition.LEAVE)),
        this.#controlTimeoutMs,
      );
      if (outcome === TIMED_OUT) this.#log.warn?.('pcsc: releasing the card timed out', { reader: this.reader });
    } catch (err) {
      // Expected after a removal or a pcscd restart (RemovedCard / NoService): nothing to free.
      this.#log.debug?.('pcsc: release failed', { reader: this.reader, code: nativeCodeOf(err) ?? String(err) });
    }
  }
}
