import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CardChannel, getResponseCla, type ExchangeTraceEntry } from '../../../src-main/card/channel';
import { parseHex, toHex } from '../../../src-shared/hex';
import { reply, ScriptedConnection, sw } from './fake-connection';

/** A card that delivers `data` in `chunks` through 61xx / GET RESPONSE (T=0 style). */
function chunkedCard(data: Uint8Array, chunkSizes: number[], options: { firstWithData: boolean; sw1: number }) {
  const chunks: Uint8Array[] = [];
  let at = 0;
  for (const size of chunkSizes) {
    if (at >= data.length) break;
    chunks.push(data.subarray(at, at + size));
    at += size;
  }
  if (at < data.length) chunks.push(data.subarray(at));
  let next = 0;
  // 61xx (or 9Fxx) announcing the next chunk, 9000 after the last one; xx = 00 means 256.
  const announce = (): number => (next < chunks.length ? (options.sw1 << 8) | (chunks[next]!.length & 0xff) : 0x9000);
  const clas: number[] = [];
  const connection = new ScriptedConnection((cmd) => {
    if (cmd.ins !== 0xc0) {
      if (!options.firstWithData || chunks.length === 0) return sw(announce());
      const first = chunks[next++]!;
      return reply(first, announce());
    }
    clas.push(cmd.cla);
    const chunk = chunks[next];
    if (!chunk || cmd.le !== chunk.length) return sw(0x6700); // the channel must ask exactly what was announced
    next++;
    return reply(chunk, announce());
  });
  return { connection, chunks, clas };
}

describe('CardChannel.transmit: 61xx and GET RESPONSE', () => {
  it('returns exactly the data, whatever the chunking, in the fewest exchanges', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 1500 }),
        fc.array(fc.integer({ min: 1, max: 256 }), { minLength: 1, maxLength: 40 }),
        fc.boolean(),
        fc.constantFrom(0x00, 0x01, 0x03, 0x0c, 0x10, 0x45, 0x80),
        async (data, sizes, firstWithData, cla) => {
          const card = chunkedCard(data, sizes, { firstWithData, sw1: 0x61 });
          const channel = new CardChannel(card.connection);
          const r = await channel.transmit({ cla, ins: 0xca, p1: 0x01, p2: 0x00, le: 256 });
          expect(toHex(r.data)).toBe(toHex(data));
          expect(r.sw).toBe(0x9000);
          const expected = card.chunks.length === 0 ? 1 : firstWithData ? card.chunks.length : card.chunks.length + 1;
          expect(card.connection.sent.length).toBe(expected);
          for (const c of card.clas) expect(c).toBe(getResponseCla(cla));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('sends case-4 commands as case 3 when asked, and collects the data with GET RESPONSE', async () => {
    const card = chunkedCard(parseHex('0102030405')!, [5], { firstWithData: false, sw1: 0x61 });
    const channel = new CardChannel(card.connection, { case4AsCase3: true });
    const r = await channel.transmit({ cla: 0, ins: 0x88, p1: 0, p2: 0, data: parseHex('AABB')!, le: 256 });
    expect(toHex(r.data)).toBe('01 02 03 04 05');
    expect(card.connection.sent.map((c) => toHex(c))).toEqual(['00 88 00 00 02 AA BB', '00 C0 00 00 05']);
  });

  it('treats 9Fxx as "bytes available" for the CPS2ter class A0 only, unless disabled', async () => {
    const data = parseHex('11223344')!;
    const a0 = chunkedCard(data, [4], { firstWithData: false, sw1: 0x9f });
    expect(toHex((await new CardChannel(a0.connection).transmit({ cla: 0xa0, ins: 0xb0, p1: 0, p2: 0, le: 4 })).data)).toBe('11 22 33 44');
    expect(a0.clas).toEqual([0xa0]);
    const iso = chunkedCard(data, [4], { firstWithData: false, sw1: 0x9f });
    expect((await new CardChannel(iso.connection).transmit({ cla: 0x00, ins: 0xb0, p1: 0, p2: 0, le: 4 })).sw).toBe(0x9f04);
    const off = chunkedCard(data, [4], { firstWithData: false, sw1: 0x9f });
    const r = await new CardChannel(off.connection, { cps2terBytesAvailable: false }).transmit({ cla: 0xa0, ins: 0xb0, p1: 0, p2: 0, le: 4 });
    expect(r.sw).toBe(0x9f04);
  });

  it('stops a card that announces data forever', async () => {
    const endless = new ScriptedConnection(() => reply([0x00], 0x6101));
    await expect(new CardChannel(endless, { maxGetResponses: 10 }).transmit({ cla: 0, ins: 0xca, p1: 0, p2: 0, le: 1 })).rejects.toMatchObject({
      code: 'TooManyGetResponses',
    });
    expect(endless.sent.length).toBe(11);
    const big = new ScriptedConnection(() => reply(new Uint8Array(256), 0x6100));
    await expect(new CardChannel(big, { maxResponseBytes: 1000 }).transmit({ cla: 0, ins: 0xca, p1: 0, p2: 0, le: 256 })).rejects.toMatchObject({
      code: 'ResponseTooLarge',
    });
  });
});

