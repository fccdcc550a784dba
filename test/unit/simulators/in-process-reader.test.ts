import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDemoReader, createVirtualCard } from '../../../simulators/cards/catalog';
import { createCps3 } from '../../../simulators/cards/cps3';
import { applyFaults } from '../../../simulators/cards/faults';
import { InProcessReader, SIMULATOR_READER_NAMES } from '../../../simulators/cards/in-process-reader';
import type { CardReply, VirtualCard } from '../../../simulators/cards/virtual-card';
import { isEcpsError } from '../../../src-shared/errors';
import { toHex } from '../../../src-shared/hex';
import type { ReaderEvent } from '../../../src-shared/reader-port';
import { hex } from './helpers';

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
    expect(() => reader.insert(5, createCps3())).toThrow(expect.objectContaining({ code: 'UnknownReader' }));
    await expectCode(reader.connect('Lecteur inconnu'), 'UnknownReader');
  });

  it('reports NoSmartCard on an empty slot', async () => {
    const reader = createDemoReader({ vitale: null });
    await expectCode(reader.connect(VITALE_SLOT), 'NoSmartCard');
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
    await expectCode(reader.connect(CPS_SLOT, { protocol: 'T1' }), 'ProtoMismatch');
    expect((await reader.connect(VITALE_SLOT)).protocol).toBe('T1');
    await expectCode(reader.connect(VITALE_SLOT, { protocol: 'T0' }), 'ProtoMismatch');
  });

  it('rejects APDUs shorter than 4 bytes without bothering the card', async () => {
    const card = createCps3();
    const spy = vi.spyOn(card, 'transmit');
    const reader = createDemoReader({ cps: card });
    const connection = await reader.connect(CPS_SLOT);
    await expectCode(connection.transmit(hex('00 A4 00')), 'ApduTooShort');
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
    await expectCode(first.transmit(SELECT_MF), 'InvalidHandle');
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

  it('turns a mute card into CardNotResponding after the watchdog, and keeps serving afterwards', async () => {
    vi.useFakeTimers();
    const reader = createDemoReader({ cps: applyFaults(createCps3(), ['mute:1']), transmitTimeoutMs: 1000 });
    const connection = await reader.connect(CPS_SLOT);
    expect(toHex(await connection.transmit(SELECT_MF))).toBe('90 00');
    const hung = connection.transmit(SELECT_MF);
    const check = expectCode(hung, 'CardNotResponding');
    await vi.advanceTimersByTimeAsync(999);
    let settled = false;
    void hung.catch(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await check;
    await connection.reset('cold'); // power-cycling revives a hung card
    expect(toHex(await connection.transmit(SELECT_MF, { timeoutMs: 50 }))).toBe('90 00');
  });

  it('gives up on a card slower than the per-call watchdog', async () => {
    vi.useFakeTimers();
    const reader = createDemoReader({ cps: applyFaults(createCps3(), ['slow:200']) });
    const connection = await reader.connect(CPS_SLOT);
    const late = expectCode(connection.transmit(SELECT_MF, { timeoutMs: 100 }), 'CardNotResponding');
    await vi.advanceTimersByTimeAsync(100);
    await late;
    const onTime = connection.transmit(SELECT_MF, { timeoutMs: 500 });
    await vi.advanceTimersByTimeAsync(400);
    expect(toHex(await onTime)).toBe('90 00');
  });

  it('reports CardRemoved and a card-removed event when the card drops mid-command', async () => {
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
  });

  it('ends a wait on a mute card as soon as the card is pulled out', async () => {
    const reader = createDemoReader({ cps: applyFaults(createCps3(), ['mute']), transmitTimeoutMs: 60_000 });
    const connection = await reader.connect(CPS_SLOT);
    const pending = connection.transmit(SELECT_MF);
    await Promise.resolve();
    reader.remove(CPS_SLOT);
    await expectCode(pending, 'CardRemoved');
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
    await expectCode(b.transmit(SELECT_MF), 'ResetCard');
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
