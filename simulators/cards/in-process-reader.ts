/**
 * A card reader that lives inside the process: the demo default when no PC/SC reader is
 * present (`npm start` without a reader), and the second implementation every layer above
 * ReaderPort is tested against.
 *
 * It behaves like a dual-slot ("bi-fente") PC/SC reader: pcsc-lite names the slots of one
 * reader "<name> 00 00" and "<name> 00 01", so ours are "Lecteur virtuel Compagnon e-CPS 00 00"
 * (by convention the CPS slot, like GALSS CANAL1) and "… 00 01" (the Vitale slot).
 *
 * It gives the same error codes as the PC/SC port, in the same situations
 * (native-bindings/pcsc; checked by test/contract/reader-port-contract.ts):
 * - connect: unknown reader → ReaderUnavailable; a card call stuck on the slot →
 *   CardNotResponding at once; another handle holds the card exclusively → SharingViolation;
 *   empty slot → NoCard; protocol not offered → ProtocolMismatch. As pcscd does, the protocol
 *   chosen by the first connect after power-up stays until the next reset.
 * - connections: see simulated-connection.ts (watchdog, stuck → ConnectionBroken, removal →
 *   CardRemoved for good, disconnect → ConnectionClosed).
 *
 * Events flow between start() and stop(); start() first announces the readers and the
 * cards already inserted, as pcsc-mini does for readers present at start.
 */
import type {
  CardConnection,
  ConnectOptions,
  ReaderEvent,
  ReaderPort,
  ReaderSnapshot,
  ShareMode,
  TransportProtocol,
} from '../../src-shared/reader-port';
import { offeredProtocols } from './atr-protocols';
import { SimulatedConnection } from './simulated-connection';
import { simulatorErrors } from './simulator-errors';
import type { VirtualCard } from './virtual-card';

export const SIMULATOR_READER_NAMES = [
  'Lecteur virtuel Compagnon e-CPS 00 00',
  'Lecteur virtuel Compagnon e-CPS 00 01',
] as const;

/** Default APDU watchdog: generous for an RSA-2048 operation, short enough for a person waiting. */
export const DEFAULT_TRANSMIT_TIMEOUT_MS = 5_000;
/** Default watchdog for reset and control (the PC/SC port's connectTimeoutMs plays this part). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

export interface InProcessReaderOptions {
  /** Slot names; default the two of SIMULATOR_READER_NAMES. */
  readerNames?: readonly string[];
  /** APDU watchdog in ms (per-call `timeoutMs` overrides it). */
  transmitTimeoutMs?: number;
  /** Watchdog of reset() and control() in ms, as the PC/SC port's option of the same name. */
  connectTimeoutMs?: number;
}

/** One slot and what is in it. `insertion` changes on every insert/remove, `resets` on every reset. */
export interface SimulatorSlot {
  readonly name: string;
  card: VirtualCard | undefined;
  insertion: number;
  resets: number;
  /** Called once when the current card leaves the slot (exchanges in flight listen here). */
  readonly removalWatchers: Set<() => void>;
  /** Open connections (a stuck one included: it still holds its handle). */
  readonly connections: Set<SimulatedConnection>;
  /** Serialises every exchange with this card, across connections (pcscd's reader lock). */
  queue: Promise<unknown>;
  /** Card calls that missed their watchdog and have not returned yet. */
  stuck: number;
  /** Protocol negotiated by the first connect since power-up; kept until the next reset. */
  protocol: TransportProtocol | undefined;
}

export type SlotRef = number | string;

function positive(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}

export class InProcessReader implements ReaderPort {
  readonly kind = 'simulator' as const;
  readonly transmitTimeoutMs: number;
  readonly connectTimeoutMs: number;
  private readonly slots: SimulatorSlot[];
  private readonly listeners = new Set<(event: ReaderEvent) => void>();
  private started = false;

  constructor(options: InProcessReaderOptions = {}) {
    const names = options.readerNames ?? SIMULATOR_READER_NAMES;
    if (names.length === 0 || new Set(names).size !== names.length) {
      throw new RangeError('The in-process reader needs at least one slot, with distinct names');
    }
    this.transmitTimeoutMs = positive(options.transmitTimeoutMs, DEFAULT_TRANSMIT_TIMEOUT_MS);
    this.connectTimeoutMs = positive(options.connectTimeoutMs, DEFAULT_CONNECT_TIMEOUT_MS);
    this.slots = names.map((name) => {
      const slot: SimulatorSlot = {
        name,
        card: undefined,
        insertion: 0,
        resets: 0,
        removalWatchers: new Set(),
        connections: new Set(),
        queue: Promise.resolve(),
        stuck: 0,
        protocol: undefined,
      };
      return slot;
    });
  }

