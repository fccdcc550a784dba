/**
 * The PC/SC ReaderPort against a real private pcscd + vpcd (dual-slot virtual reader).
 * The rig is started before the first pcsc-mini call: libpcsclite reads PCSCLITE_CSOCK_NAME
 * once per process (each test file runs in its own process).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPcscRig, type PcscRig } from '../support/pcscd-rig';
import { VpcdSlot } from '../../simulators/cards/vpcd-bridge';
import { ATR_T0, ATR_T0_T1, TestCard, echo, longRead } from '../support/test-cards';
import { createPcscReaderPort } from '../../native-bindings/pcsc';
import { isEcpsError, type EcpsError } from '../../src-shared/errors';
import type { ReaderEvent, ReaderPort } from '../../src-shared/reader-port';
import { toHex } from '../../src-shared/hex';

let rig: PcscRig;
let port: ReaderPort;
const events: ReaderEvent[] = [];
const slots: VpcdSlot[] = [];

async function until<T>(what: string, check: () => T | undefined | false, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}; events: ${JSON.stringify(events)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function plug(card: TestCard, slot: 0 | 1): VpcdSlot {
  const s = new VpcdSlot(card, { port: rig.vpcdPort, slot, stayInserted: false });
  slots.push(s);
  return s;
}

async function expectCode(promise: Promise<unknown>, code: string) {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isEcpsError(err), `expected EcpsError ${code}, got ${String(err)}`).toBe(true);
  expect((err as { code: string }).code).toBe(code);
  return err as EcpsError;
}

const slot0Card = new TestCard({ label: 'T=0', atr: ATR_T0, delayMs: 5 });
const slot1Card = new TestCard({ label: 'T=0/T=1', atr: ATR_T0_T1 });

beforeAll(async () => {
  rig = await startPcscRig();
  await plug(slot0Card, 0).insert();
  await plug(slot1Card, 1).insert();
  // vpcd accepts a card on its next presence poll (every 400 ms).
  await new Promise((resolve) => setTimeout(resolve, 900));
  port = createPcscReaderPort({ transmitTimeoutMs: 2000, connectTimeoutMs: 2000 });
  port.onEvent((e) => events.push(e));
  await port.start();
});

afterAll(async () => {
  await port?.stop();
  for (const s of slots) await s.remove();
  await rig?.dispose();
});

describe('PC/SC reader port (pcscd + vpcd)', () => {
  it('lists both slots with the real ATR (read with card.state(), not the change event)', () => {
    expect(port.kind).toBe('pcsc');
    expect(port.serviceAvailable()).toBe(true);
    const readers = port.readers();
    expect(readers.map((r) => r.name)).toEqual([...rig.readerNames]);
    expect(toHex(readers[0]!.atr!)).toBe(toHex(ATR_T0));
    expect(toHex(readers[1]!.atr!)).toBe(toHex(ATR_T0_T1));
    expect(readers.every((r) => r.cardPresent && !r.inUse && !r.mute)).toBe(true);
    // One card-inserted per slot (the two slots are probed in parallel: any order).
    const atrOf = (reader: string) =>
      events.flatMap((e) => (e.type === 'card-inserted' && e.reader === reader ? [toHex(e.atr)] : []));
    expect(atrOf(rig.readerNames[0])).toEqual([toHex(ATR_T0)]);
    expect(atrOf(rig.readerNames[1])).toEqual([toHex(ATR_T0_T1)]);
    const added = events.filter((e) => e.type === 'reader-added').map((e) => e.type === 'reader-added' && e.reader);
    expect(added).toEqual([...rig.readerNames]);
  });

  it('reports card removal and insertion with the right ATR', async () => {
    const slot = slots[1]!;
    const from = events.length;
    await slot.remove();
    await until('card-removed', () => events.slice(from).some((e) => e.type === 'card-removed'));
    expect(port.readers()[1]).toMatchObject({ cardPresent: false });
    expect(port.readers()[1]!.atr).toBeUndefined();
    await slot.insert();
    const ev = await until('card-inserted', () => events.slice(from).find((e) => e.type === 'card-inserted'));
    expect(ev).toMatchObject({ reader: rig.readerNames[1] });
    expect(toHex((ev as { atr: Uint8Array }).atr)).toBe(toHex(ATR_T0_T1));
    expect(toHex(port.readers()[1]!.atr!)).toBe(toHex(ATR_T0_T1));
  });

  it('transmits: short answer, echo, and a 1000-byte answer (> 264-byte default buffer)', async () => {
    const card = await port.connect(rig.readerNames[0]);
    expect(card.connected).toBe(true);
    expect(card.protocol).toBe('T0');
    expect(toHex(card.atr)).toBe(toHex(ATR_T0));
    expect(toHex(await card.transmit(Uint8Array.of(0x00, 0xa4, 0x04, 0x00)))).toBe('90 00');
    expect(toHex(await card.transmit(echo(Uint8Array.of(1, 2, 3))))).toBe('01 02 03 90 00');
    const long = await card.transmit(longRead(1000));
    expect(long.length).toBe(1002);
    expect(long[999]).toBe(999 & 0xff);
    expect(toHex(long.subarray(1000))).toBe('90 00');
    await card.disconnect();
    await card.disconnect(); // idempotent
    expect(card.connected).toBe(false);
    await expectCode(card.transmit(Uint8Array.of(0, 0xa4, 0, 0)), 'ConnectionClosed');
  });

  it('serialises concurrent transmits: all succeed, in call order', async () => {
    const card = await port.connect(rig.readerNames[0]);
    const before = slot0Card.commands.length;
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => card.transmit(echo(Uint8Array.of(i)))),
    );
    results.forEach((r, i) => expect(toHex(r)).toBe(toHex(Uint8Array.of(i, 0x90, 0x00))));
    const seen = slot0Card.commands.slice(before).map((c) => c[5]);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    await card.disconnect();
  });

  it('rejects APDUs shorter than 4 bytes before sending them (they would hang vpcd)', async () => {
    const card = await port.connect(rig.readerNames[0]);
    const before = slot0Card.commands.length;
    const started = Date.now();
    await expectCode(card.transmit(new Uint8Array(0)), 'InvalidApdu');
    await expectCode(card.transmit(Uint8Array.of(0x00, 0xa4, 0x04)), 'InvalidApdu');
    expect(Date.now() - started).toBeLessThan(200);
    expect(slot0Card.commands.length).toBe(before);
    expect(toHex(await card.transmit(Uint8Array.of(0, 0xa4, 0, 0)))).toBe('90 00');
    await card.disconnect();
  });

  it('negotiates the requested protocol and maps ProtoMismatch', async () => {
    const t1 = await port.connect(rig.readerNames[1], { protocol: 'T1' });
    expect(t1.protocol).toBe('T1');
    expect(toHex(await t1.transmit(Uint8Array.of(0, 0xa4, 0, 0)))).toBe('90 00');
    await t1.disconnect();
    // Measured: pcscd keeps the protocol negotiated at power-up (PPS) while the card stays
    // powered; `any` then reports it, and asking for the other one fails with ProtoMismatch.
    const any = await port.connect(rig.readerNames[1], { protocol: 'any' });
    expect(any.protocol).toBe('T1');
    await any.disconnect();
    await expectCode(port.connect(rig.readerNames[1], { protocol: 'T0' }), 'ProtocolMismatch');
    // ATR_T0 offers T=0 only.
    const err = await expectCode(port.connect(rig.readerNames[0], { protocol: 'T1' }), 'ProtocolMismatch');
    expect(err.details.nativeCode).toBe('ProtoMismatch');
  });

  it('resets warm and cold, and the connection keeps working', async () => {
    const card = await port.connect(rig.readerNames[0]);
    const resets = slot0Card.resets;
    const powerOns = slot0Card.powerOns;
    await card.reset('warm');
    expect(slot0Card.resets).toBeGreaterThan(resets);
    await card.reset('cold');
    expect(slot0Card.powerOns).toBeGreaterThan(powerOns);
    expect(toHex(card.atr)).toBe(toHex(ATR_T0));
    expect(toHex(await card.transmit(Uint8Array.of(0, 0xa4, 0, 0)))).toBe('90 00');
    await card.disconnect();
  });

  it('maps control() on vpcd to UnsupportedFeature', async () => {
    const card = await port.connect(rig.readerNames[0]);
    const err = await expectCode(card.control(0x42000d48), 'UnsupportedFeature');
    expect(err.text('en')).toMatch(/reader/);
    expect(card.connected).toBe(true);
    await card.disconnect();
  });

  it('connect on an empty slot fails with NoCard; unknown reader with ReaderUnavailable', async () => {
    const slot = slots[1]!;
    await slot.remove();
    await until('slot 1 empty', () => !port.readers()[1]!.cardPresent);
    await expectCode(port.connect(rig.readerNames[1]), 'NoCard');
    await expectCode(port.connect('No Such Reader 00 00'), 'ReaderUnavailable');
    await slot.insert();
    await until('slot 1 full', () => port.readers()[1]!.cardPresent && port.readers()[1]!.atr);
  });

  it('card pulled out mid-command: a clear CardRemoved error, never data; the process lives on', async () => {
    const dropper = new TestCard({ label: 'drop', dropOn: 0x99 });
    const slot = slots[1]!;
    await slot.remove();
    await until('slot 1 empty', () => !port.readers()[1]!.cardPresent);
    await slot.insert(dropper);
    await until('dropper inserted', () => port.readers()[1]!.cardPresent && port.readers()[1]!.atr);
    const card = await port.connect(rig.readerNames[1]);
    expect(toHex(await card.transmit(Uint8Array.of(0, 0xa4, 0, 0)))).toBe('90 00');
    const err = await expectCode(card.transmit(Uint8Array.of(0x00, 0x99, 0x00, 0x00)), 'CardRemoved');
    expect(err.text('fr')).toMatch(/retirée/);
    expect(card.connected).toBe(false);
    await expectCode(card.transmit(Uint8Array.of(0, 0xa4, 0, 0)), 'CardRemoved');
    await until('card-removed event', () => !port.readers()[1]!.cardPresent);
    await card.disconnect();
    // Put a working card back for whoever comes next, and check the port still works.
    await slot.insert(slot1Card);
    await until('slot 1 back', () => port.readers()[1]!.cardPresent && port.readers()[1]!.atr);
    const again = await port.connect(rig.readerNames[1]);
    expect(toHex(await again.transmit(Uint8Array.of(0, 0xa4, 0, 0)))).toBe('90 00');
    await again.disconnect();
  });
});
