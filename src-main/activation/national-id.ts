/**
 * The national identifier typed by a professional who activates without the card (domain.md §4):
 * RPPS, 11 digits whose last one is a Luhn check digit [I: true of every sample seen]; ADELI,
 * 9 digits. The "idNat" forms printed in card certificates are accepted too: `8` + RPPS and
 * `0` + ADELI. Spaces, dots and dashes people copy from letters are ignored.
 */
import { passesLuhn } from '../../src-shared/luhn';
import { stateError, type StateError } from './errors';

export type NationalId = { readonly kind: 'rpps'; readonly rpps: string } | { readonly kind: 'adeli'; readonly adeli: string };

export type NationalIdVerdict = { readonly ok: true; readonly id: NationalId } | { readonly ok: false; readonly error: StateError };

/** Luhn (ISO/IEC 7812-1) validity of a string of digits. */
export const luhnValid = passesLuhn;

export function parseNationalId(input: string): NationalIdVerdict {
  const compact = input.replace(/[\s.-]/g, '');
  if (!/^[0-9]+$/.test(compact)) return { ok: false, error: stateError('NationalIdInvalid', { reason: 'not-digits' }) };
  let digits = compact;
  if (digits.length === 12 && digits.startsWith('8')) digits = digits.slice(1);
  else if (digits.length === 10 && digits.startsWith('0')) digits = digits.slice(1);
  if (digits.length === 9) return { ok: true, id: { kind: 'adeli', adeli: digits } };
  if (digits.length !== 11) return { ok: false, error: stateError('NationalIdInvalid', { reason: 'length', length: compact.length }) };
  if (!luhnValid(digits)) return { ok: false, error: stateError('RppsChecksumInvalid') };
  return { ok: true, id: { kind: 'rpps', rpps: digits } };
}
