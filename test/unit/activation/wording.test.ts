/**
 * Issue 12 item 12, the wording a pharmacist reads, checked in every text the wizard shows:
 * the renderer's locales, the help topics, the CGU, the reference phone page's locales, and the
 * activation driver's sentences and errors (they reach the screen through `state` and `error`).
 * - plural rules, never "essai(s)" / "attempt(s)";
 * - "l'e-CPS" as the ANS writes it, never "la e-CPS";
 * - English without French leftovers (a French name kept on purpose is marked `lang="fr"` by
 *   the screen, so it is not in the English message itself).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fr, en } from '../../../src-renderer/locales/index';
import { activationErrors, activationError } from '../../../src-main/activation/errors';
import { EPOP_GUIDANCE } from '../../../src-main/activation/without-card';

const read = (file: string) => readFileSync(new URL(`../../../${file}`, import.meta.url), 'utf8');
const phoneFr = JSON.parse(read('simulators/phone/web/locales/fr.json')) as object;
const phoneEn = JSON.parse(read('simulators/phone/web/locales/en.json')) as object;
const help = JSON.parse(read('resources/help/help.json')) as { topics: unknown[] };

function texts(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(texts);
  if (value && typeof value === 'object') return Object.values(value).flatMap(texts);
  return [];
}

/** Every French text of the help, the driver's errors and E-POP steps. */
function helpIn(lang: 'fr' | 'en'): string[] {
  const pick = (v: unknown): string[] => {
    if (Array.isArray(v)) return v.flatMap(pick);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.fr === 'string' && typeof o.en === 'string') return [o[lang] as string];
      return Object.values(o).flatMap(pick);
    }
    return [];
  };
  return pick(help.topics);
}

const errorTexts = (lang: 'fr' | 'en') =>
  Object.values(activationErrors.definitions).flatMap((d) => [d.message[lang], ...(d.remedy ? [d.remedy[lang]] : [])]);

const french = [...texts(fr), ...texts(phoneFr), ...helpIn('fr'), ...errorTexts('fr'), ...EPOP_GUIDANCE.map((t) => t.fr), read('resources/cgu/cgu.fr.md')];
// EPOP_GUIDANCE's English keeps the French site's labels in quotes: it is printed by the CLI,
// where no markup can say "this is French"; the screen marks them with lang="fr" instead.
const english = [...texts(en), ...texts(phoneEn), ...helpIn('en'), ...errorTexts('en')];

describe('the wizard’s wording (issue 12 item 12)', () => {
  it('no "(s)" plural: counts use plural rules', () => {
    expect(french.filter((t) => /\(s\)/.test(t))).toEqual([]);
    expect(english.filter((t) => /\(s\)|\(es\)|try\/tries/.test(t))).toEqual([]);
  });

  it('"l’e-CPS", as the ANS writes it — never "la e-CPS"', () => {
    expect(french.filter((t) => /\b(la|La|de la|à la) e-CPS/.test(t))).toEqual([]);
  });

  it('English texts carry no French leftovers', () => {
    const leftovers = ['Données professionnelles', 'Agence du Numérique en Santé', 'Lecteur virtuel', 'démonstration'];
    expect(english.filter((t) => leftovers.some((w) => t.includes(w)))).toEqual([]);
    expect(en.activation.qr.secondsLeft).not.toMatch(/more s$/);
  });

  it.each([
    [0, 'il reste 0 essai', '0 attempts left'],
    [1, 'il reste 1 essai.', '1 attempt left'],
    [2, 'il reste 2 essais.', '2 attempts left'],
  ])('tries left told with the right plural: %i', (n, frText, enText) => {
    for (const code of ['PairingCodeIncorrect', 'SmsCodeIncorrect', 'PinIncorrect'] as const) {
      const error = activationError(code, { n });
      expect(error.text('fr')).toContain(frText);
      expect(error.text('en')).toContain(enText);
    }
  });
});
