import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDemoReader, createVirtualCard } from '../../../simulators/cards/catalog';
import { createCps3 } from '../../../simulators/cards/cps3';
import { applyFaults } from '../../../simulators/cards/faults';
import { InProcessReader, SIMULATOR_READER_NAMES } from '../../../simulators/cards/in-process-reader';
import type { CardReply, VirtualCard } from '../../../simulators/cards/virtual-card';
import { isEcpsError } from '../../../src-shared/errors';
import { toHex } from '../../../src-shared/hex';
import type { ReaderEvent } from '../../../src-shared/reader-port';
import { ATR_T0_T1, TestCard } from '../../support/test-cards';
import { hex } from './helpers';

/** The methods of a card, bound, so a test can replace one of them. */
function bind(card: VirtualCard): VirtualCard {
  return {
    label: card.label,
    atr: () => card.atr(),
    powerOn: () => card.powerOn(),
    powerOff: () => card.powerOff(),
    reset: () => card.reset(),
    transmit: (command) => card.transmit(command),
  };
}

const [CPS_SLOT, VITALE_SLOT] = SIMULATOR_READER_NAMES;
const SELECT_MF = hex('00 A4 00 0C 02 3F 00');

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isEcpsError(error, code), `expected ${code}, got ${String(error)}`).toBe(true);
}

