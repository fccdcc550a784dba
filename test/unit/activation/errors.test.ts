import { describe, expect, it } from 'vitest';
import { activationError, activationErrors } from '../../../src-main/activation';

describe('activation error catalogue', () => {
  it.each(activationErrors.codes)('%s speaks French and English and says what to do', (code) => {
    const { message, remedy } = activationErrors.definitions[code] as { message: { fr: string; en: string }; remedy?: { fr: string; en: string } };
    expect(message.fr).not.toBe(message.en);
    expect(remedy?.fr, `${code} has a remedy`).toBeTruthy();
    expect(remedy?.en).toBeTruthy();
    // Placeholders are the same in both languages.
    const holes = (t: string) => (t.match(/\{\w+\}/g) ?? []).sort();
    expect(holes(message.fr)).toEqual(holes(message.en));
  });

  it('fills placeholders and keeps the params as details', () => {
    const error = activationError('PairingCodeIncorrect', { n: 2 });
    expect(error.text('fr')).toBe('Code incorrect : il reste 2 essais.');
    expect(error.toJSON('en')).toMatchObject({ code: 'PairingCodeIncorrect', message: 'Wrong code: 2 attempts left.', details: { n: 2 } });
  });
});
