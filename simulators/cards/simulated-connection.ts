/**
 * One connection to a card in the in-process reader (the CardConnection of ReaderPort), with
 * the PC/SC port's semantics (native-bindings/pcsc/card-connection.ts), so that every layer
 * above sees the same codes on both ports:
 *
 *   open → (a call misses its watchdog: CardNotResponding) → stuck → (the late call returns;
 *   cold reset) → open;   open/stuck → (card removed: CardRemoved; disconnect()) → closed
 *
 * - Calls on one connection run one at a time, in call order (a per-connection queue); every
 *   card operation also takes the slot's lock, as pcscd serialises a reader's handles.
 * - Commands shorter than 4 bytes: InvalidApdu at once, without reaching the card.
 * - A call that misses its watchdog fails with CardNotResponding and leaves the connection
 *   *stuck*: every call (transmit, reset, control) then fails fast with ConnectionBroken, and
 *   connect() on the slot fails with CardNotResponding. When the late call returns (a slow
 *   card answers, or the card is pulled out) the card is cold-reset and the connection works
 *   again — on a freshly reset card — or, if the card is gone, it closes with CardRemoved.
 *   A mute card never returns: only a removal ends the wait.
 * - A card pulled out (during a call or not): CardRemoved, and the connection stays closed
 *   with that code, disconnect() included (as the PC/SC port: the first closing reason wins).
 *   A reply shorter than 2 bytes counts as a removal (that is what vpcd gives), never data.
 * - After disconnect(): ConnectionClosed. disconnect() waits for the calls already queued.
 * - A reset through another connection: the next transmit/control fails once with CardReset.
 */
import type { EcpsError } from '../../src-shared/errors';
import type { CardConnection, ResetKind, ShareMode, TransmitOptions, TransportProtocol } from '../../src-shared/reader-port';
import type { InProcessReader, SimulatorSlot } from './in-process-reader';
import { simulatorErrors } from './simulator-errors';
import { isFault, type VirtualCard } from './virtual-card';

/** IOCTL_FEATURE_REQUEST (PC/SC part 10 code 3400) as pcsc-lite and as Windows encode it, or raw. */
const FEATURE_REQUEST_CODES = new Set([3400, 0x42000000 + 3400, (0x31 << 16) | (3400 << 2)]);

type State = 'open' | 'stuck' | 'closed';
type ClosedCode = 'ConnectionClosed' | 'CardRemoved';
type Details = Record<string, string | number | boolean>;

/** What a card operation gave: its result, a removal of the card, or an exception of the virtual card. */
type CardOutcome<T> = { kind: 'done'; value: T } | { kind: 'removed' } | { kind: 'error'; error: unknown };

const TIMED_OUT: unique symbol = Symbol('timed out');

/** Runs tasks one at a time in call order; a failed task never blocks the next ones. */
class TaskQueue {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

export class SimulatedConnection implements CardConnection {
  readonly reader: string;
  readonly share: ShareMode;
  private currentAtr: Uint8Array;
  private currentProtocol: TransportProtocol;
  private state: State = 'open';
  private closedCode: ClosedCode = 'ConnectionClosed';
  private readonly queue = new TaskQueue();
  private readonly insertion: number;
  private resetsSeen: number;

  constructor(
    private readonly port: InProcessReader,
    private readonly slot: SimulatorSlot,
    init: { atr: Uint8Array; protocol: TransportProtocol; share: ShareMode },
  ) {
    this.reader = slot.name;
    this.currentProtocol = init.protocol;
    this.share = init.share;
    this.currentAtr = init.atr.slice();
    this.insertion = slot.insertion;
    this.resetsSeen = slot.resets;
  }

  get atr(): Uint8Array {
    return this.currentAtr.slice();
  }

  get protocol(): TransportProtocol {
    return this.currentProtocol;
  }

  get connected(): boolean {
    return this.state === 'open';
  }

  transmit(command: Uint8Array, options: TransmitOptions = {}): Promise<Uint8Array> {
    // Refused before the queue: a short APDU never reaches a card (reader-port.ts guarantee).
    if (!(command instanceof Uint8Array) || command.length < 4) {
      const length = command instanceof Uint8Array ? command.length : -1;
      return Promise.reject(simulatorErrors.create('InvalidApdu', { details: { reader: this.reader, length } }));
    }
    const apdu = command.slice();
    const timeoutMs = options.timeoutMs ?? this.port.transmitTimeoutMs;
    return this.queue.run(async () => {
      const reply = await this.call('transmit', timeoutMs, true, (card) => card.transmit(apdu));
      if (isFault(reply)) {
        // 'drop': the card left the slot in the middle of the command ('mute' never gets here).
        this.port.pulledOut(this.slot);
        throw this.removed('transmit');
      }
      if (reply.length < 2) {
        // What vpcd gives when a card goes away mid-command; the PC/SC port closes then too.
        this.close('CardRemoved');
        throw simulatorErrors.create('CardRemoved', {
          details: { reader: this.reader, operation: 'transmit', responseLength: reply.length },
        });
      }
      return reply.slice();
    });
  }

  reset(kind: ResetKind): Promise<void> {
    return this.queue.run(async () => {
      await this.call(`reset-${kind}`, this.port.connectTimeoutMs, false, (card) => this.powerCycle(card, kind));
    });
  }

  control(code: number, _data?: Uint8Array): Promise<Uint8Array> {
    return this.queue.run(async () => {
      await this.call('control', this.port.connectTimeoutMs, true, () => undefined);
      // A plain reader: no PIN pad, no features, so an empty TLV list.
      if (FEATURE_REQUEST_CODES.has(code)) return new Uint8Array(0);
      throw simulatorErrors.create('UnsupportedFeature', { details: { reader: this.reader, operation: 'control', code } });
    });
  }

