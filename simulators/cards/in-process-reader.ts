/**
 * A card reader that lives inside the process: the demo default when no PC/SC reader is
 * present (`npm start` without a reader), and the second implementation every layer above
 * ReaderPort is tested against.
 *
 * It behaves like a dual-slot ("bi-fente") PC/SC reader: pcsc-lite names the slots of one
 * reader "<name> 00 00" and "<name> 00 01", so ours are "Lecteur virtuel Compagnon e-CPS 00 00"
 * (by convention the CPS slot, like GALSS CANAL1) and "… 00 01" (the Vitale slot).
 * It keeps the ReaderPort guarantees (reader-port.ts): calls to one card are serialised,
 * APDUs under 4 bytes are refused, a watchdog turns a silent card into CardNotResponding, a
 * card pulled mid-command gives CardRemoved plus a 'card-removed' event, and T=1 is refused
 * on a T=0-only card (ProtoMismatch), as pcscd does.
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

export interface InProcessReaderOptions {
  /** Slot names; default the two of SIMULATOR_READER_NAMES. */
  readerNames?: readonly string[];
  /** APDU watchdog in ms (per-call `timeoutMs` overrides it). */
  transmitTimeoutMs?: number;
}

/** One slot and what is in it. `insertion` changes on every insert/remove, `resets` on every reset. */
export interface SimulatorSlot {
  readonly name: string;
  card: VirtualCard | undefined;
  insertion: number;
  resets: number;
  /** Called once when the current card leaves the slot (exchanges in flight listen here). */
  readonly removalWatchers: Set<() => void>;
  readonly connections: Set<SimulatedConnection>;
  /** Serialises every exchange with this card. */
  queue: Promise<unknown>;
}

export type SlotRef = number | string;

export class InProcessReader implements ReaderPort {
  readonly kind = 'simulator' as const;
  readonly transmitTimeoutMs: number;
  private readonly slots: SimulatorSlot[];
  private readonly listeners = new Set<(event: ReaderEvent) => void>();
  private started = false;

  constructor(options: InProcessReaderOptions = {}) {
    const names = options.readerNames ?? SIMULATOR_READER_NAMES;
    if (names.length === 0 || new Set(names).size !== names.length) {
      throw new RangeError('The in-process reader needs at least one slot, with distinct names');
    }
    this.transmitTimeoutMs = options.transmitTimeoutMs ?? DEFAULT_TRANSMIT_TIMEOUT_MS;
    this.slots = names.map((name) => {
      const slot: SimulatorSlot = {
        name,
        card: undefined,
        insertion: 0,
        resets: 0,
        removalWatchers: new Set(),
        connections: new Set(),
        queue: Promise.resolve(),
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
    for (const slot of this.slots) for (const c of [...slot.connections]) await c.disconnect();
    this.started = false;
  }

  readers(): ReaderSnapshot[] {
    return this.slots.map((slot) => {
      const snapshot: ReaderSnapshot = { name: slot.name, cardPresent: slot.card !== undefined };
      if (slot.card) snapshot.atr = slot.card.atr();
      if ([...slot.connections].some((c) => c.share === 'exclusive')) snapshot.inUse = true;
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
    this.emit({ type: 'card-inserted', reader: slot.name, atr: card.atr() });
  }

  /** Pulls the card out; open connections fail with CardRemoved. Returns the card, if any. */
  remove(ref: SlotRef): VirtualCard | undefined {
    const slot = this.slot(ref);
    const card = slot.card;
    if (!card) return undefined;
    card.powerOff();
    slot.card = undefined;
    slot.insertion++;
    slot.connections.clear();
    for (const watcher of [...slot.removalWatchers]) watcher();
    slot.removalWatchers.clear();
    this.emit({ type: 'card-removed', reader: slot.name });
    return card;
  }

  async connect(reader: string, options: ConnectOptions = {}): Promise<CardConnection> {
    const slot = this.slots.find((s) => s.name === reader);
    if (!slot) throw simulatorErrors.create('UnknownReader', { details: { reader } });
    const card = slot.card;
    if (!card) throw simulatorErrors.create('NoSmartCard', { details: { reader } });
    const atr = card.atr();
    const protocol = this.negotiate(reader, atr, options.protocol ?? 'any');
    const share: ShareMode = options.share ?? 'shared';
    const others = [...slot.connections];
    if (others.some((c) => c.share === 'exclusive') || (share === 'exclusive' && others.length > 0)) {
      throw simulatorErrors.create('SharingViolation', { details: { reader } });
    }
    const connection = new SimulatedConnection(this, slot, { atr, protocol, share });
    slot.connections.add(connection);
    return connection;
  }

  /** Used by connections: a card pulled out mid-command leaves the slot like a user would pull it. */
  pulledOut(slot: SimulatorSlot): void {
    if (slot.card) this.remove(this.slots.indexOf(slot));
  }

  private negotiate(reader: string, atr: Uint8Array, wanted: TransportProtocol | 'any'): TransportProtocol {
    const offered = offeredProtocols(atr);
    if (wanted === 'any') return offered[0]!;
    if (!offered.includes(wanted)) {
      throw simulatorErrors.create('ProtoMismatch', {
        details: { reader, requested: wanted, offered: offered.join(',') },
      });
    }
    return wanted;
  }

  private slot(ref: SlotRef): SimulatorSlot {
    const slot = typeof ref === 'number' ? this.slots[ref] : this.slots.find((s) => s.name === ref);
    if (!slot) throw simulatorErrors.create('UnknownReader', { details: { reader: String(ref) } });
    return slot;
  }

  private emit(event: ReaderEvent): void {
    if (!this.started) return;
    for (const listener of [...this.listeners]) listener(event);
  }
}
