/**
 * Retries never wrap a PIN command (VERIFY 20/21, CHANGE REFERENCE DATA 24, RESET RETRY
 * COUNTER 2C, or anything flagged sensitive): exactly one transmit, whatever the error.
 * Read-only commands are retried after transmission errors only, with back-off.
 */
import { describe, expect, it } from 'vitest';
import { defineErrorCatalog } from '../../../src-shared/errors';
import type { CardConnection } from '../../../src-shared/reader-port';
import { mayRetry, StrategyConnection, transmitWithRetry } from '../../../src-main/reader/fallback-retry';

const errors = defineErrorCatalog({
  TransactionError: { message: { fr: 'perdu', en: 'lost' } },
  CardNotResponding: { message: { fr: 'muet', en: 'mute' } },
});

function failingConnection(code: 'TransactionError' | 'CardNotResponding', failures = Infinity) {
  const sent: Uint8Array[] = [];
  const connection = {
    reader: 'r', atr: new Uint8Array(0), protocol: 'T0', share: 'shared', connected: true,
    transmit: async (command: Uint8Array) => {
      sent.push(command.slice());
      if (sent.length <= failures) throw errors.create(code);
      return Uint8Array.of(0x90, 0x00);
    },
    reset: async () => undefined, control: async () => new Uint8Array(0), disconnect: async () => undefined,
  } as CardConnection;
  return { connection, sent };
}

const noSleep = async () => undefined;
const VERIFY = Uint8Array.of(0x00, 0x20, 0x00, 0x01, 0x08, 0x31, 0x32, 0x33, 0x34, 0xff, 0xff, 0xff, 0xff);
const PIN_COMMANDS = {
  VERIFY,
  'VERIFY (odd INS 21)': Uint8Array.of(0x00, 0x21, 0x00, 0x01, 0x02, 0x31, 0x32),
  'CHANGE REFERENCE DATA': Uint8Array.of(0x00, 0x24, 0x00, 0x01, 0x02, 0x31, 0x32),
  'RESET RETRY COUNTER': Uint8Array.of(0x00, 0x2c, 0x00, 0x01, 0x02, 0x31, 0x32),
  'VERIFY on logical channel 1': Uint8Array.of(0x01, 0x20, 0x00, 0x81, 0x02, 0x31, 0x32),
};

describe('transmitWithRetry', () => {
  for (const [name, command] of Object.entries(PIN_COMMANDS)) {
    it(`${name}: exactly one transmit, even with retries allowed`, async () => {
      const { connection, sent } = failingConnection('TransactionError');
      await expect(transmitWithRetry(connection, command, { retries: 5, sleep: noSleep })).rejects.toMatchObject({ code: 'TransactionError' });
      expect(sent).toHaveLength(1);
    });
  }

  it('a command flagged sensitive is never retried, whatever its INS', async () => {
    const { connection, sent } = failingConnection('TransactionError');
    const select = Uint8Array.of(0x00, 0xa4, 0x04, 0x0c, 0x01, 0x00);
    await expect(transmitWithRetry(connection, select, { retries: 3, sensitive: true, sleep: noSleep })).rejects.toBeDefined();
    expect(sent).toHaveLength(1);
  });

  it('the strategy connection does not retry VERIFY either', async () => {
    const { connection, sent } = failingConnection('TransactionError');
    const strategy = new StrategyConnection(connection, { timeoutMs: 1000, retries: 3, backoffMs: 1 });
    await expect(strategy.transmit(VERIFY)).rejects.toBeDefined();
    expect(sent).toHaveLength(1);
  });

  it('READ BINARY: retried after a transmission error, with doubling back-off', async () => {
    const { connection, sent } = failingConnection('TransactionError', 2);
    const delays: number[] = [];
    const read = Uint8Array.of(0x00, 0xb0, 0x00, 0x00, 0xe7);
    const r = await transmitWithRetry(connection, read, { retries: 2, backoffMs: 10, sleep: async (ms) => void delays.push(ms) });
    expect(r).toEqual(Uint8Array.of(0x90, 0x00));
    expect(sent).toHaveLength(3);
    expect(delays).toEqual([10, 20]);
  });

  it('a watchdog (CardNotResponding) is not retried: the handle is busy until the card answers', async () => {
    const { connection, sent } = failingConnection('CardNotResponding');
    await expect(transmitWithRetry(connection, Uint8Array.of(0x00, 0xb0, 0, 0, 0x10), { retries: 3, sleep: noSleep })).rejects.toBeDefined();
    expect(sent).toHaveLength(1);
  });

  it('only read-only INS may be retried', () => {
    expect(mayRetry(Uint8Array.of(0x00, 0xa4, 0x04, 0x0c))).toBe(true);
    expect(mayRetry(Uint8Array.of(0x00, 0x88, 0x00, 0x00))).toBe(false); // INTERNAL AUTHENTICATE
    expect(mayRetry(Uint8Array.of(0x00, 0x2a, 0x9e, 0x9a))).toBe(false); // PSO CDS
    expect(mayRetry(Uint8Array.of(0x00, 0x22, 0x41, 0xa4))).toBe(false); // MSE SET
  });
});
