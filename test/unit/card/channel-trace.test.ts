import { describe, expect, it } from 'vitest';
import { EcpsError } from '../../../src-shared/errors';
import { CardChannel, type ExchangeTraceEntry } from '../../../src-main/card/channel';
import { ApduTrace } from '../../../src-main/reader/apdu-trace';
import { ScriptedConnection, sw } from './fake-connection';

const VERIFY = { cla: 0x00, ins: 0x20, p1: 0x00, p2: 0x01, data: Uint8Array.of(0x31, 0x32, 0x33, 0x34, 0xff, 0xff, 0xff, 0xff), sensitive: true };

describe('CardChannel trace and secrets', () => {
  it('traces an exchange that failed before any answer, with the error code', async () => {
    const connection = new ScriptedConnection(() => {
      throw new EcpsError('CardRemoved', { message: { fr: 'retirée', en: 'removed' } });
    });
    const trace = new ApduTrace();
    const channel = new CardChannel(connection, { onExchange: trace.record });
    await expect(channel.transmit(VERIFY)).rejects.toMatchObject({ code: 'CardRemoved' });
    const [entry] = trace.list();
    expect(entry?.sw).toBe('CardRemoved');
    expect(entry?.command).toMatch(/redacted/);
    expect(entry?.command).not.toMatch(/31 32 33 34/);
  });

  it('wipes its encoded copy of a sensitive command once sent, after the tracer has seen it', async () => {
    const seen: Uint8Array[] = [];
    const connection = new ScriptedConnection(() => sw(0x9000));
    const channel = new CardChannel(connection, { onExchange: (e: ExchangeTraceEntry) => seen.push(e.command) });
    await channel.transmit(VERIFY);
    // The card got the PIN block; the channel's own buffer no longer holds it.
    expect(connection.sent[0]!.subarray(5, 9)).toEqual(Uint8Array.of(0x31, 0x32, 0x33, 0x34));
    expect([...seen[0]!].every((b) => b === 0)).toBe(true);
    // A command that is not sensitive is left alone.
    await channel.transmit({ cla: 0x00, ins: 0xa4, p1: 0x00, p2: 0x0c, data: Uint8Array.of(0x3f, 0x00) });
    expect([...seen[1]!]).toEqual([0x00, 0xa4, 0x00, 0x0c, 0x02, 0x3f, 0x00]);
  });

  it('withCla keeps the connection and the options on another logical channel', async () => {
    const trace = new ApduTrace();
    const connection = new ScriptedConnection(() => sw(0x9000));
    const channel = new CardChannel(connection, { onExchange: trace.record }).withCla(0x01);
    await channel.selectByAid(Uint8Array.of(0x80, 0x25, 0x00, 0x00, 0x01, 0xff, 0x01, 0x00));
    expect(connection.sent[0]![0]).toBe(0x01);
    expect(trace.list()).toHaveLength(1);
  });
});