  get slotNames(): readonly string[] {
    return this.slots.map((s) => s.name);
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    for (const slot of this.slots) this.emit({ type: 'reader-added', reader: slot.name });
    for (const slot of this.slots) {
      if (slot.card) this.emit({ type: 'card-inserted', reader: slot.name, atr: slot.card.atr() });
    }
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    for (const slot of this.slots) await Promise.all([...slot.connections].map((c) => c.disconnect()));
    this.started = false;
  }

  /** Same shape as the PC/SC port's snapshots: `inUse` and `mute` are always there. */
  readers(): ReaderSnapshot[] {
    return this.slots.map((slot) => {
      const present = slot.card !== undefined;
      const snapshot: ReaderSnapshot = { name: slot.name, cardPresent: present };
      if (slot.card) snapshot.atr = slot.card.atr();
      snapshot.inUse = present && [...slot.connections].some((c) => c.share === 'exclusive');
      // Virtual cards always answer to reset.
      snapshot.mute = false;
      return snapshot;
    });
  }

  serviceAvailable(): boolean {
    return true;
  }

  onEvent(listener: (event: ReaderEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The card in a slot (by index or name), if any. */
  cardIn(ref: SlotRef): VirtualCard | undefined {
    return this.slot(ref).card;
  }

  /** Puts a card in a slot: it is powered up (cold reset) and 'card-inserted' is emitted. */
  insert(ref: SlotRef, card: VirtualCard): void {
    const slot = this.slot(ref);
    if (slot.card) throw simulatorErrors.create('SlotOccupied', { details: { reader: slot.name } });
    card.powerOn();
    slot.card = card;
    slot.insertion++;
    slot.protocol = undefined;
    this.emit({ type: 'card-inserted', reader: slot.name, atr: card.atr() });
  }

  /**
   * Pulls the card out. Open connections close for good with CardRemoved (an exchange in
   * flight fails with it at once); a new connect is needed after the next insertion.
   * Returns the card, if any.
   */
  remove(ref: SlotRef): VirtualCard | undefined {
    const slot = this.slot(ref);
    const card = slot.card;
    if (!card) return undefined;
    card.powerOff();
    slot.card = undefined;
    slot.insertion++;
    slot.protocol = undefined;
    for (const connection of [...slot.connections]) connection.cardGone();
    slot.connections.clear();
    for (const watcher of [...slot.removalWatchers]) watcher();
    slot.removalWatchers.clear();
    this.emit({ type: 'card-removed', reader: slot.name });
    return card;
  }

  async connect(reader: string, options: ConnectOptions = {}): Promise<CardConnection> {
    const details = { reader, operation: 'connect' };
    const slot = this.slots.find((s) => s.name === reader);
    if (!slot) throw simulatorErrors.create('ReaderUnavailable', { details });
    // As the PC/SC port: a call stuck on this reader would block a new connect too.
    if (slot.stuck > 0) throw simulatorErrors.create('CardNotResponding', { details: { ...details, stuck: true } });
    const share: ShareMode = options.share ?? 'shared';
    const others = [...slot.connections];
    if (others.some((c) => c.share === 'exclusive')) throw simulatorErrors.create('SharingViolation', { details });
    const card = slot.card;
    if (!card) throw simulatorErrors.create('NoCard', { details });
    const atr = card.atr();
    const protocol = this.negotiate(slot, atr, options.protocol ?? 'any');
    if (share === 'exclusive' && others.length > 0) throw simulatorErrors.create('SharingViolation', { details });
    slot.protocol = protocol;
    const connection = new SimulatedConnection(this, slot, { atr, protocol, share });
    slot.connections.add(connection);
    return connection;
  }

  /** Used by connections: a card pulled out mid-command leaves the slot like a user would pull it. */
  pulledOut(slot: SimulatorSlot): void {
    if (slot.card) this.remove(this.slots.indexOf(slot));
  }

  /** pcscd negotiates once per power-up: later connects get that protocol or ProtocolMismatch. */
  private negotiate(slot: SimulatorSlot, atr: Uint8Array, wanted: TransportProtocol | 'any'): TransportProtocol {
    const offered = slot.protocol ? [slot.protocol] : offeredProtocols(atr);
    if (wanted === 'any') return offered[0]!;
    if (!offered.includes(wanted)) {
      throw simulatorErrors.create('ProtocolMismatch', {
        details: { reader: slot.name, operation: 'connect', requested: wanted, offered: offered.join(',') },
      });
    }
    return wanted;
  }

  private slot(ref: SlotRef): SimulatorSlot {
    const slot = typeof ref === 'number' ? this.slots[ref] : this.slots.find((s) => s.name === ref);
    if (!slot) throw simulatorErrors.create('ReaderUnavailable', { details: { reader: String(ref) } });
    return slot;
  }

  private emit(event: ReaderEvent): void {
    if (!this.started) return;
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // As the PC/SC port: a listener's exception never breaks the reader.
      }
    }
  }
}
