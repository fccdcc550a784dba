/**
 * The CPU cost of our layers alone, per APDU: the same PcscCardConnection and CardChannel
 * code as in production, over a stand-in pcsc-mini Card that answers at once (9000). Far
 * less noisy than the end-to-end rounds, and it says how many µs we add to each APDU.
 */
import { performance } from 'node:perf_hooks';
import { PcscCardConnection } from '../native-bindings/pcsc/card-connection';
import type { NativeCard } from '../native-bindings/pcsc/native';
import { CardChannel } from '../src-main/card/channel';
import { encodeCommand, type CommandApdu } from '../src-main/card/apdu';
import { median } from './stats';

function instantCard(): NativeCard {
  const ok = Uint8Array.of(0x90, 0x00);
  const card = {
    transmit: (_apdu: Uint8Array, out: ArrayBuffer) => {
      const view = new Uint8Array(out, 0, 2);
      view.set(ok);
      return Promise.resolve(view);
    },
  };
  return card as unknown as NativeCard;
}

async function perApdu(count: number, send: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < count; i++) await send();
  return ((performance.now() - t0) * 1000) / count;
}

/** µs per APDU for: the stand-in card alone, through PcscCardConnection, through CardChannel. */
export async function measureJsCost(apdu: CommandApdu, count = 20000, rounds = 7) {
  const card = instantCard();
  const noop = { onStuck() {}, onClosed() {}, onAtr() {} };
  const connection = new PcscCardConnection({
    reader: 'bench', share: 'shared', card, atr: new Uint8Array(0), protocol: 'T0',
    transmitTimeoutMs: 15000, controlTimeoutMs: 10000, hooks: noop, logger: {},
  });
  const channel = new CardChannel(connection);
  const out = new ArrayBuffer(65538);
  const bytes = encodeCommand(apdu);
  const raw: number[] = [];
  const port: number[] = [];
  const chan: number[] = [];
  for (let round = 0; round < rounds; round++) {
    raw.push(await perApdu(count, () => card.transmit(bytes, out)));
    port.push(await perApdu(count, () => connection.transmit(bytes)));
    chan.push(await perApdu(count, () => channel.transmit(apdu)));
  }
  return { raw: median(raw), readerPort: median(port) - median(raw), cardChannel: median(chan) - median(raw) };
}
