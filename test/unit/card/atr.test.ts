import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseAtr } from '../../../src-main/card/atr';
import { isEcpsError } from '../../../src-shared/errors';
import { parseHex, toHex } from '../../../src-shared/hex';

const atr = (text: string) => parseHex(text)!;

describe('parseAtr on French health cards', () => {
  it('reads a CPS3 contact ATR: T=0, TC2 work waiting integer, compact-TLV with status', () => {
    const p = parseAtr(atr('3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00'));
    expect(p.convention).toBe('direct');
    expect(p.protocols).toEqual([0]);
    expect(p.indicatedProtocols).toEqual([0]);
    expect(p.clockRate).toBeUndefined();
    expect(p.workWaitingInteger).toBe(0x2a);
    expect(p.tck).toBeUndefined();
    expect(toHex(p.historicalBytes)).toBe('00 12 25 00 64 80 00 03 10 00 90 00');
    expect(p.historical.category).toBe('compact-tlv-with-status');
    expect(p.historical.objects.map((o) => [o.name, toHex(o.value)])).toEqual([
      ['country code', '25 00'],
      ['pre-issuing data', '80 00 03 10'],
    ]);
    expect(p.historical.status).toEqual({ lcs: 0x00, sw: 0x9000 });
  });

  it('reads the CPS3 contactless ATR: T=0 and T=1 offered, valid TCK, card capabilities', () => {
    const p = parseAtr(atr('3B 8F 80 01 00 31 B8 64 04 B0 EC C1 73 94 01 80 82 90 00 0E'));
    expect(p.protocols).toEqual([0, 1]);
    expect(p.tck).toEqual({ value: 0x0e, valid: true });
    expect(p.historical.objects.map((o) => o.name)).toEqual(['card service data', 'pre-issuing data', 'card capabilities']);
    expect(p.historical.status).toEqual({ lcs: 0x82, sw: 0x9000 });
  });

  it('reads a CPS4 ATR: TA1 Fi/Di/fmax, T=1 after T=0, TCK', () => {
    const p = parseAtr(atr('3B 9B 18 80 01 00 12 25 00 64 80 04 01 00 00 90 44'));
    expect(p.clockRate).toEqual({ fiIndex: 1, diIndex: 8, fi: 372, di: 12, fmaxMHz: 5, rfu: false });
    expect(p.indicatedProtocols).toEqual([0, 1]);
    expect(p.tck?.valid).toBe(true);
  });

  it('reads the inverse convention of Vitale 1 and bank cards', () => {
    const p = parseAtr(atr('3F 65 25 00 52 09 6A 90 00'));
    expect(p.convention).toBe('inverse');
    expect(p.groups).toEqual([{ index: 1, protocol: undefined, tb: 0x25, tc: 0x00 }]);
    expect(p.extraGuardTime).toBe(0);
    expect(p.clockRate).toBeUndefined();
    expect(toHex(p.historicalBytes)).toBe('52 09 6A 90 00');
    expect(p.historical.category).toBe('proprietary');
  });
});

describe('parseAtr interface bytes', () => {
  it('follows any number of TD chains and reads the T=1 and global bytes', () => {
    // TA1 96, TD1 → T=1, TD2 → T=1 with TA3 (IFSC) TB3 (BWI/CWI) TC3 (CRC), TD3 → T=15 global TA4.
    const body = atr('3B F0 96 00 00 81 F1 FE 45 01 1F 83');
    const tck = body.subarray(1).reduce((a, b) => a ^ b, 0);
    const p = parseAtr(Uint8Array.from([...body, tck]));
    expect(p.groups.length).toBe(4);
    expect(p.indicatedProtocols).toEqual([1, 1, 15]);
    expect(p.protocols).toEqual([1]);
    expect(p.clockRate).toMatchObject({ fi: 512, di: 32 });
    expect(p.extraGuardTime).toBe(0);
    expect(p.t1).toEqual({ ifsc: 0xfe, bwi: 4, cwi: 5, errorDetection: 'CRC' });
    expect(p.tck?.valid).toBe(true);
  });

  it('flags reserved Fi/Di values and reads TA2 specific mode', () => {
    const p = parseAtr(atr('3B 10 7A'));
    expect(p.clockRate).toMatchObject({ fi: undefined, di: undefined, rfu: true });
    const s = parseAtr(atr('3B 90 11 10 91')); // TA1, TD1 (T=0, TA2 follows), TA2 = 91
    expect(s.specificMode).toEqual({ protocol: 1, canChange: false, implicitParameters: true });
    expect(s.protocols).toEqual([0]);
    expect(s.tck).toBeUndefined();
  });

  it('checks TCK: present iff a protocol other than T=0 is indicated', () => {
    expect(parseAtr(atr('3B 80 01 81')).tck).toEqual({ value: 0x81, valid: true });
    expect(parseAtr(atr('3B 80 01 80')).tck).toEqual({ value: 0x80, valid: false });
  });
});

describe('parseAtr on malformed ATRs', () => {
  const cases: [string, string][] = [
    ['', 'AtrEmpty'],
    ['3A 00', 'AtrBadTs'],
    ['3B', 'AtrTooShort'],
    ['3B F0 11', 'AtrTruncated'], // TB1 TC1 TD1 missing
    ['3B 02 00', 'AtrTruncated'], // one historical byte missing
    ['3B 80 01', 'AtrTruncated'], // T=1 without TCK
    ['3B 00 00', 'AtrTooLong'], // trailing byte with T=0 only
    [`3B 0F ${'00 '.repeat(15)}00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00`, 'AtrOverMaxLength'],
  ];
  it.each(cases)('%s → %s', (text, code) => {
    const bytes = text === '' ? new Uint8Array(0) : atr(text);
    expect(() => parseAtr(bytes)).toThrowError(expect.objectContaining({ code }));
  });

  it('reads slips leniently the way ATR_analysis does, listing them as issues', () => {
    expect(parseAtr(atr('3B 80 01'), { strict: false }).issues).toEqual(['tck-missing']);
    const extra = parseAtr(atr('3B 00 00'), { strict: false });
    expect(extra.issues).toEqual(['tck-unexpected']);
    expect(extra.tck).toEqual({ value: 0, valid: true });
    expect(parseAtr(atr('3B 03 01 02'), { strict: false }).issues).toContain('historical-truncated');
  });

  it('never throws anything but an EcpsError on random bytes', () => {
    const atrLike = fc.tuple(fc.constantFrom(0x3b, 0x3f, 0x3b, 0x00), fc.uint8Array({ maxLength: 40 })).map(([ts, rest]) => Uint8Array.from([ts, ...rest]));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 40 }), atrLike), fc.boolean(), (bytes, strict) => {
        try {
          const p = parseAtr(bytes, { strict });
          expect(p.historicalBytes.length).toBeLessThanOrEqual(15);
        } catch (error) {
          expect(isEcpsError(error)).toBe(true);
          expect((error as { code: string }).code).toMatch(/^Atr/);
        }
      }),
      { numRuns: 5000 },
    );
  });
});