describe('CardChannel.transmit: 6Cxx', () => {
  it('re-issues the same command once with the exact Le', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 256 }), fc.integer({ min: 1, max: 256 }), fc.integer({ min: 0, max: 255 }), async (asked, exact, seed) => {
        const data = new Uint8Array(exact).map((_, i) => (i + seed) & 0xff);
        const connection = new ScriptedConnection((cmd) => (cmd.le === exact ? reply(data, 0x9000) : sw(0x6c00 | (exact & 0xff))));
        const r = await new CardChannel(connection).transmit({ cla: 0, ins: 0xb0, p1: 0, p2: 0x10, le: asked });
        expect(toHex(r.data)).toBe(toHex(data));
        expect(connection.sent.length).toBe(asked === exact ? 1 : 2);
        if (asked !== exact) expect(toHex(connection.sent[1]!.subarray(0, 4))).toBe('00 B0 00 10');
      }),
      { numRuns: 100 },
    );
  });

  it('gives up when the card asks for another length again', async () => {
    let n = 0;
    const connection = new ScriptedConnection(() => sw(0x6c00 | (++n + 3)));
    await expect(new CardChannel(connection).transmit({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 1 })).rejects.toMatchObject({ code: 'WrongLengthRepeated' });
    expect(connection.sent.length).toBe(2);
  });
});

type EndOfFile = 'short' | '6282' | '6C';

/** A transparent EF answering READ BINARY like the three end-of-file behaviours seen on cards. */
function fileCard(file: Uint8Array, eof: EndOfFile) {
  return new ScriptedConnection((cmd) => {
    if (cmd.ins !== 0xb0) return sw(0x6d00);
    const offset = (cmd.p1 << 8) | cmd.p2;
    const le = cmd.le ?? 256;
    if (offset >= file.length) return sw(0x6b00);
    const part = file.subarray(offset, offset + le);
    if (part.length === le) return reply(part, 0x9000);
    if (eof === '6282') return reply(part, 0x6282);
    if (eof === '6C') return sw(0x6c00 | part.length);
    return reply(part, 0x9000);
  });
}

