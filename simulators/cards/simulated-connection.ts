/**
 * One connection to a card in the in-process reader (the CardConnection of ReaderPort).
 *
 * Every exchange goes through the slot's queue, so concurrent callers are served one after
 * the other, as PC/SC serialises calls on a card. Each exchange races three things: the
 * card's answer, the watchdog, and the card leaving the slot.
 */
import type { EcpsError } from '../../src-shared/errors';
import { toHex } from '../../src-shared/hex';
import type { CardConnection, ResetKind, ShareMode, TransmitOptions, TransportProtocol } from '../../src-shared/reader-port';
import type { InProcessReader, SimulatorSlot } from './in-process-reader';
import { simulatorErrors } from './simulator-errors';
import { isFault, type CardReply } from './virtual-card';

/** IOCTL_FEATURE_REQUEST (PC/SC part 10 code 3400) as pcsc-lite and as Windows encode it, or raw. */
const FEATURE_REQUEST_CODES = new Set([3400, 0x42000000 + 3400, (0x31 << 16) | (3400 << 2)]);

type Outcome = { kind: 'reply'; reply: CardReply } | { kind: 'timeout' } | { kind: 'removed' } | { kind: 'error'; error: unknown };

export class SimulatedConnection implements CardConnection {
  readonly reader: string;
  readonly protocol: TransportProtocol;
  readonly share: ShareMode;
  private currentAtr: Uint8Array;
  private open = true;
  private readonly insertion: number;
  private resetsSeen: number;

  constructor(
    private readonly port: InProcessReader,
    private readonly slot: SimulatorSlot,
    init: { atr: Uint8Array; protocol: TransportProtocol; share: ShareMode },
  ) {
    this.reader = slot.name;
    this.protocol = init.protocol;
    this.share = init.share;
    this.currentAtr = init.atr;
    this.insertion = slot.insertion;
    this.resetsSeen = slot.resets;
  }

  get atr(): Uint8Array {
    return this.currentAtr.slice();
  }

  get connected(): boolean {
    return this.open && this.slot.insertion === this.insertion;
  }

  transmit(command: Uint8Array, options: TransmitOptions = {}): Promise<Uint8Array> {
    // Refused before the queue: a short APDU never reaches a card (reader-port.ts guarantee).
    if (command.length < 4) {
      return Promise.reject(
        simulatorErrors.create('ApduTooShort', { details: { reader: this.reader, length: command.length } }),
      );
    }
    const timeoutMs = options.timeoutMs ?? this.port.transmitTimeoutMs;
    return this.serialised(() => this.exchange(command.slice(), timeoutMs));
  }

  reset(kind: ResetKind): Promise<void> {
    return this.serialised(async () => {
      const card = this.usableCard(false);
      if (kind === 'cold') {
        card.powerOff();
        card.powerOn();
      } else {
        card.reset();
      }
      this.slot.resets++;
      this.resetsSeen = this.slot.resets;
      this.currentAtr = card.atr();
    });
  }

  async control(code: number, _data?: Uint8Array): Promise<Uint8Array> {
    this.usableCard(false);
    // A plain reader: no PIN pad, no features, so an empty TLV list.
    if (FEATURE_REQUEST_CODES.has(code)) return new Uint8Array(0);
    throw simulatorErrors.create('UnsupportedFeature', { details: { reader: this.reader, code } });
  }

  async disconnect(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    this.slot.connections.delete(this);
  }

  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const run = this.slot.queue.then(work, work);
    // The queue must go on whatever this call's outcome.
    this.slot.queue = run.catch(() => undefined);
    return run;
  }

  /** The card, or the error PC/SC would give: closed handle, card gone, or reset by another handle. */
  private usableCard(checkReset: boolean) {
    if (!this.open) throw simulatorErrors.create('InvalidHandle', { details: { reader: this.reader } });
    const card = this.slot.card;
    if (!card || this.slot.insertion !== this.insertion) {
      // Stays so until disconnect(), as PC/SC keeps answering SCARD_W_REMOVED_CARD on the handle.
      throw simulatorErrors.create('CardRemoved', { details: { reader: this.reader } });
    }
    if (checkReset && this.slot.resets !== this.resetsSeen) {
      // Reported once, then the connection goes on (PC/SC would want SCardReconnect first).
      this.resetsSeen = this.slot.resets;
      this.currentAtr = card.atr();
      throw simulatorErrors.create('ResetCard', { details: { reader: this.reader } });
    }
    return card;
  }

  private async exchange(command: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    const card = this.usableCard(true);
    const details = { reader: this.reader, command: toHex(command.subarray(0, 4)), timeoutMs };
    let timer: NodeJS.Timeout | undefined;
    const watchdog = new Promise<Outcome>((resolve) => {
      timer = setTimeout(() => resolve({ kind: 'timeout' }), timeoutMs);
    });
    const answer = (async (): Promise<Outcome> => {
      try {
        const reply = await card.transmit(command);
        // A mute card never answers: only the watchdog or a removal ends the wait.
        if (isFault(reply) && reply.fault === 'mute') return new Promise<Outcome>(() => {});
        return { kind: 'reply', reply };
      } catch (error) {
        return { kind: 'error', error };
      }
    })();
    let onRemoved: (() => void) | undefined;
    const removed = new Promise<Outcome>((resolve) => {
      onRemoved = () => resolve({ kind: 'removed' });
      this.slot.removalWatchers.add(onRemoved);
    });
    const outcome = await Promise.race([answer, watchdog, removed]);
    clearTimeout(timer);
    if (onRemoved) this.slot.removalWatchers.delete(onRemoved);
    return this.settle(outcome, details);
  }

  private settle(outcome: Outcome, details: Record<string, string | number>): Uint8Array {
    const fail = (code: 'CardRemoved' | 'CardNotResponding' | 'InvalidResponse', cause?: unknown): never => {
      const error: EcpsError = simulatorErrors.create(code, { details, cause });
      throw error;
    };
    switch (outcome.kind) {
      case 'timeout':
        return fail('CardNotResponding');
      case 'removed':
        return fail('CardRemoved');
      case 'error':
        return fail('InvalidResponse', outcome.error);
      case 'reply': {
        const reply = outcome.reply;
        if (isFault(reply)) {
          // 'drop': the card left the slot in the middle of the command.
          this.port.pulledOut(this.slot);
          return fail('CardRemoved');
        }
        if (this.slot.insertion !== this.insertion) return fail('CardRemoved');
        if (reply.length < 2) return fail('InvalidResponse');
        return reply.slice();
      }
    }
  }
}
