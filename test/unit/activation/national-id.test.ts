import { describe, expect, it } from 'vitest';
import { luhnValid, parseNationalId } from '../../../src-main/activation';

// 79927398713 is the textbook Luhn example (ISO/IEC 7812-1), 11 digits like an RPPS.
const VALID_RPPS = '79927398713';

describe('Luhn', () => {
  it.each([VALID_RPPS, '10000000009', '99700000005', '0'])('%s passes', (digits) => expect(luhnValid(digits)).toBe(true));
  it.each(['79927398710', '79927398714', '10000000001', '', '7992739871a'])('%j fails', (digits) => expect(luhnValid(digits)).toBe(false));

  it('catches every single-digit typo of a valid RPPS', () => {
    for (let i = 0; i < VALID_RPPS.length; i += 1) {
      for (let d = 0; d <= 9; d += 1) {
        const typo = VALID_RPPS.slice(0, i) + String(d) + VALID_RPPS.slice(i + 1);
        if (typo !== VALID_RPPS) expect(luhnValid(typo)).toBe(false);
      }
    }
  });
});

describe('parseNationalId', () => {
  it.each([VALID_RPPS, '799 273 987 13', '7992-7398-713', `8${VALID_RPPS}`])('%j is RPPS %s', (input) => {
    expect(parseNationalId(input)).toEqual({ ok: true, id: { kind: 'rpps', rpps: VALID_RPPS } });
  });

  it.each(['751234567', '0751234567', '75 123 45 67'])('%j is ADELI', (input) => {
    expect(parseNationalId(input)).toEqual({ ok: true, id: { kind: 'adeli', adeli: '751234567' } });
  });

  it('an RPPS with a wrong check digit is a typo, not an unknown identifier', () => {
    expect(parseNationalId('79927398710')).toMatchObject({ ok: false, error: { code: 'RppsChecksumInvalid' } });
  });

  it.each(['', 'abc', '1234', '1234567890', '123456789012', '9799273987131', 'RPPS79927398713'])('%j is not an identifier', (input) => {
    expect(parseNationalId(input)).toMatchObject({ ok: false, error: { code: 'NationalIdInvalid' } });
  });
});
