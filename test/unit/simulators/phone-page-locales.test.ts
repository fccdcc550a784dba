/**
 * The phone page's messages (simulators/phone/web/locales): French and English with the same
 * keys, no vue-i18n linked-message syntax by accident, and an explanation for every close code
 * the protocol defines (the page shows it when the link ends early).
 */
import { describe, expect, it } from 'vitest';
import fr from '../../../simulators/phone/web/locales/fr.json';
import en from '../../../simulators/phone/web/locales/en.json';
import { PairingClose } from '../../../src-shared/pairing-protocol';

function keys(o: object, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' ? keys(v as object, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

describe('phone page messages', () => {
  it('English has exactly the French keys, and no empty message', () => {
    expect(keys(en).sort()).toEqual(keys(fr).sort());
    for (const text of [...keys(fr).map((k) => k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], fr))]) expect(String(text).trim()).not.toBe('');
  });

  it('every protocol close code has an explanation in both languages', () => {
    for (const code of Object.values(PairingClose)) {
      expect(fr.phone.close, String(code)).toHaveProperty(`c${code}`);
      expect(en.phone.close, String(code)).toHaveProperty(`c${code}`);
    }
  });

  it('no message uses "@" (vue-i18n linked-message syntax)', () => {
    expect(JSON.stringify([fr, en])).not.toContain('@');
  });

  it('the page is French first and says it is a demonstration', () => {
    expect(fr.phone.code.title).toBe('Saisissez ce code sur l’ordinateur');
    expect(fr.phone.demo).toMatch(/Démonstration/);
    expect(en.phone.demo).toMatch(/Demo/);
  });
});
