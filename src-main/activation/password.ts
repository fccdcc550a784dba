/**
 * The 4-digit e-CPS password the user chooses on the computer and types again on the phone
 * (domain.md §1). Refused: anything but exactly 4 ASCII digits, two entries that differ, and the
 * guessable ones — one digit repeated (0000, 1111…) and runs of consecutive digits up or down
 * (0123, 1234…, 9876, 3210…). Date-like codes (1985, 0312) are accepted: refusing them would
 * refuse a large share of all codes, and the phone app, not this list, limits guessing.
 *
 * The verdict names a reason only; it never echoes the entries (no secret in errors or logs).
 */
import { stateError, type StateError } from './errors';

export const ECPS_PASSWORD_LENGTH = 4;

export type PasswordVerdict = { readonly ok: true } | { readonly ok: false; readonly error: StateError };

const FOUR_DIGITS = /^[0-9]{4}$/;

function isRepeatedDigit(password: string): boolean {
  return [...password].every((d) => d === password[0]);
}

/** 0123…6789 up or 9876…3210 down: each digit one more (or one less) than the previous one. */
function isRun(password: string): boolean {
  const digits = [...password].map(Number);
  const steps = digits.slice(1).map((d, i) => d - (digits[i] as number));
  return steps.every((s) => s === 1) || steps.every((s) => s === -1);
}

export function checkEcpsPassword(first: string, second: string): PasswordVerdict {
  // The first entry's shape first: "123" deserves "4 digits", not "the entries differ".
  if (!FOUR_DIGITS.test(first)) return { ok: false, error: stateError('PasswordFormat', { length: ECPS_PASSWORD_LENGTH }) };
  if (first !== second) return { ok: false, error: stateError('PasswordMismatch') };
  if (isRepeatedDigit(first)) return { ok: false, error: stateError('PasswordRepeatedDigit') };
  if (isRun(first)) return { ok: false, error: stateError('PasswordSequence') };
  return { ok: true };
}
