/**
 * Another application holds the card (pharmacy software, GALSS…): the realistic case is a
 * second PROCESS holding an EXCLUSIVE connection (measured: the second connect is refused
 * within ~1–5 ms with SharingViolation).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPcscRig, type PcscRig } from '../support/pcscd-rig';
import { holdCard } from '../support/card-holder';
import { VpcdSlot } from '../../simulators/cards/vpcd-bridge';
import { TestCard } from '../support/test-cards';
import { createPcscReaderPort } from '../../native-bindings/pcsc';
import { isEcpsError, type EcpsError } from '../../src-shared/errors';
import type { ReaderPort } from '../../src-shared/reader-port';
import { toHex } from '../../src-shared/hex';

const SELECT = Uint8Array.of(0x00, 0xa4, 0x04, 0x00);

let rig: PcscRig;
let port: ReaderPort;
let slot: VpcdSlot;

/** A separate process that connects to the card with `mode` and holds it until told to stop. */
const holder = (mode: 'EXCLUSIVE' | 'SHARED') => holdCard(rig.socketPath, rig.readerNames[0]!, mode);

async function failure(promise: Promise<unknown>): Promise<EcpsError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isEcpsError(err)) throw new Error(`expected an EcpsError, got ${String(err)}`);
  return err;
}

beforeAll(async () => {
  rig = await startPcscRig();
  slot = new VpcdSlot(new TestCard(), { port: rig.vpcdPort, slot: 0, stayInserted: false });
  await slot.insert();
  await new Promise((resolve) => setTimeout(resolve, 900));
  port = createPcscReaderPort({ connectTimeoutMs: 3000 });
  await port.start();
});

afterAll(async () => {
  await port?.stop();
  await slot?.remove();
  await rig?.dispose();
});

describe('card held by another application', () => {
  it('EXCLUSIVE in another process: SharingViolation with a clear French message and remedy', async () => {
    const other = await holder('EXCLUSIVE');
    try {
      const started = Date.now();
      const err = await failure(port.connect(rig.readerNames[0]));
      expect(Date.now() - started).toBeLessThan(1000);
      expect(err.code).toBe('SharingViolation');
      expect(err.details).toMatchObject({ nativeCode: 'SharingViolation', reader: rig.readerNames[0] });
      expect(err.message).toMatch(/autre application/);
      expect(err.message).toMatch(/logiciel de pharmacie/);
      expect(err.message).toMatch(/GALSS/);
      expect(err.remedyText('fr')).toMatch(/Fermez/);
      expect(err.text('en')).toMatch(/another application/);
      expect(port.readers()[0]!.inUse).toBe(true);
    } finally {
      await other.release();
    }
    const card = await port.connect(rig.readerNames[0]);
    expect(toHex(await card.transmit(SELECT))).toBe('90 00');
    expect(port.readers()[0]!.inUse).toBe(false);
    await card.disconnect();
  });

  it('SHARED in another process: our shared connect works, our exclusive one is refused', async () => {
    const other = await holder('SHARED');
    try {
      const shared = await port.connect(rig.readerNames[0], { share: 'shared' });
      expect(toHex(await shared.transmit(SELECT))).toBe('90 00');
      await shared.disconnect();
      expect((await failure(port.connect(rig.readerNames[0], { share: 'exclusive' }))).code).toBe('SharingViolation');
    } finally {
      await other.release();
    }
    const exclusive = await port.connect(rig.readerNames[0], { share: 'exclusive' });
    expect(exclusive.share).toBe('exclusive');
    expect(toHex(await exclusive.transmit(SELECT))).toBe('90 00');
    await exclusive.disconnect();
  });

  it('two connections in this process: exclusive then shared is refused too', async () => {
    const first = await port.connect(rig.readerNames[0], { share: 'exclusive' });
    try {
      expect((await failure(port.connect(rig.readerNames[0]))).code).toBe('SharingViolation');
    } finally {
      await first.disconnect();
    }
  });
});
