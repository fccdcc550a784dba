import { describe, expect, it } from 'vitest';
import { cpsError, cpsErrors } from '../../../../src-main/card/cps/errors';

describe('cpsErrors catalogue', () => {
  it('every outcome has a French and an English message, placeholders all filled', () => {
    for (const code of cpsErrors.codes) {
      for (const secret of ['pin', 'puk'] as const) {
        const error = cpsError(code, { secret, params: { n: 2, sw: '6A80', length: '4', what: 'certificat' } });
        for (const lang of ['fr', 'en'] as const) {
          expect(error.text(lang), `${code} ${lang}`).toMatch(/\S/);
          expect(error.text(lang), `${code} ${lang}`).not.toMatch(/[{}]/);
          if (error.remedy) expect(error.remedyText(lang)).not.toMatch(/[{}]/);
        }
      }
    }
  });

  it('singular and plural tries; PIN and PUK named in the card’s words', () => {
    expect(cpsError('PinIncorrect', { secret: 'pin', params: { n: 1 } }).text('fr')).toBe('Code porteur incorrect : il reste 1 essai.');
    expect(cpsError('PinIncorrect', { secret: 'pin', params: { n: 2 } }).text('en')).toBe('Wrong PIN: 2 attempts left.');
    expect(cpsError('PinFormatInvalid', { secret: 'puk', params: { length: '8' } }).text('fr')).toContain('Le code de déblocage doit comporter 8 chiffres');
    expect(cpsError('PinBlocked').remedyText('fr')).toContain('code de déblocage');
    expect(cpsError('PukBlocked').remedyText('fr')).toContain('nouvelle carte');
  });
});
