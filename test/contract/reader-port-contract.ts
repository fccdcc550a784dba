/**
 * The ReaderPort contract: one suite, the same assertions, run against every implementation
 * (architecture.md §3 "Every higher layer is tested against both"):
 *   - test/unit/contract-in-process.test.ts   — the in-process simulator;
 *   - test/integration/contract-pcsc.test.ts  — the PC/SC port over a private pcscd + vpcd.
 *
 * What it pins down is what the layers above rely on: the same error *codes* in the same
 * situations (CLI exit codes, UI texts and diagnostics key on them), the same lifecycle of a
 * connection (mute card → CardNotResponding, then ConnectionBroken until the card answers or
 * leaves; removal → CardRemoved; disconnect → ConnectionClosed), and the same answers from
 * the card layer (identifyCard, inspectCard) whichever port carries the card.
 *
 * The harness gives a started port whose APDU watchdog is `transmitTimeoutMs` (short: ~400 ms),
 * its two reader names, and hands to put virtual cards in and out of the two slots. The suite
 * keeps track of what is in each slot and waits for the port's events after each move (the
 * PC/SC port learns of a card only on vpcd's next presence poll, every ~400 ms).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pcscErrors } from '../../native-bindings/pcsc/errors';
import { createDemoReader, createVirtualCard } from '../../simulators/cards/catalog';
import { CPS3_ATR } from '../../simulators/cards/cps3';
import { SIMULATOR_READER_NAMES } from '../../simulators/cards/in-process-reader';
import type { CardReply, VirtualCard } from '../../simulators/cards/virtual-card';
import { VITALE2_ATR } from '../../simulators/cards/vitale2';
import { CardChannel } from '../../src-main/card/channel';
import { identifyCard } from '../../src-main/card/identify';
import { findReader, inspectCard, type CardInspection } from '../../src-main/reader/inspect';
import { EcpsError, isEcpsError } from '../../src-shared/errors';
import { toHex } from '../../src-shared/hex';
import type { CardConnection, ReaderEvent, ReaderPort } from '../../src-shared/reader-port';
import { ATR_T0, TestCard, echo } from '../support/test-cards';

export type SlotIndex = 0 | 1;

export interface ReaderPortHarness {
  /** Started. */
  port: ReaderPort;
  /** Its two readers (slot 0, slot 1), as the port names them. */
  readers: readonly [string, string];
  /** Events recorded since before start() (see recordEvents). */
  events: EventLog;
  /** The port's APDU watchdog, in ms. */
  transmitTimeoutMs: number;
  /** Puts a card into an empty slot (the port notices it in its own time). */
  insert(slot: SlotIndex, card: VirtualCard): Promise<void>;
  /** Pulls the card out of a slot; a no-op on an empty slot. */
  remove(slot: SlotIndex): Promise<void>;
  dispose(): Promise<void>;
}

/** Every event of a port, and a way to wait for the next one that matches. */
export class EventLog {
  readonly all: ReaderEvent[] = [];

  constructor(port: ReaderPort) {
    port.onEvent((event) => this.all.push(event));
  }

  /** Position to wait from (events at or after it count). */
  mark(): number {
    return this.all.length;
  }

  async waitFor<E extends ReaderEvent>(
    what: string,
    match: (event: ReaderEvent) => event is E,
    from = 0,
    timeoutMs = 6000,
  ): Promise<E> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.all.slice(from).find(match);
      if (found) return found;
      if (Date.now() > deadline) {
        throw new Error(`Timed out waiting for ${what}; events: ${JSON.stringify(this.all.slice(from))}`);
      }
      await sleep(10);
    }
  }
}

