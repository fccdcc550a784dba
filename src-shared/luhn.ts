/**
 * Luhn (ISO/IEC 7812-1), the check digit of RPPS numbers, 9-digit ADELI numbers and the CPS
 * card serial in EF.SN.ICC (domain.md §4). One implementation for every room.
 */

/** The check digit to append to `payload` (decimal digits only). */
export function luhnCheckDigit(payload: string): number {
  if (!/^\d+$/.test(payload)) throw new TypeError('luhnCheckDigit: digits only');
  let sum = 0;
  // From the right, the digit next to the (future) check digit is doubled first.
  for (let i = payload.length - 1, double = true; i >= 0; i--, double = !double) {
    let d = payload.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** True when `digits` (decimal only, at least one digit) ends with the Luhn digit of the rest. */
export function passesLuhn(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  if (digits.length === 1) return digits === '0';
  return luhnCheckDigit(digits.slice(0, -1)) === Number(digits.at(-1));
}
