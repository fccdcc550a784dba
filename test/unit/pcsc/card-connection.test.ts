/**
 * PcscCardConnection against a fake pcsc-mini Card that reproduces the measured behaviour:
 * one task at a time, a second call THROWS CardIsBusy synchronously, calls after disconnect
 * throw NoCardConnection synchronously, and a hung call never settles on its own.
 */
import { describe, expect, it, vi } from 'vitest';
import { PcscCardConnection, type ConnectionHooks } from '../../../native-bindings/pcsc/card-connection';
import { pcsc, type NativeCard } from '../../../native-bindings/pcsc/native';
import { isEcpsError, type EcpsError } from '../../../src-shared/errors';
import { toHex } from '../../../src-shared/hex';

const APDU = Uint8Array.of(0x00, 0xa4, 0x04, 0x00);
const ATR = Uint8Array.of(0x3b, 0x00);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function nativeError(code: string) {
  return Object.assign(new Error('Async task error'), { code });
}

class FakeCard {
  busy = false;
  closed = false;
  calls: string[] = [];
  /** Next transmit answers: bytes, a native error code, or 'hang' (settled by release()). */
  script: (Uint8Array | string)[] = [];
  release: ((value: Uint8Array) => void) | undefined;
  delayMs = 1;
  atr = ATR;

  private run<T>(name: string, work: () => Promise<T>): Promise<T> {
    if (this.busy) throw nativeError('CardIsBusy');
    if (this.closed) throw nativeError('NoCardConnection');
    this.calls.push(name);
    this.busy = true;
    return work().finally(() => {
      this.busy = false;
    });
  }

  transmit(input: Uint8Array, out?: ArrayBuffer) {
    return this.run('transmit', async () => {
      const next = this.script.shift() ?? Uint8Array.of(input[1]!, 0x90, 0x00);
      if (next === 'hang') return new Promise<Uint8Array>((resolve) => (this.release = resolve));
      await sleep(this.delayMs);
      if (typeof next === 'string') throw nativeError(next);
      // Like pcsc-mini: the answer is a view into the output buffer it was given.
      const view = new Uint8Array(out!, 0, next.length);
      view.set(next);
      return view;
    });
  }
  control(_code: number, _data?: Uint8Array, out?: ArrayBuffer) {
    return this.run('control', async () => {
      const view = new Uint8Array(out!, 0, 1);
      view[0] = 7;
      return view;
    });
  }
  reconnect(_mode: number, disposition: number) {
    return this.run(`reconnect:${disposition}`, async () => pcsc.Protocol.T1);
  }
  state() {
    return this.run('state', async () => ({ atr: this.atr, protocol: pcsc.Protocol.T1, readerName: 'R', status: {} }));
  }
  disconnect(disposition: number) {
    return this.run(`disconnect:${disposition}`, async () => {
      this.closed = true;
    });
  }
}

function open(fake: FakeCard, transmitTimeoutMs = 200) {
  const hooks: ConnectionHooks & { stuck: boolean[]; closed: number } = {
    stuck: [],
    closed: 0,
    onStuck: (_r, s) => hooks.stuck.push(s),
    onClosed: () => hooks.closed++,
    onAtr: vi.fn(),
  };
  const conn = new PcscCardConnection({
    reader: 'R',
    share: 'shared',
    card: fake as unknown as NativeCard,
    atr: ATR,
    protocol: 'T0',
    transmitTimeoutMs,
    controlTimeoutMs: 200,
    hooks,
    logger: {},
  });
  return { conn, hooks };
}

async function failure(p: Promise<unknown>): Promise<EcpsError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isEcpsError(err)) throw new Error(`expected EcpsError, got ${String(err)}`);
  return err;
}

