import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { authorityError, authorityErrors, parseNationalId } from '../../../src-shared/activation-authority';
import { AUTHORITY_HTTP_STATUS, fromBase64, toBase64 } from '../../../src-shared/activation-authority-wire';
import type { SignatureAlgorithm } from '../../../src-main/card/cps/cps-crypto';
import type { CardSignatureAlgorithm } from '../../../src-shared/activation-authority';
import { maskEmail, maskMobile, ProfessionalDirectory } from '../../../simulators/authority/index';
import { isValidAdeli, isValidRpps, makeTestRpps, TEST_HOLDERS } from '../../../simulators/pki/index';

describe('the sandbox directory fixture', () => {
  const directory = ProfessionalDirectory.load();

  it('holds the PKI test holders, pharmacists with and without contact details, and an ADELI nurse', () => {
    expect(directory.find(`8${TEST_HOLDERS.pharmacist.rpps}`)).toMatchObject({ surname: 'DUPONT', email: expect.any(String), mobile: expect.any(String) });
    expect(directory.find(`8${TEST_HOLDERS.doctor.rpps}`)?.surname).toBe('LEFÈVRE');
    expect(directory.find(`0${TEST_HOLDERS.nurse.adeli}`)?.surname).toBe('MARTIN');
    expect(directory.find(`8${makeTestRpps(3)}`)).not.toHaveProperty('email');
  });

  it('uses test identifiers only, all valid', () => {
    for (const e of directory.entries()) {
      const id = e.idNat.slice(1);
      expect(e.idNat.startsWith('8') ? isValidRpps(id) && id.startsWith('997') : isValidAdeli(id) && id.startsWith('99'), e.idNat).toBe(true);
      if (e.email) expect(e.email).toMatch(/@exemple\.test$/);
      if (e.mobile) expect(e.mobile).toMatch(/^\+3363998/); // ARCEP's range for fiction
    }
  });

  it('masks contact details', () => {
    expect(maskEmail('marie.dupont@exemple.test')).toBe('ma•••@exemple.test');
    expect(maskEmail('a@b.test')).toBe('a•••@b.test');
    expect(maskMobile('+33639980013')).toBe('06 •• •• •• 13');
  });
});

describe('national identifiers and the wire', () => {
  it('agrees with the PKI on RPPS and ADELI validity', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{9}$|^\d{11}$/), (digits) => {
        const parsed = parseNationalId(digits);
        const valid = digits.length === 11 ? isValidRpps(digits) : isValidAdeli(digits);
        expect(parsed !== undefined).toBe(valid);
        if (parsed) expect(parsed.idNat).toBe((digits.length === 11 ? '8' : '0') + digits);
      }),
    );
  });

  it('accepts spaces and the idNat prefix', () => {
    expect(parseNationalId(`8${TEST_HOLDERS.pharmacist.rpps}`)?.id).toBe(TEST_HOLDERS.pharmacist.rpps);
    expect(parseNationalId('997 0000 0013')?.kind).toBe('rpps');
    expect(parseNationalId('abc')).toBeUndefined();
  });

  it('encodes base64 exactly as Node does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = toBase64(bytes);
        expect(text).toBe(Buffer.from(bytes).toString('base64'));
        expect(fromBase64(text)).toEqual(bytes);
      }),
    );
  });

  it('gives every error a French and an English text and an HTTP status', () => {
    for (const code of authorityErrors.codes) {
      const error = authorityError(code, { details: { attemptsLeft: 2, status: 'x', reason: 'r', url: 'u', timeoutMs: 1, serverCode: 'c' } });
      expect(error.text('fr'), code).not.toBe(error.text('en'));
      expect(error.text('fr')).not.toMatch(/\{\w+\}/);
      expect(AUTHORITY_HTTP_STATUS[code]).toBeGreaterThanOrEqual(400);
    }
    expect(authorityError('SmsCodeIncorrect', { details: { attemptsLeft: 1 } }).text('fr')).toContain('essais restants : 1');
  });

  it('names the card signature algorithms as the card layer does', () => {
    const fromCard: CardSignatureAlgorithm = 'RSASSA-PSS-SHA256' as SignatureAlgorithm;
    const toCard: SignatureAlgorithm = fromCard;
    expect(toCard).toBe('RSASSA-PSS-SHA256');
  });
});
