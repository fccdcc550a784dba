import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { apduCase, decodeCommand, encodeCommand, parseResponse, type CommandApdu } from '../../../src-main/card/apdu';
import { isEcpsError } from '../../../src-shared/errors';
import { parseHex, toHex } from '../../../src-shared/hex';

const byte = fc.integer({ min: 0, max: 255 });
const header = fc.record({ cla: byte, ins: byte, p1: byte, p2: byte });

function command(maxLc: number, maxLe: number): fc.Arbitrary<CommandApdu> {
  return fc
    .tuple(
      header,
      fc.option(fc.uint8Array({ minLength: 1, maxLength: maxLc }), { nil: undefined }),
      fc.option(fc.integer({ min: 1, max: maxLe }), { nil: undefined }),
    )
    .map(([h, data, le]) => ({ ...h, ...(data ? { data } : {}), ...(le !== undefined ? { le } : {}) }));
}

const hex = (cmd: CommandApdu, extended = false) => toHex(encodeCommand(cmd, { extended }));

describe('encodeCommand', () => {
  it('encodes the four ISO 7816-4 cases in short form', () => {
    expect(hex({ cla: 0x00, ins: 0xa4, p1: 0x04, p2: 0x0c })).toBe('00 A4 04 0C');
    expect(hex({ cla: 0x00, ins: 0xb0, p1: 0x00, p2: 0x00, le: 0x0c })).toBe('00 B0 00 00 0C');
    expect(hex({ cla: 0x00, ins: 0xa4, p1: 0x08, p2: 0x0c, data: parseHex('D003')! })).toBe('00 A4 08 0C 02 D0 03');
    expect(hex({ cla: 0x00, ins: 0x88, p1: 0, p2: 0, data: parseHex('0102')!, le: 256 })).toBe('00 88 00 00 02 01 02 00');
  });

  it('sends Le = 256 as 00 and treats le: 0 as the same maximum', () => {
    expect(hex({ cla: 0, ins: 0xc0, p1: 0, p2: 0, le: 256 })).toBe('00 C0 00 00 00');
    expect(hex({ cla: 0, ins: 0xc0, p1: 0, p2: 0, le: 0 })).toBe('00 C0 00 00 00');
  });

  it('uses the extended form only when allowed and needed', () => {
    const big = { cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 65536 };
    expect(() => encodeCommand(big)).toThrowError(expect.objectContaining({ code: 'ApduExtendedNotAllowed' }));
    expect(hex(big, true)).toBe('00 B0 00 00 00 00 00');
    expect(hex({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 300 }, true)).toBe('00 B0 00 00 00 01 2C');
    const data = new Uint8Array(256).fill(0xaa);
    const case4e = encodeCommand({ cla: 0, ins: 0x2a, p1: 0x80, p2: 0x86, data, le: 256 }, { extended: true });
    expect(toHex(case4e.subarray(0, 7))).toBe('00 2A 80 86 00 01 00');
    expect(toHex(case4e.subarray(-2))).toBe('01 00');
    // Fits the short form: stays short even when extended is allowed.
    expect(hex({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 231 }, true)).toBe('00 B0 00 00 E7');
  });

  it('rejects fields out of range with a coded error', () => {
    for (const bad of [{ cla: 256 }, { ins: -1 }, { p1: 1.5 }, { le: 65537 }, { le: -3 }]) {
      expect(() => encodeCommand({ cla: 0, ins: 0xb0, p1: 0, p2: 0, ...bad }, { extended: true })).toThrowError(
        expect.objectContaining({ code: 'ApduFieldOutOfRange' }),
      );
    }
  });
});

describe('decodeCommand', () => {
  it('round-trips every valid short command', () => {
    fc.assert(fc.property(command(255, 256), (cmd) => {
      const decoded = decodeCommand(encodeCommand(cmd));
      expect(decoded).toEqual(cmd);
      expect(apduCase(decoded)).toBe(apduCase(cmd));
    }));
  });

  it('round-trips every valid extended command', () => {
    fc.assert(fc.property(command(65535, 65536), (cmd) => {
      expect(decodeCommand(encodeCommand(cmd, { extended: true }))).toEqual(cmd);
    }), { numRuns: 200 });
  });

  it('reads the extended markers of cases 2E, 3E and 4E', () => {
    expect(decodeCommand(parseHex('00B000000000 00')!)).toEqual({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 65536 });
    expect(decodeCommand(parseHex('002A8086 000002 0102')!)).toEqual({ cla: 0, ins: 0x2a, p1: 0x80, p2: 0x86, data: parseHex('0102') });
    expect(decodeCommand(parseHex('002A8086 000002 0102 0100')!)).toMatchObject({ le: 256 });
  });

  it('explains malformed commands', () => {
    for (const bad of ['00B000', '00A4040C 05 0102', '00B00000 0001', '00A40400 00000000', '00A40400 000002 01']) {
      expect(() => decodeCommand(parseHex(bad)!)).toThrowError(expect.objectContaining({ code: 'ApduMalformed' }));
    }
  });

  it('never crashes on random bytes: a command or an EcpsError, and a decoded command re-encodes to itself', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      let decoded: CommandApdu;
      try {
        decoded = decodeCommand(bytes);
      } catch (error) {
        expect(isEcpsError(error, 'ApduMalformed')).toBe(true);
        return;
      }
      expect(decodeCommand(encodeCommand(decoded, { extended: true }))).toEqual(decoded);
    }), { numRuns: 2000 });
  });
});

describe('parseResponse', () => {
  it('splits data from SW1 SW2', () => {
    expect(parseResponse(parseHex('01 02 90 00')!)).toEqual({ data: parseHex('0102'), sw1: 0x90, sw2: 0x00, sw: 0x9000 });
    expect(parseResponse(parseHex('6A 82')!)).toMatchObject({ sw: 0x6a82, data: new Uint8Array(0) });
  });

  it('refuses a response without its status bytes', () => {
    for (const bytes of [[], [0x90]]) {
      expect(() => parseResponse(Uint8Array.from(bytes))).toThrowError(expect.objectContaining({ code: 'ResponseTooShort' }));
    }
  });
});
