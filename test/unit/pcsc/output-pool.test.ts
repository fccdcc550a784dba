/**
 * pcsc-mini keeps every distinct output buffer it is given for good (measured: 64 KiB per
 * buffer, never freed): connections must reuse pooled buffers, and a buffer whose call is
 * still running after a timeout must not be handed to another call.
 */
import { describe, expect, it } from 'vitest';
import { PcscCardConnection } from '../../../native-bindings/pcsc/card-connection';
import type { NativeCard } from '../../../native-bindings/pcsc/native';

const noop = { onStuck() {}, onClosed() {}, onAtr() {} };

function connectionOver(card: Partial<NativeCard>, transmitTimeoutMs = 15_000) {
  return new PcscCardConnection({
    reader: 'pool', share: 'shared', card: card as NativeCard, atr: new Uint8Array(0), protocol: 'T0',
    transmitTimeoutMs, controlTimeoutMs: 10_000, hooks: noop, logger: {},
  });
}

describe('output buffers given to pcsc-mini', () => {
  it('50 connections one after the other reuse one buffer, and each response is a copy of its own', async () => {
    const seen = new Set<ArrayBuffer>();
    const responses: Uint8Array[] = [];
    for (let i = 0; i < 50; i++) {
      const connection = connectionOver({
        transmit: (_apdu: Uint8Array, out?: ArrayBuffer) => {
          seen.add(out!);
          const view = new Uint8Array(out!, 0, 3);
          view.set([i, 0x90, 0x00]);
          return Promise.resolve(view);
        },
      });
      responses.push(await connection.transmit(Uint8Array.of(0, 0xa4, 0, 0x0c)));
    }
    expect(seen.size).toBe(1);
    expect(responses.map((r) => r[0])).toEqual([...Array(50).keys()]);
    expect(responses.every((r) => r.buffer !== [...seen][0])).toBe(true);
  });

  it('a call still running after its timeout keeps its buffer; the next call gets another', async () => {
    const given: ArrayBuffer[] = [];
    let answerLate: (() => void) | undefined;
    const mute = connectionOver({
      transmit: (_apdu: Uint8Array, out?: ArrayBuffer) => {
        given.push(out!);
        return new Promise((resolve) => {
          answerLate = () => resolve(new Uint8Array(out!, 0, 2));
        });
      },
      reconnect: () => Promise.resolve(),
      state: () => Promise.resolve({ atr: new Uint8Array(0), protocol: 1, status: 0 }),
    } as unknown as Partial<NativeCard>, 50);
    await expect(mute.transmit(Uint8Array.of(0, 0xa4, 0, 0x0c))).rejects.toMatchObject({ code: 'CardNotResponding' });
    const other = connectionOver({
      transmit: (_apdu: Uint8Array, out?: ArrayBuffer) => {
        given.push(out!);
        return Promise.resolve(new Uint8Array(out!, 0, 2));
      },
    });
    await other.transmit(Uint8Array.of(0, 0xa4, 0, 0x0c));
    expect(given).toHaveLength(2);
    expect(given[1]).not.toBe(given[0]);
    answerLate?.();
  });
});
