/**
 * National identifiers of health professionals, as they appear in CPS certificates
 * (domain.md §4, research/cards-readers-ecps.md §4).
 *
 * - RPPS: 11 digits whose last digit is a Luhn check digit [I: every real and test RPPS seen
 *   passes, e.g. 10002813839 and the ANS test card 99700075122]. Test cards use `997…`.
 * - ADELI: 9 digits, the last a Luhn key [I: medintuxGP samples].
 * - FINESS: 9 characters; Corsica's department is `2A` / `2B`. We check the shape only:
 *   the FINESS key algorithm is not confirmed by our sources.
 * - idNat (the certificate CN): a one-digit prefix then the identifier: `8` RPPS, `0` ADELI,
 *   `3` FINESS-based (CPE: `3<FINESS>/<internal id>`).
 */

import { luhnCheckDigit, passesLuhn } from '../../src-shared/luhn';

export { luhnCheckDigit, passesLuhn };

export function isValidRpps(rpps: string): boolean {
  return /^\d{11}$/.test(rpps) && passesLuhn(rpps);
}

export function isValidAdeli(adeli: string): boolean {
  return /^\d{9}$/.test(adeli) && passesLuhn(adeli);
}

export function isValidFiness(finess: string): boolean {
  return /^(\d{2}|2[AB])\d{7}$/.test(finess);
}

/** Prefix of the test RPPS range (domain.md §4: test cards use `997…`). */
export const TEST_RPPS_PREFIX = '997';

/**
 * A test RPPS from a small integer: `997` + the seed on 7 digits + the Luhn digit.
 * `makeTestRpps(7512)` is `99700075122`, the RPPS of the ANS test pharmacist card.
 */
export function makeTestRpps(seed: number): string {
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 9_999_999) {
    throw new RangeError('makeTestRpps: seed must be an integer in 0…9 999 999');
  }
  const payload = TEST_RPPS_PREFIX + String(seed).padStart(7, '0');
  return payload + String(luhnCheckDigit(payload));
}

/** A fictitious ADELI number (department `99`) with its Luhn key, for test holders. */
export function makeTestAdeli(seed: number): string {
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 999_999) {
    throw new RangeError('makeTestAdeli: seed must be an integer in 0…999 999');
  }
  const payload = '99' + String(seed).padStart(6, '0');
  return payload + String(luhnCheckDigit(payload));
}