function recorder(reader: InProcessReader): ReaderEvent[] {
  const events: ReaderEvent[] = [];
  reader.onEvent((e) => events.push(e));
  return events;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('in-process reader: slots and events', () => {
  it('announces its two slots and the cards present at start, then insertions and removals', async () => {
    const reader = new InProcessReader();
    const events = recorder(reader);
    reader.insert(0, createCps3());
    expect(events).toEqual([]); // nothing before start()
    await reader.start();
    expect(events.map((e) => e.type)).toEqual(['reader-added', 'reader-added', 'card-inserted']);
    expect(events[2]).toMatchObject({ reader: CPS_SLOT });
    reader.insert(VITALE_SLOT, createVirtualCard('vitale2'));
    reader.remove(0);
    expect(events.slice(3).map((e) => `${e.type} ${'reader' in e ? e.reader : ''}`)).toEqual([
      `card-inserted ${VITALE_SLOT}`,
      `card-removed ${CPS_SLOT}`,
    ]);
    expect(reader.readers().map((r) => r.cardPresent)).toEqual([false, true]);
    expect(toHex(reader.readers()[1]!.atr!)).toMatch(/^3B 75 13/);
    expect(reader.kind).toBe('simulator');
    expect(reader.serviceAvailable()).toBe(true);
  });

  it('refuses a second card in an occupied slot and unknown slots', async () => {
    const reader = createDemoReader();
    expect(() => reader.insert(0, createCps3())).toThrow(expect.objectContaining({ code: 'SlotOccupied' }));
    expect(() => reader.insert(5, createCps3())).toThrow(expect.objectContaining({ code: 'ReaderUnavailable' }));
    await expectCode(reader.connect('Lecteur inconnu'), 'ReaderUnavailable');
  });

  it('reports NoCard on an empty slot', async () => {
    const reader = createDemoReader({ vitale: null });
    await expectCode(reader.connect(VITALE_SLOT), 'NoCard');
  });

  it('gives snapshots the PC/SC shape: inUse and mute always present', () => {
    const reader = createDemoReader({ vitale: null });
    expect(reader.readers()).toEqual([
      { name: CPS_SLOT, cardPresent: true, atr: expect.any(Uint8Array), inUse: false, mute: false },
      { name: VITALE_SLOT, cardPresent: false, inUse: false, mute: false },
    ]);
  });
});

describe('in-process reader: connections', () => {
  it('connects in T=0 to a CPS3 and exchanges APDUs, GET RESPONSE included', async () => {
    const reader = createDemoReader();
    const connection = await reader.connect(CPS_SLOT);
    expect(connection.protocol).toBe('T0');
    expect(toHex(connection.atr)).toBe('3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00');
    expect(toHex(await connection.transmit(hex('00 A4 08 04 04 3F 00 D0 03 00')))).toMatch(/^61 /);
    expect(toHex(await connection.transmit(hex('00 C0 00 00 00')))).toMatch(/^6C /);
  });

  it('refuses T=1 on a T=0-only card, and gives T=1 to the foreign card', async () => {
    const reader = createDemoReader({ vitale: createVirtualCard('foreign') });
    await expectCode(reader.connect(CPS_SLOT, { protocol: 'T1' }), 'ProtocolMismatch');
    expect((await reader.connect(VITALE_SLOT)).protocol).toBe('T1');
    await expectCode(reader.connect(VITALE_SLOT, { protocol: 'T0' }), 'ProtocolMismatch');
  });

  it('rejects APDUs shorter than 4 bytes without bothering the card', async () => {
    const card = createCps3();
    const spy = vi.spyOn(card, 'transmit');
    const reader = createDemoReader({ cps: card });
    const connection = await reader.connect(CPS_SLOT);
    await expectCode(connection.transmit(hex('00 A4 00')), 'InvalidApdu');
    await expectCode(connection.transmit(new Uint8Array(0)), 'InvalidApdu');
    expect(spy).not.toHaveBeenCalled();
  });

  it('honours exclusive access', async () => {
    const reader = createDemoReader();
    const first = await reader.connect(CPS_SLOT, { share: 'exclusive' });
    expect(reader.readers()[0]!.inUse).toBe(true);
    await expectCode(reader.connect(CPS_SLOT), 'SharingViolation');
    await first.disconnect();
    await first.disconnect(); // safe twice
    const shared = await reader.connect(CPS_SLOT);
    await expectCode(reader.connect(CPS_SLOT, { share: 'exclusive' }), 'SharingViolation');
    await expectCode(first.transmit(SELECT_MF), 'ConnectionClosed');
    expect(toHex(await shared.transmit(SELECT_MF))).toBe('90 00');
  });

  it('serialises concurrent transmits on one card', async () => {
    const log: string[] = [];
    const inner = createCps3();
    const card: VirtualCard = {
      label: 'slow',
      atr: () => inner.atr(),
      powerOn: () => inner.powerOn(),
      powerOff: () => inner.powerOff(),
      reset: () => inner.reset(),
      async transmit(command): Promise<CardReply> {
        log.push(`start ${command[1]!.toString(16)}`);
        await new Promise((r) => setTimeout(r, 5));
        log.push(`end ${command[1]!.toString(16)}`);
        return inner.transmit(command);
      },
    };
    const reader = createDemoReader({ cps: card });
    const a = await reader.connect(CPS_SLOT);
    const b = await reader.connect(CPS_SLOT);
    await Promise.all([a.transmit(SELECT_MF), b.transmit(hex('00 B0 00 00 01')), a.transmit(hex('00 E2 00 00'))]);
    expect(log).toEqual(['start a4', 'end a4', 'start b0', 'end b0', 'start e2', 'end e2']);
  });

  it('mute card: CardNotResponding after the watchdog, then ConnectionBroken at once, until the card is pulled out', async () => {
    vi.useFakeTimers();
    const reader = createDemoReader({ cps: applyFaults(createCps3(), ['mute:1']), transmitTimeoutMs: 1000 });
    const connection = await reader.connect(CPS_SLOT);
    expect(toHex(await connection.transmit(SELECT_MF))).toBe('90 00');
    // Fired together: the call queued behind the hung one must not wait for ever.
    const hung = connection.transmit(SELECT_MF);
    const queued = connection.transmit(SELECT_MF);
    const checks = Promise.all([expectCode(hung, 'CardNotResponding'), expectCode(queued, 'ConnectionBroken')]);
    let settled = false;
    void hung.catch(() => (settled = true));
    await vi.advanceTimersByTimeAsync(999);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await checks;
    const error = await hung.catch((e: unknown) => e);
    expect(error).toMatchObject({ details: { reader: CPS_SLOT, operation: 'transmit', timeoutMs: 1000 } });
    expect(connection.connected).toBe(false);
    // Stuck: everything fails fast, a reset included (the PC/SC handle is busy too).
    await expectCode(connection.transmit(SELECT_MF), 'ConnectionBroken');
    await expectCode(connection.reset('cold'), 'ConnectionBroken');
    await expectCode(connection.control(0x42000000 + 3400), 'ConnectionBroken');
    await expectCode(reader.connect(CPS_SLOT), 'CardNotResponding');
    // Pulling the card out ends the hung call: the connection is closed for good.
    const card = reader.remove(CPS_SLOT)!;
    await vi.advanceTimersByTimeAsync(0);
    await expectCode(connection.transmit(SELECT_MF), 'CardRemoved');
    await connection.disconnect();
    await expectCode(connection.transmit(SELECT_MF), 'CardRemoved');
    // Inserted again (power-up revives a hung card): a new connection works.
    reader.insert(CPS_SLOT, card);
    const fresh = await reader.connect(CPS_SLOT);
    expect(toHex(await fresh.transmit(SELECT_MF))).toBe('90 00');
  });

  it('slow card: CardNotResponding, then the connection recovers by itself (cold reset) once the card answers', async () => {
    vi.useFakeTimers();
    const card = applyFaults(createCps3(), ['slow:200']);
    const reader = createDemoReader({ cps: card });
    const connection = await reader.connect(CPS_SLOT);
    const powerOn = vi.spyOn(card, 'powerOn');
    const late = expectCode(connection.transmit(SELECT_MF, { timeoutMs: 100 }), 'CardNotResponding');
    await vi.advanceTimersByTimeAsync(100);
    await late;
    expect(connection.connected).toBe(false);
    await expectCode(connection.transmit(SELECT_MF), 'ConnectionBroken');
    await vi.advanceTimersByTimeAsync(100); // the card answers (late), the port cold-resets it
    expect(connection.connected).toBe(true);
    expect(powerOn).toHaveBeenCalledTimes(1);
    const onTime = connection.transmit(SELECT_MF, { timeoutMs: 500 });
    await vi.advanceTimersByTimeAsync(200);
    expect(toHex(await onTime)).toBe('90 00');
  });

  it('disconnect while stuck: ConnectionClosed; the slot accepts connections once the late call returns', async () => {
    vi.useFakeTimers();
    const reader = createDemoReader({ cps: applyFaults(createCps3(), ['slow:300']) });
    const connection = await reader.connect(CPS_SLOT);
    const late = expectCode(connection.transmit(SELECT_MF, { timeoutMs: 100 }), 'CardNotResponding');
    await vi.advanceTimersByTimeAsync(100);
    await late;
    await connection.disconnect();
    await expectCode(connection.transmit(SELECT_MF), 'ConnectionClosed');
    await expectCode(reader.connect(CPS_SLOT), 'CardNotResponding');
    await vi.advanceTimersByTimeAsync(200);
    expect(connection.connected).toBe(false);
    const fresh = await reader.connect(CPS_SLOT);
    const answer = fresh.transmit(SELECT_MF);
    await vi.advanceTimersByTimeAsync(300);
    expect(toHex(await answer)).toBe('90 00');
  });

  it('a call on another connection waits for the hung card and times out too', async () => {
    vi.useFakeTimers();
    const reader = createDemoReader({ cps: applyFaults(createCps3(), ['mute']), transmitTimeoutMs: 100 });
    const a = await reader.connect(CPS_SLOT);
    const b = await reader.connect(CPS_SLOT);
    const both = Promise.all([expectCode(a.transmit(SELECT_MF), 'CardNotResponding'), expectCode(b.transmit(SELECT_MF), 'CardNotResponding')]);
    await vi.advanceTimersByTimeAsync(100);
    await both;
    expect([a.connected, b.connected]).toEqual([false, false]);
  });

  it('reports CardRemoved and a card-removed event when the card drops mid-command; the code stays', async () => {
    const reader = createDemoReader({ cps: applyFaults(createCps3(), ['drop:2']) });
    await reader.start();
    const events = recorder(reader);
    const connection = await reader.connect(CPS_SLOT);
    await connection.transmit(SELECT_MF);
    await expectCode(connection.transmit(SELECT_MF), 'CardRemoved');
    expect(events).toEqual([{ type: 'card-removed', reader: CPS_SLOT }]);
    expect(connection.connected).toBe(false);
    expect(reader.readers()[0]!.cardPresent).toBe(false);
    await expectCode(connection.transmit(SELECT_MF), 'CardRemoved');
    await connection.disconnect();
    await connection.disconnect();
    // As the PC/SC port: the first closing reason wins.
    await expectCode(connection.transmit(SELECT_MF), 'CardRemoved');
  });

  it('ends a wait on a mute card as soon as the card is pulled out', async () => {
    const reader = createDemoReader({ cps: applyFaults(createCps3(), ['mute']), transmitTimeoutMs: 60_000 });
    const connection = await reader.connect(CPS_SLOT);
    const pending = connection.transmit(SELECT_MF);
    await Promise.resolve();
    reader.remove(CPS_SLOT);
    await expectCode(pending, 'CardRemoved');
  });

  it('treats a reply shorter than 2 bytes as a removal (never data) and closes, as vpcd + the PC/SC port do', async () => {
    const inner = createCps3();
    const card: VirtualCard = { ...bind(inner), transmit: () => new Uint8Array(1) };
    const reader = createDemoReader({ cps: card });
    const connection = await reader.connect(CPS_SLOT);
    const error = await connection.transmit(SELECT_MF).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CardRemoved', details: { responseLength: 1 } });
    expect(connection.connected).toBe(false);
    expect(reader.readers()[0]!.cardPresent).toBe(true);
  });

  it('turns an exception of a virtual card into InternalError; the connection goes on', async () => {
    const inner = createCps3();
    let fail = true;
    const card: VirtualCard = {
      ...bind(inner),
      transmit: (command) => {
        if (fail) throw new Error('bug in the virtual card');
        return inner.transmit(command);
      },
    };
    const connection = await createDemoReader({ cps: card }).connect(CPS_SLOT);
    const error = await connection.transmit(SELECT_MF).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'InternalError', cause: expect.any(Error) });
    fail = false;
    expect(toHex(await connection.transmit(SELECT_MF))).toBe('90 00');
  });

  it('keeps the protocol negotiated by the first connect until the next reset, as pcscd does', async () => {
    const reader = createDemoReader({ cps: new TestCard({ atr: ATR_T0_T1 }), vitale: null });
    const t1 = await reader.connect(CPS_SLOT, { protocol: 'T1' });
    expect((await reader.connect(CPS_SLOT)).protocol).toBe('T1');
    await expectCode(reader.connect(CPS_SLOT, { protocol: 'T0' }), 'ProtocolMismatch');
    await t1.reset('cold');
    expect(t1.protocol).toBe('T1');
    reader.insert(0, reader.remove(0)!); // power-up: negotiated afresh
    expect((await reader.connect(CPS_SLOT)).protocol).toBe('T0');
  });

  it('checks sharing before presence and protocol, as pcscd does', async () => {
    const reader = createDemoReader();
    await reader.connect(CPS_SLOT, { share: 'exclusive' });
    await expectCode(reader.connect(CPS_SLOT, { protocol: 'T1' }), 'SharingViolation');
  });

  it('keeps a connection dead after the card is swapped', async () => {
    const reader = createDemoReader();
    const connection = await reader.connect(CPS_SLOT);
    reader.remove(0);
    reader.insert(0, createCps3());
    await expectCode(connection.transmit(SELECT_MF), 'CardRemoved');
    expect(toHex(await (await reader.connect(CPS_SLOT)).transmit(SELECT_MF))).toBe('90 00');
  });

  it('tells other connections once that the card was reset', async () => {
    const reader = createDemoReader();
    const a = await reader.connect(CPS_SLOT);
    const b = await reader.connect(CPS_SLOT);
    await a.reset('warm');
    await expectCode(b.transmit(SELECT_MF), 'CardReset');
    expect(toHex(await b.transmit(SELECT_MF))).toBe('90 00');
    expect(toHex(await a.transmit(SELECT_MF))).toBe('90 00');
  });

  it('answers the PC/SC feature request with no features and refuses other control codes', async () => {
    const connection = await createDemoReader().connect(CPS_SLOT);
    expect(await connection.control(0x42000000 + 3400)).toHaveLength(0);
    await expectCode(connection.control(0x42000000 + 1), 'UnsupportedFeature');
  });

  it('stop() closes the connections', async () => {
    const reader = createDemoReader();
    await reader.start();
    const connection = await reader.connect(CPS_SLOT);
    await reader.stop();
    expect(connection.connected).toBe(false);
  });
});
