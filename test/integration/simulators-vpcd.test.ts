/**
 * The virtual cards behind the real PC/SC stack: a private pcscd with the vpcd driver, a CPS3
 * in slot 0 and a Vitale 2 in slot 1 of the virtual dual-slot reader, driven through
 * pcsc-mini directly (native-bindings/pcsc is written in parallel; tests may import anything).
 */
import type * as PcscModule from 'pcsc-mini';
import type { Client as PcscClient, Reader as PcscReader } from 'pcsc-mini';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCps3, CPS3_ATR } from '../../simulators/cards/cps3';
import { VpcdSlot } from '../../simulators/cards/vpcd-bridge';
import { createVitale2, VITALE2_ATR } from '../../simulators/cards/vitale2';
import { parseHex, toHex } from '../../src-shared/hex';
import { startPcscRig, type PcscRig } from '../support/pcscd-rig';

// Type-only imports are erased: the library itself is loaded in beforeAll.
type Pcsc = typeof PcscModule;

let rig: PcscRig;
let pcsc: Pcsc;
let client: PcscClient | undefined;
const slots: VpcdSlot[] = [];
const readers = new Map<string, PcscReader>();
const present = new Map<string, boolean>();

async function waitFor(check: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}. pcscd said:\n${rig.log()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function apdu(text: string): Uint8Array {
  return parseHex(text)!;
}

beforeAll(async () => {
  rig = await startPcscRig();
  // Loaded only now: libpcsclite reads PCSCLITE_CSOCK_NAME, set by the rig, once per process.
  pcsc = await import('pcsc-mini');
  slots.push(new VpcdSlot(createCps3({ serialNumber: '12345678' }), { port: rig.vpcdPort, slot: 0 }));
  slots.push(new VpcdSlot(createVitale2(), { port: rig.vpcdPort, slot: 1 }));
  await Promise.all(slots.map((s) => s.insert()));
  client = new pcsc.Client()
    .on('reader', (reader) => {
      readers.set(reader.name(), reader);
      reader.on('change', (status) => present.set(reader.name(), status.has(pcsc.ReaderStatus.PRESENT)));
    })
    .start();
  await waitFor(() => rig.readerNames.every((n) => present.get(n) === true), 'both virtual cards to be present');
});

afterAll(async () => {
  client?.stop();
  for (const slot of slots) await slot.remove();
  await rig?.dispose();
});

describe('virtual cards through real pcscd', () => {
  it('CPS3 in slot 0: ATR, T=0, CPx AID selection and the 6A86 quirk (P2 = 00)', async () => {
    const card = await readers.get(rig.readerNames[0])!.connect(pcsc.CardMode.SHARED);
    const state = await card.state();
    expect(toHex(state.atr)).toBe(toHex(CPS3_ATR));
    expect(card.protocol()).toBe(pcsc.Protocol.T0);
    expect(toHex(await card.transmit(apdu('00 A4 04 0C 0D E8 28 BD 08 0F 80 25 00 00 01 FF 00 10')))).toBe('90 00');
    expect(toHex(await card.transmit(apdu('00 A4 04 00 0D E8 28 BD 08 0F 80 25 00 00 01 FF 00 10 00')))).toBe('6A 86');
    expect(toHex(await card.transmit(apdu('00 A4 04 04 0D E8 28 BD 08 0F 80 25 00 00 01 FF 00 10 00')))).toMatch(/^61 /);
    await card.disconnect(pcsc.CardDisposition.LEAVE);
  });

  it('CPS3: a T=0 GET RESPONSE round trip, then EF.SN.ICC by READ BINARY', async () => {
    const card = await readers.get(rig.readerNames[0])!.connect(pcsc.CardMode.SHARED, pcsc.Protocol.T0);
    const announce = await card.transmit(apdu('00 A4 08 04 04 3F 00 D0 03 00'));
    expect(announce).toHaveLength(2);
    expect(announce[0]).toBe(0x61);
    const fcp = await card.transmit(Uint8Array.of(0x00, 0xc0, 0x00, 0x00, announce[1]!));
    expect(toHex(fcp)).toContain('80 02 00 0C');
    expect(toHex(fcp.subarray(-2))).toBe('90 00');
    const sn = await card.transmit(apdu('00 B0 00 00 0C'));
    expect(toHex(sn.subarray(0, 11))).toBe('5A 0A 80 25 00 00 01 12 34 56 78');
    expect(toHex(sn.subarray(-2))).toBe('90 00');
    await card.disconnect(pcsc.CardDisposition.LEAVE);
  });

  it('Vitale 2 in slot 1: ATR and its own application, not the CPx one', async () => {
    const card = await readers.get(rig.readerNames[1])!.connect(pcsc.CardMode.SHARED);
    expect(toHex((await card.state()).atr)).toBe(toHex(VITALE2_ATR));
    expect(toHex(await card.transmit(apdu('00 A4 04 0C 0B D2 50 00 00 02 56 49 54 41 4C 45')))).toBe('90 00');
    expect(toHex(await card.transmit(apdu('00 A4 04 0C 0D E8 28 BD 08 0F 80 25 00 00 01 FF 00 10')))).toBe('6A 82');
    await card.disconnect(pcsc.CardDisposition.LEAVE);
  });

  it('removing the Vitale empties slot 1 and fails the open connection', async () => {
    const reader = readers.get(rig.readerNames[1])!;
    const card = await reader.connect(pcsc.CardMode.SHARED);
    await slots[1]!.remove();
    await waitFor(() => present.get(rig.readerNames[1]) === false, 'slot 1 to be empty');
    await expect(card.transmit(apdu('00 A4 00 0C 02 3F 00'))).rejects.toBeDefined();
    // The CPS in slot 0 is unaffected.
    expect(present.get(rig.readerNames[0])).toBe(true);
  });
});
