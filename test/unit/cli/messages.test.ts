/** The fr and en catalogues of the CLI stay in step: same keys, no empty text, same placeholders. */
import { describe, expect, it } from 'vitest';
import { localized, messageCatalogues, t, type MessageKey } from '../../../src-main/cli/messages';

const fr = messageCatalogues.fr;
const en = messageCatalogues.en;
const placeholders = (text: string) => [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();

describe('CLI message catalogues', () => {
  it('fr and en have exactly the same keys', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(fr).sort());
  });

  it('no empty or blank message in either language', () => {
    for (const [lang, catalogue] of Object.entries(messageCatalogues)) {
      for (const [key, text] of Object.entries(catalogue)) expect(text.trim(), `${lang}.${key}`).not.toBe('');
    }
  });

  it('every {param} of a French message exists in its English twin (and the reverse)', () => {
    for (const key of Object.keys(fr) as MessageKey[]) {
      expect(placeholders(en[key]), `en.${key}`).toEqual(placeholders(fr[key]));
    }
  });

  it('t() fills the placeholders; an unknown one stays visible rather than printing "undefined"', () => {
    expect(t('fr', 'unknownCommand', { name: 'lecteur' })).toBe('commande inconnue « lecteur »');
    expect(t('en', 'evCardRemoved', {})).toBe('Card removed from {reader}');
    expect(localized('badSlot', { value: 9 })).toEqual({ fr: '--slot 9 : 0 ou 1 attendu', en: '--slot 9: 0 or 1 expected' });
  });

  it('French is really French: the demo banner says MODE DÉMONSTRATION', () => {
    expect(fr.demoBanner.startsWith('*** MODE DÉMONSTRATION')).toBe(true);
    expect(en.demoBanner.startsWith('*** DEMO MODE')).toBe(true);
  });

  it('counts take each language’s plural form, never « essai(s) »; usage lines keep their « | »', () => {
    expect(t('fr', 'phoneSmsWrong', { n: 0 })).toBe('Code SMS incorrect : plus aucun essai.');
    expect(t('fr', 'phoneSmsWrong', { n: 1 })).toBe('Code SMS incorrect : il reste 1 essai.');
    expect(t('fr', 'phoneSmsWrong', { n: '2' })).toBe('Code SMS incorrect : il reste 2 essais.');
    expect(t('en', 'phonePasswordWrong', { n: 1 })).toBe('Password differs from the computer’s: 1 attempt left.');
    expect(t('en', 'phonePasswordWrong', { n: 2 })).toBe('Password differs from the computer’s: 2 attempts left.');
    expect(t('fr', 'strategiesForgottenAll', { count: 3, readers: 'a, b, c' })).toBe('3 stratégies oubliées : a, b, c.');
    expect(t('fr', 'atrMissing')).toContain('(ecps atr <hex>… | ecps atr -)');
    for (const text of [...Object.values(fr), ...Object.values(en)]) expect(text).not.toMatch(/\w\(s\)(?!:)/);
  });
});