describe('CardChannel.readBinary / readWholeFile', () => {
  const arbitraryFile = fc.tuple(fc.integer({ min: 0, max: 2500 }), fc.integer({ min: 0, max: 255 })).map(([n, s]) => new Uint8Array(n).map((_, i) => (i * 7 + s) & 0xff));
  const eofStyle = fc.constantFrom<EndOfFile>('short', '6282', '6C');

  it('reads the whole file exactly, in the fewest READ BINARY', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryFile, fc.integer({ min: 1, max: 256 }), eofStyle, async (file, chunk, eof) => {
        const connection = fileCard(file, eof);
        const content = await new CardChannel(connection, { maxReadChunk: chunk }).readWholeFile();
        expect(toHex(content)).toBe(toHex(file));
        const rest = file.length % chunk;
        // Full chunks, then one read that meets the end (6B00 when the size is a multiple).
        const expected = Math.floor(file.length / chunk) + 1 + (rest > 0 && eof === '6C' ? 1 : 0);
        expect(connection.sent.length).toBe(expected);
        for (const c of connection.sent) expect(c[c.length - 1] === 0 ? 256 : c[c.length - 1]).toBeLessThanOrEqual(chunk);
      }),
      { numRuns: 200 },
    );
  });

  it('reads any known range exactly with ceil(length / chunk) commands', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryFile, fc.integer({ min: 1, max: 256 }), eofStyle, fc.nat(), fc.nat(), async (file, chunk, eof, a, b) => {
        const offset = file.length === 0 ? 0 : a % file.length;
        const length = file.length - offset === 0 ? 0 : b % (file.length - offset + 1);
        const connection = fileCard(file, eof);
        const content = await new CardChannel(connection, { maxReadChunk: chunk }).readBinary(offset, length);
        expect(toHex(content)).toBe(toHex(file.subarray(offset, offset + length)));
        expect(connection.sent.length).toBe(Math.ceil(length / chunk));
      }),
      { numRuns: 200 },
    );
  });

  it('reads in chunks of 231 bytes by default (Cryptolib max_recv_size 0xE7) with the offset in P1-P2', async () => {
    const connection = fileCard(new Uint8Array(500), 'short');
    await new CardChannel(connection).readBinary(0, 500);
    expect(connection.sent.map((c) => toHex(c))).toEqual(['00 B0 00 00 E7', '00 B0 00 E7 E7', '00 B0 01 CE 26']);
  });

  it('refuses offsets READ BINARY cannot address and reports card refusals', async () => {
    const channel = new CardChannel(fileCard(new Uint8Array(10), 'short'));
    await expect(channel.readBinary(0x8000, 1)).rejects.toMatchObject({ code: 'ReadOffsetOutOfRange' });
    const locked = new CardChannel(new ScriptedConnection(() => sw(0x6982)));
    await expect(locked.readBinary(0, 4)).rejects.toMatchObject({ code: 'CardRefused', details: { sw: '6982' } });
  });
});

describe('CardChannel commands and trace', () => {
  it('builds SELECT by AID, FID and path as the CPx cards expect', async () => {
    const connection = new ScriptedConnection(() => sw(0x9000));
    const channel = new CardChannel(connection);
    await channel.selectByAid(parseHex('E828BD080F8025000001FF0010')!);
    await channel.selectByFid(0x3f00);
    await channel.selectByPath('3F00/D003');
    await channel.selectByPath([0x0001, 0xd120]);
    await channel.selectByAid(parseHex('A000000151000000')!, 0x00);
    expect(connection.sent.map((c) => toHex(c))).toEqual([
      '00 A4 04 0C 0D E8 28 BD 08 0F 80 25 00 00 01 FF 00 10',
      '00 A4 00 0C 02 3F 00',
      '00 A4 08 0C 02 D0 03',
      '00 A4 09 0C 04 00 01 D1 20',
      '00 A4 04 00 08 A0 00 00 01 51 00 00 00 00',
    ]);
  });

  it('keeps GET RESPONSE on the logical channel of the command', () => {
    expect(getResponseCla(0x01)).toBe(0x01);
    expect(getResponseCla(0x0c)).toBe(0x00);
    expect(getResponseCla(0x13)).toBe(0x03);
    expect(getResponseCla(0x65)).toBe(0x45);
    expect(getResponseCla(0xa0)).toBe(0xa0);
  });

  it('reports every physical exchange, flagging sensitive commands for redaction', async () => {
    const entries: ExchangeTraceEntry[] = [];
    const card = chunkedCard(parseHex('0102')!, [2], { firstWithData: false, sw1: 0x61 });
    const channel = new CardChannel(card.connection, { onExchange: (e) => entries.push(e) });
    await channel.transmit({ cla: 0, ins: 0x20, p1: 0, p2: 1, data: parseHex('31323334FFFFFFFF')!, sensitive: true });
    expect(entries.length).toBe(2);
    expect(entries[0]).toMatchObject({ sensitive: true });
    expect(toHex(entries[0]!.response)).toBe('61 02');
    expect(entries[1]).toMatchObject({ sensitive: false });
    expect(toHex(entries[1]!.command)).toBe('00 C0 00 00 02');
    for (const e of entries) expect(e.ms).toBeGreaterThanOrEqual(0);
  });
});
