import { describe, expect, it } from 'vitest';
import { checkEcpsPassword } from '../../../src-main/activation';
import { activationError } from '../../../src-main/activation/errors';

describe('e-CPS password rules', () => {
  it.each([
    ['0000', '0000', 'PasswordRepeatedDigit'],
    ['1111', '1111', 'PasswordRepeatedDigit'],
    ['9999', '9999', 'PasswordRepeatedDigit'],
    ['1234', '1234', 'PasswordSequence'],
    ['4321', '4321', 'PasswordSequence'],
    ['0123', '0123', 'PasswordSequence'],
    ['9876', '9876', 'PasswordSequence'],
    ['6789', '6789', 'PasswordSequence'],
    ['3210', '3210', 'PasswordSequence'],
    ['12a4', '12a4', 'PasswordFormat'],
    ['123', '123', 'PasswordFormat'],
    ['12345', '12345', 'PasswordFormat'],
    ['', '', 'PasswordFormat'],
    [' 2580', ' 2580', 'PasswordFormat'],
    ['２５８０', '２５８０', 'PasswordFormat'],
    ['2580', '2581', 'PasswordMismatch'],
    ['2580', '', 'PasswordMismatch'],
  ])('%j / %j is refused: %s, with a French and an English reason', (first, second, code) => {
    const verdict = checkEcpsPassword(first, second);
    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    expect(verdict.error.code).toBe(code);
    const error = activationError(verdict.error.code, verdict.error.params);
    expect(error.text('fr').length).toBeGreaterThan(10);
    expect(error.text('en').length).toBeGreaterThan(10);
    expect(error.text('fr')).not.toBe(error.text('en'));
    expect(error.remedyText('fr')).toBeTruthy();
    // The reason never carries what was typed (details end up in reports).
    expect(Object.values(verdict.error.params)).not.toContain(first);
    expect(Object.values(error.details)).not.toContain(first);
  });

  it.each(['2580', '1357', '7391', '1985', '0312', '8901', '1243'])('%s is accepted (dates and near-runs are not refused)', (password) => {
    expect(checkEcpsPassword(password, password)).toEqual({ ok: true });
  });
});
