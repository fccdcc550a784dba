import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isValidAdeli,
  isValidFiness,
  isValidRpps,
  luhnCheckDigit,
  makeTestAdeli,
  makeTestRpps,
  passesLuhn,
} from '../../../simulators/pki/identifiers';
import { luhnCheckDigit as cardSerialLuhn } from '../../../simulators/cards/cps3';

describe('Luhn and RPPS', () => {
  it('accepts the RPPS numbers seen on real and ANS test cards (research §4)', () => {
    expect(isValidRpps('10002813839')).toBe(true); // from a real CPS certificate
    expect(isValidRpps('99700075122')).toBe(true); // ANS test pharmacist card
    expect(passesLuhn('79927398713')).toBe(true); // the textbook Luhn example
  });

  it('rejects the FR Core example RPPS, which is synthetic and fails Luhn', () => {
    expect(isValidRpps('10101201234')).toBe(false);
  });

  it('rejects anything but 11 digits', () => {
    for (const bad of ['', '9970007512', '997000751222', '9970007512a', ' 99700075122', '99700-75122']) {
      expect(isValidRpps(bad), bad).toBe(false);
    }
  });

  it('makeTestRpps(7512) is the ANS test card RPPS, in the 997 range', () => {
    expect(makeTestRpps(7512)).toBe('99700075122');
    expect(makeTestRpps(1)).toBe('99700000013');
  });

  it('every test RPPS is 11 digits, starts with 997 and passes Luhn; distinct seeds give distinct numbers', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9_999_999 }), fc.integer({ min: 0, max: 9_999_999 }), (a, b) => {
        const rpps = makeTestRpps(a);
        expect(rpps).toMatch(/^997\d{8}$/);
        expect(isValidRpps(rpps)).toBe(true);
        if (a !== b) expect(makeTestRpps(b)).not.toBe(rpps);
      }),
    );
  });

  it('catches every single-digit typo in an RPPS (what Luhn guarantees)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9_999_999 }),
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 1, max: 9 }),
        (seed, position, delta) => {
          const rpps = makeTestRpps(seed);
          const typo = (Number(rpps[position]) + delta) % 10;
          const mistyped = rpps.slice(0, position) + String(typo) + rpps.slice(position + 1);
          expect(isValidRpps(mistyped)).toBe(false);
        },
      ),
    );
  });

  it('agrees with the check digit the virtual CPS3 uses for its serial number', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{1,20}$/), (digits) => {
        expect(luhnCheckDigit(digits)).toBe(cardSerialLuhn(digits));
      }),
    );
  });

  it('refuses non-digits and out-of-range seeds instead of producing a wrong number', () => {
    expect(() => luhnCheckDigit('12a')).toThrow(TypeError);
    expect(() => makeTestRpps(-1)).toThrow(RangeError);
    expect(() => makeTestRpps(10_000_000)).toThrow(RangeError);
    expect(() => makeTestRpps(1.5)).toThrow(RangeError);
  });
});

describe('ADELI and FINESS', () => {
  it('test ADELI numbers are 9 digits with a Luhn key', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999 }), (seed) => {
        expect(isValidAdeli(makeTestAdeli(seed))).toBe(true);
      }),
    );
    expect(isValidAdeli('12345678')).toBe(false);
  });

  it('FINESS: 9 characters, Corsica written 2A / 2B', () => {
    expect(isValidFiness('990000017')).toBe(true);
    expect(isValidFiness('2A0000017')).toBe(true);
    expect(isValidFiness('2C0000017')).toBe(false);
    expect(isValidFiness('99000001')).toBe(false);
  });
});
