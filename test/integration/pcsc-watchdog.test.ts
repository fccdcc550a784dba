/**
 * Watchdog: nothing below us times out (a mute card blocks transmit and connect forever), so
 * the port must raise CardNotResponding itself, never leave its queue blocked, and work again
 * once the card answers or is re-inserted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPcscRig, type PcscRig } from '../support/pcscd-rig';
import { VpcdSlot } from '../../simulators/cards/vpcd-bridge';
import { TestCard } from '../support/test-cards';
import { createPcscReaderPort } from '../../native-bindings/pcsc';
import { isEcpsError, type EcpsError } from '../../src-shared/errors';
import type { ReaderPort } from '../../src-shared/reader-port';
import { toHex } from '../../src-shared/hex';

const TIMEOUT_MS = 500;
const SELECT = Uint8Array.of(0x00, 0xa4, 0x04, 0x00);
const MUTE_CMD = Uint8Array.of(0x00, 0x88, 0x00, 0x00);

let rig: PcscRig;
let port: ReaderPort;
let slot: VpcdSlot;
let slowSlot: VpcdSlot;
const muteCard = new TestCard({ label: 'mute on INS 88', muteOn: 0x88 });

async function until(what: string, check: () => unknown, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

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
  slot = new VpcdSlot(muteCard, { port: rig.vpcdPort, slot: 0, stayInserted: false });
  slowSlot = new VpcdSlot(new TestCard({ delayMs: 1500 }), { port: rig.vpcdPort, slot: 1, stayInserted: false });
  await slot.insert();
  await slowSlot.insert();
  await new Promise((resolve) => setTimeout(resolve, 900));
  port = createPcscReaderPort({ transmitTimeoutMs: TIMEOUT_MS, connectTimeoutMs: TIMEOUT_MS });
  await port.start();
});

afterAll(async () => {
  await port?.stop();
  await slot?.remove();
  await slowSlot?.remove();
  await rig?.dispose();
});

describe('PC/SC watchdog', () => {
  it('mute card: CardNotResponding after the timeout, later calls fail fast, port works after re-insertion', async () => {
    const reader = rig.readerNames[0];
    const second = createPcscReaderPort({ connectTimeoutMs: TIMEOUT_MS });
    await second.start();
    const card = await port.connect(reader);
    expect(toHex(await card.transmit(SELECT))).toBe('90 00');

    const started = Date.now();
    // Fired together: the one behind the hung call must not wait forever in the queue.
    const [hung, queued] = await Promise.all([failure(card.transmit(MUTE_CMD)), failure(card.transmit(SELECT))]);
    const elapsed = Date.now() - started;
    expect(hung.code).toBe('CardNotResponding');
    expect(hung.details).toMatchObject({ reader, operation: 'transmit', timeoutMs: TIMEOUT_MS });
    expect(hung.text('fr')).toMatch(/ne répond plus/);
    expect(queued.code).toBe('ConnectionBroken');
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
    expect(elapsed).toBeLessThan(TIMEOUT_MS + 1000);
    expect(card.connected).toBe(false);

    // Later calls fail fast instead of piling up on the stuck handle.
    const t0 = Date.now();
    expect((await failure(card.transmit(SELECT))).code).toBe('ConnectionBroken');
    expect((await failure(port.connect(reader))).code).toBe('CardNotResponding');
    expect(Date.now() - t0).toBeLessThan(100);

    // Another port (or application) that knows nothing of the hang: its connect blocks inside
    // pcscd until the card goes away; the connect watchdog turns that into CardNotResponding.
    const c0 = Date.now();
    expect((await failure(second.connect(reader))).code).toBe('CardNotResponding');
    expect(Date.now() - c0).toBeLessThan(TIMEOUT_MS + 1000);

    // The only real cancel: pull the card. The stuck call returns, the connection closes.
    await slot.remove();
    let lastCode = '';
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline) {
      lastCode = (await failure(card.transmit(SELECT))).code;
      if (lastCode !== 'ConnectionBroken') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(lastCode).toBe('CardRemoved');
    await until('card-removed seen by the monitor', () => !port.readers()[0]!.cardPresent);

    await slot.insert();
    await until('card back', () => port.readers()[0]!.cardPresent && port.readers()[0]!.atr);
    const fresh = await port.connect(reader);
    expect(toHex(await fresh.transmit(SELECT))).toBe('90 00');
    await fresh.disconnect();
    await card.disconnect();
    await second.stop();
  });

  it('slow card: times out, then the connection recovers by itself (cold reset) once the card answers', async () => {
    const card = await port.connect(rig.readerNames[1]);
    const err = await failure(card.transmit(SELECT));
    expect(err.code).toBe('CardNotResponding');
    expect(card.connected).toBe(false);
    // The card answers after 1.5 s; the port then cold-resets it and the connection is usable.
    await until('connection recovered', () => card.connected, 5000);
    const started = Date.now();
    const per = await card.transmit(SELECT, { timeoutMs: 3000 });
    expect(toHex(per)).toBe('90 00');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    await card.disconnect();
  });
});