  /** Waits for the calls already queued, then releases the card. Safe to call twice. */
  disconnect(): Promise<void> {
    return this.queue.run(async () => this.close('ConnectionClosed'));
  }

  /** The reader tells its connections that the card left the slot. */
  cardGone(): void {
    this.close('CardRemoved');
  }

  // ---- internals -------------------------------------------------------------------------

  /**
   * One card operation: state checks, then `work` under the slot's lock, raced against the
   * watchdog and the card leaving the slot. Always rejects with an EcpsError.
   */
  private async call<T>(
    operation: string,
    timeoutMs: number,
    checkReset: boolean,
    work: (card: VirtualCard) => T | Promise<T>,
  ): Promise<Exclude<Awaited<T>, { fault: 'mute' }>> {
    const details: Details = { reader: this.reader, operation };
    this.assertUsable(details);
    if (checkReset && this.slot.resets !== this.resetsSeen) {
      // Reported once; the PC/SC port reconnects before its next call, and so goes on.
      this.resetsSeen = this.slot.resets;
      if (this.slot.card) this.currentAtr = this.slot.card.atr();
      throw simulatorErrors.create('CardReset', { details });
    }
    const pending = this.onCard(work);
    let timer: NodeJS.Timeout | undefined;
    const watchdog = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs);
    });
    const outcome = await Promise.race([pending, watchdog]);
    clearTimeout(timer);
    if (outcome === TIMED_OUT) {
      this.becomeStuck(pending);
      throw simulatorErrors.create('CardNotResponding', { details: { ...details, timeoutMs } });
    }
    switch (outcome.kind) {
      case 'removed':
        throw this.removed(operation);
      case 'error':
        throw simulatorErrors.create('InternalError', { details, cause: outcome.error });
      case 'done':
        return outcome.value;
    }
  }

  /**
   * Runs `work` on this connection's card under the slot's lock. Resolves (never rejects) once
   * the card answered or left the slot; a mute answer waits for the removal.
   */
  private onCard<T>(work: (card: VirtualCard) => T | Promise<T>): Promise<CardOutcome<Exclude<Awaited<T>, { fault: 'mute' }>>> {
    type Out = CardOutcome<Exclude<Awaited<T>, { fault: 'mute' }>>;
    const run = async (): Promise<Out> => {
      const card = this.slot.card;
      if (!card || this.slot.insertion !== this.insertion) return { kind: 'removed' };
      let onRemoved: (() => void) | undefined;
      const removed = new Promise<Out>((resolve) => {
        onRemoved = () => resolve({ kind: 'removed' });
        this.slot.removalWatchers.add(onRemoved);
      });
      const answer = (async (): Promise<Out> => {
        try {
          const value = await work(card);
          // A mute card never answers: only a removal ends the wait.
          if (isFaultReply(value) && value.fault === 'mute') return new Promise<Out>(() => {});
          return { kind: 'done', value: value as Exclude<Awaited<T>, { fault: 'mute' }> };
        } catch (error) {
          return { kind: 'error', error };
        }
      })();
      const outcome = await Promise.race([answer, removed]);
      if (onRemoved) this.slot.removalWatchers.delete(onRemoved);
      return outcome;
    };
    const result = this.slot.queue.then(run, run);
    this.slot.queue = result;
    return result;
  }

  private assertUsable(details: Details): void {
    if (this.state === 'stuck') throw simulatorErrors.create('ConnectionBroken', { details });
    if (this.state === 'closed') throw simulatorErrors.create(this.closedCode, { details });
    if (!this.slot.card || this.slot.insertion !== this.insertion) {
      this.close('CardRemoved');
      throw simulatorErrors.create('CardRemoved', { details });
    }
  }

  private removed(operation: string): EcpsError {
    this.close('CardRemoved');
    return simulatorErrors.create('CardRemoved', { details: { reader: this.reader, operation } });
  }

  private powerCycle(card: VirtualCard, kind: ResetKind): void {
    if (kind === 'cold') {
      card.powerOff();
      card.powerOn();
    } else {
      card.reset();
    }
    this.slot.resets++;
    this.resetsSeen = this.slot.resets;
    this.slot.protocol = this.currentProtocol;
    this.currentAtr = card.atr();
  }

  private becomeStuck(pending: Promise<CardOutcome<unknown>>): void {
    if (this.state === 'open') this.state = 'stuck';
    this.slot.stuck++;
    void pending.then((outcome) => this.recover(outcome));
  }

  /** The late call returned: cold-reset the card (as the PC/SC port does) or close if it is gone. */
  private async recover(outcome: CardOutcome<unknown>): Promise<void> {
    this.slot.stuck--;
    if (this.state !== 'stuck') return;
    if (outcome.kind === 'removed') {
      this.close('CardRemoved');
      return;
    }
    // Still 'stuck' during the reset, so calls keep failing fast until it is done.
    const reset = await this.onCard((card) => this.powerCycle(card, 'cold'));
    if (this.state !== 'stuck') return;
    if (reset.kind === 'removed') this.close('CardRemoved');
    else this.state = 'open';
  }

  private close(code: ClosedCode): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.closedCode = code;
    this.slot.connections.delete(this);
  }
}

function isFaultReply(value: unknown): value is { fault: string } {
  return typeof value === 'object' && value !== null && !(value instanceof Uint8Array) && 'fault' in value;
}

