import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildCommandApdu, parseCommandApdu } from '../../../simulators/cards/apdu';
import { hex } from './helpers';

describe('card-side command APDU parser', () => {
  it('recognises the four short cases', () => {
    expect(parseCommandApdu(hex('00 A4 00 00'))).toMatchObject({ case: 1, ne: 0, extended: false });
    expect(parseCommandApdu(hex('00 B0 00 00 0C'))).toMatchObject({ case: 2, ne: 12 });
    expect(parseCommandApdu(hex('00 B0 00 00 00'))).toMatchObject({ case: 2, ne: 256, leWildcard: true });
    const case3 = parseCommandApdu(hex('00 A4 00 0C 02 3F 00'));
    expect(case3).toMatchObject({ case: 3, ne: 0 });
    expect([...case3!.data]).toEqual([0x3f, 0x00]);
    expect(parseCommandApdu(hex('00 A4 04 00 02 3F 00 00'))).toMatchObject({ case: 4, ne: 256 });
  });

  it('recognises the extended cases', () => {
    expect(parseCommandApdu(hex('00 B0 00 00 00 01 00'))).toMatchObject({ case: 2, ne: 256, extended: true });
    expect(parseCommandApdu(hex('00 B0 00 00 00 00 00'))).toMatchObject({ case: 2, ne: 65536, leWildcard: true });
    expect(parseCommandApdu(hex('00 D6 00 00 00 00 02 AA BB'))).toMatchObject({ case: 3, extended: true });
    expect(parseCommandApdu(hex('00 2A 80 86 00 00 02 AA BB 01 00'))).toMatchObject({ case: 4, ne: 256, extended: true });
  });

  it('rejects byte strings that fit no case', () => {
    for (const bad of ['00 A4 00', '00 A4 04 0C 05 3F 00', '00 B0 00 00 00 01', '00 D6 00 00 00 00 00 AA', '00 A4 04 0C 02 3F 00 00 00']) {
      expect(parseCommandApdu(hex(bad)), bad).toBeUndefined();
    }
  });

  it('parses back whatever it builds (property)', () => {
    fc.assert(
      fc.property(
        fc.record({ cla: fc.integer({ min: 0, max: 255 }), ins: fc.integer({ min: 0, max: 255 }), p1: fc.integer({ min: 0, max: 255 }), p2: fc.integer({ min: 0, max: 255 }) }),
        fc.uint8Array({ maxLength: 600 }),
        fc.option(fc.integer({ min: 1, max: 65536 }), { nil: undefined }),
        fc.boolean(),
        (header, data, le, forceExtended) => {
          const bytes = buildCommandApdu(header, { data, le, extended: forceExtended || undefined });
          const parsed = parseCommandApdu(bytes);
          expect(parsed).toBeDefined();
          expect([...parsed!.data]).toEqual([...data]);
          expect(parsed!.ne).toBe(le ?? 0);
          expect(parsed!.case).toBe((data.length > 0 ? 2 : 0) + (le !== undefined ? 1 : 0) + 1);
        },
      ),
    );
  });

  it('never throws on arbitrary bytes (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => void parseCommandApdu(bytes)));
  });
});