describe('PcscCardConnection', () => {
  it('serialises concurrent calls (the fake throws CardIsBusy like pcsc-mini) and keeps order', async () => {
    const fake = new FakeCard();
    const { conn } = open(fake);
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => conn.transmit(Uint8Array.of(0, i, 0, 0))),
    );
    answers.forEach((a, i) => expect(toHex(a)).toBe(toHex(Uint8Array.of(i, 0x90, 0))));
  });

  it('copies answers out of the reused output buffer', async () => {
    const { conn } = open(new FakeCard());
    const first = await conn.transmit(Uint8Array.of(0, 1, 0, 0));
    await conn.transmit(Uint8Array.of(0, 2, 0, 0));
    expect(toHex(first)).toBe('01 90 00');
  });

  it('never throws synchronously: native sync throws become typed rejections', async () => {
    const fake = new FakeCard();
    fake.closed = true; // next call throws NoCardConnection synchronously
    const { conn } = open(fake);
    let promise: Promise<unknown> | undefined;
    expect(() => (promise = conn.transmit(APDU))).not.toThrow();
    expect((await failure(promise!)).code).toBe('ConnectionClosed');
  });

  it('rejects APDUs shorter than 4 bytes without calling the card', async () => {
    const fake = new FakeCard();
    const { conn } = open(fake);
    expect((await failure(conn.transmit(Uint8Array.of(0, 0xa4, 0)))).code).toBe('InvalidApdu');
    expect(fake.calls).toEqual([]);
  });

  it('treats a response shorter than 2 bytes as a removed card and closes', async () => {
    const fake = new FakeCard();
    fake.script = [new Uint8Array(0)];
    const { conn, hooks } = open(fake);
    const err = await failure(conn.transmit(APDU));
    expect(err.code).toBe('CardRemoved');
    expect(err.details.responseLength).toBe(0);
    expect(conn.connected).toBe(false);
    expect(hooks.closed).toBe(1);
    await sleep(5);
    expect(fake.calls).toContain(`disconnect:${pcsc.CardDisposition.LEAVE}`);
  });

  it('watchdog: CardNotResponding, queued calls fail fast, then recovers with a cold reset', async () => {
    const fake = new FakeCard();
    fake.script = ['hang'];
    const { conn, hooks } = open(fake, 50);
    const started = Date.now();
    const [hung, queued] = await Promise.all([failure(conn.transmit(APDU)), failure(conn.transmit(APDU))]);
    expect(hung.code).toBe('CardNotResponding');
    expect(queued.code).toBe('ConnectionBroken');
    expect(Date.now() - started).toBeLessThan(150);
    expect(conn.connected).toBe(false);
    expect(hooks.stuck).toEqual([true]);
    // The card finally answers: the handle is free, the port cold-resets it.
    fake.release!(Uint8Array.of(0x90, 0x00));
    await vi.waitFor(() => expect(conn.connected).toBe(true));
    expect(hooks.stuck).toEqual([true, false]);
    expect(fake.calls).toContain(`reconnect:${pcsc.CardDisposition.UNPOWER}`);
    expect(toHex(await conn.transmit(APDU))).toBe('A4 90 00');
  });

  it('watchdog then disconnect: the handle is released once the stuck call returns', async () => {
    const fake = new FakeCard();
    fake.script = ['hang'];
    const { conn } = open(fake, 30);
    expect((await failure(conn.transmit(APDU))).code).toBe('CardNotResponding');
    await conn.disconnect();
    expect(fake.calls.some((c) => c.startsWith('disconnect'))).toBe(false);
    fake.release!(new Uint8Array(0));
    await vi.waitFor(() => expect(fake.calls).toContain(`disconnect:${pcsc.CardDisposition.LEAVE}`));
    expect((await failure(conn.transmit(APDU))).code).toBe('ConnectionClosed');
  });

  it('after ResetCard (another app reset the card) reconnects before the next call', async () => {
    const fake = new FakeCard();
    fake.script = ['ResetCard'];
    const { conn } = open(fake);
    expect((await failure(conn.transmit(APDU))).code).toBe('CardReset');
    expect(toHex(await conn.transmit(APDU))).toBe('A4 90 00');
    expect(fake.calls.slice(-2)).toEqual([`reconnect:${pcsc.CardDisposition.LEAVE}`, 'transmit']);
  });

  it('closes on NoService (handle dead after a pcscd restart)', async () => {
    const fake = new FakeCard();
    fake.script = ['NoService'];
    const { conn } = open(fake);
    expect((await failure(conn.transmit(APDU))).code).toBe('ServiceUnavailable');
    expect(conn.connected).toBe(false);
    expect((await failure(conn.transmit(APDU))).code).toBe('ServiceUnavailable');
  });

  it('reset: warm = RESET, cold = UNPOWER; refreshes ATR and protocol', async () => {
    const fake = new FakeCard();
    const { conn, hooks } = open(fake);
    fake.atr = Uint8Array.of(0x3b, 0x01);
    await conn.reset('warm');
    await conn.reset('cold');
    expect(fake.calls).toEqual([
      `reconnect:${pcsc.CardDisposition.RESET}`,
      'state',
      `reconnect:${pcsc.CardDisposition.UNPOWER}`,
      'state',
    ]);
    expect(toHex(conn.atr)).toBe('3B 01');
    expect(conn.protocol).toBe('T1');
    expect(hooks.onAtr).toHaveBeenCalled();
  });

  it('control copies its answer; disconnect is idempotent and uses LEAVE once', async () => {
    const fake = new FakeCard();
    const { conn } = open(fake);
    expect(Array.from(await conn.control(0x42000d48))).toEqual([7]);
    await Promise.all([conn.disconnect(), conn.disconnect()]);
    await conn.disconnect();
    expect(fake.calls.filter((c) => c.startsWith('disconnect'))).toEqual([`disconnect:${pcsc.CardDisposition.LEAVE}`]);
    expect(conn.connected).toBe(false);
  });
});
