import { describe, expect, it } from 'vitest';
import fr from '../../../src-renderer/locales/fr.json';
import en from '../../../src-renderer/locales/en.json';

function keys(o: object, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' ? keys(v as object, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

describe('locales', () => {
  it('English has exactly the French keys', () => {
    expect(keys(en).sort()).toEqual(keys(fr).sort());
  });
  it('no message uses "@" (vue-i18n linked-message syntax) by accident', () => {
    const all = JSON.stringify([fr, en]);
    expect(all).not.toContain('@');
  });
});