/** Records events; call before port.start() so the initial ones are in. */
export function recordEvents(port: ReaderPort): EventLog {
  return new EventLog(port);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A virtual card that counts what reaches it; INS `slowIns` is answered 90 00 after `slowMs`. */
export class CountingCard implements VirtualCard {
  readonly commands: Uint8Array[] = [];
  powerOns = 0;
  resets = 0;

  constructor(
    private readonly inner: VirtualCard,
    private readonly options: { slowIns?: number; slowMs?: number } = {},
  ) {}

  get label(): string {
    return this.inner.label;
  }
  atr(): Uint8Array {
    return this.inner.atr();
  }
  powerOn(): void {
    this.powerOns++;
    this.inner.powerOn();
  }
  powerOff(): void {
    this.inner.powerOff();
  }
  reset(): void {
    this.resets++;
    this.inner.reset();
  }
  async transmit(command: Uint8Array): Promise<CardReply> {
    this.commands.push(command.slice());
    if (this.options.slowIns !== undefined && command[1] === this.options.slowIns) {
      await sleep(this.options.slowMs ?? 0);
      return Uint8Array.of(0x90, 0x00);
    }
    return this.inner.transmit(command);
  }
}

const SELECT_MF = Uint8Array.of(0x00, 0xa4, 0x00, 0x0c, 0x02, 0x3f, 0x00);
/** SELECT EF.SN.ICC by path with FCP: a T=0 card announces the FCP with 61xx. */
const SELECT_EF_SN_ICC_FCP = Uint8Array.of(0x00, 0xa4, 0x08, 0x04, 0x04, 0x3f, 0x00, 0xd0, 0x03, 0x00);
const PLAIN = Uint8Array.of(0x00, 0xa4, 0x04, 0x00);
const INS_MUTE = 0x88;
const INS_DROP = 0x99;
const INS_SLOW = 0x77;
const MUTE_CMD = Uint8Array.of(0x00, INS_MUTE, 0x00, 0x00);
const DROP_CMD = Uint8Array.of(0x00, INS_DROP, 0x00, 0x00);
const SLOW_CMD = Uint8Array.of(0x00, INS_SLOW, 0x00, 0x00);
/** How long the slow command takes: well past the watchdog. */
const SLOW_MS = 900;

const isInserted = (reader: string) => (e: ReaderEvent): e is Extract<ReaderEvent, { type: 'card-inserted' }> =>
  e.type === 'card-inserted' && e.reader === reader;
const isRemoved = (reader: string) => (e: ReaderEvent): e is Extract<ReaderEvent, { type: 'card-removed' }> =>
  e.type === 'card-removed' && e.reader === reader;

export function describeReaderPortContract(
  name: string,
  setup: () => Promise<ReaderPortHarness>,
): void {

  describe(`ReaderPort contract: ${name}`, () => {
    let h: ReaderPortHarness;
    const inSlot: [VirtualCard | undefined, VirtualCard | undefined] = [undefined, undefined];
    /** Every error a port gave in this suite (checked at the end: EcpsError, fr + en). */
    const seen: EcpsError[] = [];

    const cps3 = new CountingCard(createVirtualCard('cps3'));
    const vitale2 = new CountingCard(createVirtualCard('vitale2'));
    // T=0 only; echoes INS EE; INS 88 never answered, INS 99 pulls the card out, INS 77 is slow.
    const testCard = new CountingCard(new TestCard({ atr: ATR_T0, delayMs: 3, muteOn: INS_MUTE, dropOn: INS_DROP }), {
      slowIns: INS_SLOW,
      slowMs: SLOW_MS,
    });

    async function failure(promise: Promise<unknown>): Promise<EcpsError> {
      const error = await promise.then(
        (value) => new Error(`expected a failure, got ${value instanceof Uint8Array ? toHex(value) : String(value)}`),
        (e: unknown) => e,
      );
      if (!isEcpsError(error)) throw new Error(`expected an EcpsError, got ${String(error)}`);
      seen.push(error);
      return error;
    }

    async function expectCode(promise: Promise<unknown>, code: string): Promise<EcpsError> {
      const error = await failure(promise);
      expect(error.code, error.text('en')).toBe(code);
      return error;
    }

    async function takeOut(slot: SlotIndex): Promise<void> {
      if (!inSlot[slot]) return;
      const from = h.events.mark();
      await h.remove(slot);
      await h.events.waitFor(`card-removed on ${h.readers[slot]}`, isRemoved(h.readers[slot]), from);
      inSlot[slot] = undefined;
    }

    /** Makes `card` (or nothing) the content of `slot`; returns the card-inserted event, if any. */
    async function place(slot: SlotIndex, card: VirtualCard | undefined) {
      if (inSlot[slot] === card) return undefined;
      await takeOut(slot);
      if (!card) return undefined;
      const from = h.events.mark();
      await h.insert(slot, card);
      const event = await h.events.waitFor(`card-inserted on ${h.readers[slot]}`, isInserted(h.readers[slot]), from);
      inSlot[slot] = card;
      return event;
    }

    /** The removal was done by the card itself (drop): wait for the port to see it. */
    async function wentAway(slot: SlotIndex, from: number): Promise<void> {
      await h.events.waitFor(`card-removed on ${h.readers[slot]}`, isRemoved(h.readers[slot]), from);
      await h.remove(slot);
      inSlot[slot] = undefined;
    }

    async function withConnection<T>(slot: SlotIndex, work: (c: CardConnection) => Promise<T>): Promise<T> {
      const connection = await h.port.connect(h.readers[slot]);
      try {
        return await work(connection);
      } finally {
        await connection.disconnect();
      }
    }

    beforeAll(async () => {
      h = await setup();
    });

    afterAll(async () => {
      await h?.dispose();
    });

    // ---- readers and events -------------------------------------------------------------

    it('lists its two readers, announced by reader-added, service available', () => {
      expect(h.port.serviceAvailable()).toBe(true);
      expect(h.port.readers().map((r) => r.name)).toEqual([...h.readers]);
      const added = h.events.all.flatMap((e) => (e.type === 'reader-added' ? [e.reader] : []));
      expect(added).toEqual([...h.readers]);
      for (const snapshot of h.port.readers()) {
        expect(snapshot).toMatchObject({ cardPresent: false, inUse: false, mute: false });
        expect(snapshot.atr).toBeUndefined();
      }
    });

    it('card-inserted carries the right ATR for a CPS3 and a Vitale 2; readers() agrees', async () => {
      const cpsEvent = await place(0, cps3);
      const vitaleEvent = await place(1, vitale2);
      expect(toHex(cpsEvent!.atr)).toBe(toHex(CPS3_ATR));
      expect(toHex(vitaleEvent!.atr)).toBe(toHex(VITALE2_ATR));
      const [first, second] = h.port.readers();
      expect(first).toMatchObject({ name: h.readers[0], cardPresent: true, inUse: false, mute: false });
      expect(second).toMatchObject({ name: h.readers[1], cardPresent: true, inUse: false, mute: false });
      expect(toHex(first!.atr!)).toBe(toHex(CPS3_ATR));
      expect(toHex(second!.atr!)).toBe(toHex(VITALE2_ATR));
    });

    it('card-removed when a card is pulled out; readers() then shows the slot empty', async () => {
      await place(1, vitale2);
      await takeOut(1); // waits for card-removed
      expect(h.port.readers()[1]).toMatchObject({ name: h.readers[1], cardPresent: false });
      expect(h.port.readers()[1]!.atr).toBeUndefined();
      const inserted = await place(1, vitale2);
      expect(toHex(inserted!.atr)).toBe(toHex(VITALE2_ATR));
    });

    // ---- one connection ---------------------------------------------------------------------

    it('connects in T=0 to the CPS3; transmit returns data + SW (≥ 2 bytes), 61xx left to the caller', async () => {
      await place(0, cps3);
      await withConnection(0, async (c) => {
        expect(c.connected).toBe(true);
        expect(c.reader).toBe(h.readers[0]);
        expect(c.protocol).toBe('T0');
        expect(c.share).toBe('shared');
        expect(toHex(c.atr)).toBe(toHex(CPS3_ATR));
        expect(toHex(await c.transmit(SELECT_MF))).toBe('90 00');
        const announce = await c.transmit(SELECT_EF_SN_ICC_FCP);
        expect(announce).toHaveLength(2);
        expect(announce[0]).toBe(0x61);
        const fcp = await c.transmit(Uint8Array.of(0x00, 0xc0, 0x00, 0x00, announce[1]!));
        expect(fcp.length).toBe(announce[1]! + 2);
        expect(toHex(fcp.subarray(-2))).toBe('90 00');
      });
    });

    it('an APDU shorter than 4 bytes fails with InvalidApdu at once, without reaching the card', async () => {
      await place(0, cps3);
      await withConnection(0, async (c) => {
        const before = cps3.commands.length;
        const started = Date.now();
        const error = await expectCode(c.transmit(Uint8Array.of(0x00, 0xa4, 0x04)), 'InvalidApdu');
        expect(error.details).toMatchObject({ reader: h.readers[0], length: 3 });
        await expectCode(c.transmit(new Uint8Array(0)), 'InvalidApdu');
        expect(Date.now() - started).toBeLessThan(200);
        expect(cps3.commands.length).toBe(before);
        expect(c.connected).toBe(true);
        expect(toHex(await c.transmit(SELECT_MF))).toBe('90 00');
      });
    });

    it('T=1 asked of a T=0-only card: ProtocolMismatch', async () => {
      await place(0, cps3);
      const error = await expectCode(h.port.connect(h.readers[0], { protocol: 'T1' }), 'ProtocolMismatch');
      expect(error.details).toMatchObject({ reader: h.readers[0] });
      await withConnection(0, async (c) => expect(toHex(await c.transmit(SELECT_MF))).toBe('90 00'));
    });

    it('connect on an unknown reader: ReaderUnavailable', async () => {
      await expectCode(h.port.connect('Pas de lecteur de ce nom 00 00'), 'ReaderUnavailable');
    });

    it('disconnect twice is fine; transmit afterwards: ConnectionClosed', async () => {
      await place(0, cps3);
      const c = await h.port.connect(h.readers[0]);
      expect(toHex(await c.transmit(SELECT_MF))).toBe('90 00');
      await c.disconnect();
      await c.disconnect();
      expect(c.connected).toBe(false);
      await expectCode(c.transmit(SELECT_MF), 'ConnectionClosed');
      // The card is left as it was: a new connection works.
      await withConnection(0, async (again) => expect(toHex(await again.transmit(SELECT_MF))).toBe('90 00'));
    });

    it('warm and cold reset reach the card and keep it usable, with the same ATR', async () => {
      await place(0, cps3);
      await withConnection(0, async (c) => {
        const { resets, powerOns } = cps3;
        await c.reset('warm');
        expect(cps3.resets).toBeGreaterThan(resets);
        expect(toHex(await c.transmit(SELECT_MF))).toBe('90 00');
        await c.reset('cold');
        expect(cps3.powerOns).toBeGreaterThan(powerOns);
        expect(toHex(c.atr)).toBe(toHex(CPS3_ATR));
        expect(c.connected).toBe(true);
        expect(toHex(await c.transmit(SELECT_MF))).toBe('90 00');
      });
    });

    it('an exclusive connection makes other connects fail with SharingViolation, until it is released', async () => {
      await place(0, cps3);
      const exclusive = await h.port.connect(h.readers[0], { share: 'exclusive' });
      try {
        expect(exclusive.share).toBe('exclusive');
        expect(toHex(await exclusive.transmit(SELECT_MF))).toBe('90 00');
        await expectCode(h.port.connect(h.readers[0]), 'SharingViolation');
      } finally {
        await exclusive.disconnect();
      }
      await withConnection(0, async (shared) => {
        await expectCode(h.port.connect(h.readers[0], { share: 'exclusive' }), 'SharingViolation');
        expect(toHex(await shared.transmit(SELECT_MF))).toBe('90 00');
      });
    });

    it('a reset through another connection: CardReset once, then the connection goes on', async () => {
      await place(0, cps3);
      const a = await h.port.connect(h.readers[0]);
      const b = await h.port.connect(h.readers[0]);
      try {
        expect(toHex(await b.transmit(SELECT_MF))).toBe('90 00');
        await a.reset('warm');
        await expectCode(b.transmit(SELECT_MF), 'CardReset');
        expect(toHex(await b.transmit(SELECT_MF))).toBe('90 00');
        expect(toHex(await a.transmit(SELECT_MF))).toBe('90 00');
      } finally {
        await a.disconnect();
        await b.disconnect();
      }
    });

    // ---- the layers above -----------------------------------------------------------------

    it('identifyCard over CardChannel confirms the CPS3 (serial 00012345) and names the Vitale 2', async () => {
      await place(0, cps3);
      await place(1, vitale2);
      const cps = await withConnection(0, (c) => identifyCard(c.atr, new CardChannel(c)));
      expect(cps).toMatchObject({ type: 'cps3', confirmed: true, serialNumber: '00012345' });
      const vitale = await withConnection(1, (c) => identifyCard(c.atr, new CardChannel(c)));
      expect(vitale).toMatchObject({ type: 'vitale2', confirmed: false });
      expect(vitale.label.fr).toMatch(/Vitale/);
    });

    it('inspectCard gives the same result as on the in-process demo reader (CPS3 and Vitale 2)', async () => {
      await place(0, cps3);
      await place(1, vitale2);
      const reference = createDemoReader();
      const comparable = ({ reader: _reader, ...rest }: CardInspection) => rest;
      for (const slot of [0, 1] as const) {
        const got = await inspectCard(h.port, findReader(h.port, h.readers[slot]));
        const expected = await inspectCard(reference, findReader(reference, SIMULATOR_READER_NAMES[slot]));
        expect(got.reader).toBe(h.readers[slot]);
        expect(comparable(got)).toEqual(comparable(expected));
        expect(got.error).toBeUndefined();
      }
      // And from the default choice (first reader with a card): the CPS slot.
      expect((await inspectCard(h.port, findReader(h.port))).identification).toMatchObject({
        type: 'cps3',
        confirmed: true,
        serialNumber: '00012345',
      });
    });

    // ---- test card in slot 1: concurrency, removal, slow, mute, drop ------------------------

    it('concurrent transmits on one connection all succeed, in call order', async () => {
      await place(1, testCard);
      await withConnection(1, async (c) => {
        const before = testCard.commands.length;
        const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => c.transmit(echo(Uint8Array.of(i)))));
        answers.forEach((a, i) => expect(toHex(a)).toBe(toHex(Uint8Array.of(i, 0x90, 0x00))));
        expect(testCard.commands.slice(before).map((cmd) => cmd[5])).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      });
    });

    it('connected turns false as soon as the card is pulled out', async () => {
      await place(1, testCard);
      const c = await h.port.connect(h.readers[1]);
      try {
        expect(c.connected).toBe(true);
        await takeOut(1);
        expect(c.connected).toBe(false);
      } finally {
        await c.disconnect();
      }
    });

    it('card pulled out while connected: CardRemoved (also after it is back), a new connection works', async () => {
      await place(1, testCard);
      const c = await h.port.connect(h.readers[1]);
      expect(toHex(await c.transmit(PLAIN))).toBe('90 00');
      await takeOut(1);
      await expectCode(c.transmit(PLAIN), 'CardRemoved');
      expect(c.connected).toBe(false);
      await place(1, testCard);
      await expectCode(c.transmit(PLAIN), 'CardRemoved');
      await c.disconnect();
      await withConnection(1, async (again) => expect(toHex(await again.transmit(PLAIN))).toBe('90 00'));
    });

    it('slow card: CardNotResponding after the watchdog, ConnectionBroken meanwhile, then it recovers (cold reset)', async () => {
      await place(1, testCard);
      await withConnection(1, async (c) => {
        const powerOns = testCard.powerOns;
        const started = Date.now();
        const error = await expectCode(c.transmit(SLOW_CMD), 'CardNotResponding');
        expect(Date.now() - started).toBeGreaterThanOrEqual(h.transmitTimeoutMs - 20);
        expect(error.details).toMatchObject({ reader: h.readers[1], timeoutMs: h.transmitTimeoutMs });
        expect(c.connected).toBe(false);
        await expectCode(c.transmit(PLAIN), 'ConnectionBroken');
        const deadline = Date.now() + SLOW_MS + 3000;
        while (!c.connected && Date.now() < deadline) await sleep(10);
        expect(c.connected).toBe(true);
        expect(testCard.powerOns).toBeGreaterThan(powerOns);
        expect(toHex(await c.transmit(PLAIN))).toBe('90 00');
      });
    });

    describe('mute card', () => {
      let c: CardConnection | undefined;

      afterAll(async () => {
        await c?.disconnect();
      });

      it('CardNotResponding after the watchdog; later calls, reset and connect fail fast', async () => {
        await place(1, testCard);
        const reader = h.readers[1];
        c = await h.port.connect(reader);
        expect(toHex(await c.transmit(PLAIN))).toBe('90 00');
        const started = Date.now();
        // Fired together: the call queued behind the hung one must not wait for ever.
        const [hung, queued] = await Promise.all([failure(c.transmit(MUTE_CMD)), failure(c.transmit(PLAIN))]);
        const elapsed = Date.now() - started;
        expect(hung.code).toBe('CardNotResponding');
        expect(hung.details).toMatchObject({ reader, operation: 'transmit', timeoutMs: h.transmitTimeoutMs });
        expect(queued.code).toBe('ConnectionBroken');
        expect(elapsed).toBeGreaterThanOrEqual(h.transmitTimeoutMs - 20);
        expect(elapsed).toBeLessThan(h.transmitTimeoutMs + 1000);
        expect(c.connected).toBe(false);

        const fast = Date.now();
        await expectCode(c.transmit(PLAIN), 'ConnectionBroken');
        await expectCode(c.reset('cold'), 'ConnectionBroken');
        await expectCode(h.port.connect(reader), 'CardNotResponding');
        expect(Date.now() - fast).toBeLessThan(100);
      });

      it('pulled out: the stuck connection closes with CardRemoved', async () => {
        expect(c).toBeDefined();
        // Pulling the card out is the only cure: the connection closes for good.
        await takeOut(1);
        let last: EcpsError | undefined;
        const deadline = Date.now() + 3000;
        do {
          last = await failure(c!.transmit(PLAIN));
          if (last.code !== 'ConnectionBroken') break;
          await sleep(20);
        } while (Date.now() < deadline);
        expect(c!.connected).toBe(false);
        expect(last.code).toBe('CardRemoved');
      });

      it('inserted again: a new connection works', async () => {
        await place(1, testCard);
        await withConnection(1, async (fresh) => expect(toHex(await fresh.transmit(PLAIN))).toBe('90 00'));
      });
    });

    it('card pulled out mid-APDU: CardRemoved, never data; the code stays, disconnect included', async () => {
      await place(1, testCard);
      const c = await h.port.connect(h.readers[1]);
      expect(toHex(await c.transmit(PLAIN))).toBe('90 00');
      const from = h.events.mark();
      const error = await expectCode(c.transmit(DROP_CMD), 'CardRemoved');
      expect(error.text('fr')).toMatch(/retirée/);
      expect(c.connected).toBe(false);
      await expectCode(c.transmit(PLAIN), 'CardRemoved');
      await wentAway(1, from);
      expect(h.port.readers()[1]!.cardPresent).toBe(false);
      await c.disconnect();
      await c.disconnect();
      await expectCode(c.transmit(PLAIN), 'CardRemoved');
    });

    it('connect on an empty slot: NoCard', async () => {
      await place(1, undefined);
      const error = await expectCode(h.port.connect(h.readers[1]), 'NoCard');
      expect(error.details).toMatchObject({ reader: h.readers[1] });
    });

    // ---- errors ---------------------------------------------------------------------------

    it('every error was an EcpsError from the shared vocabulary, with French and English text', () => {
      expect(seen.length).toBeGreaterThan(15);
      for (const error of seen) {
        expect(error).toBeInstanceOf(EcpsError);
        expect(pcscErrors.has(error.code), `${error.code} is a PC/SC port code`).toBe(true);
        expect(error.text('fr').length).toBeGreaterThan(5);
        expect(error.text('en').length).toBeGreaterThan(5);
        expect(error.text('fr')).not.toBe(error.text('en'));
        expect(error.message).toBe(error.text('fr'));
      }
      const codes = new Set(seen.map((e) => e.code));
      expect([...codes].sort()).toEqual(
        [
          'CardNotResponding',
          'CardRemoved',
          'CardReset',
          'ConnectionBroken',
          'ConnectionClosed',
          'InvalidApdu',
          'NoCard',
          'ProtocolMismatch',
          'ReaderUnavailable',
          'SharingViolation',
        ].sort(),
      );
    });
  });
}
