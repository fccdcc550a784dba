import { describe, expect, it } from 'vitest';
import { fr, en, localePairs } from '../../../src-renderer/locales/index';

function keys(o: object, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' ? keys(v as object, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

describe('locales', () => {
  it('English has exactly the French keys', () => {
    expect(keys(en).sort()).toEqual(keys(fr).sort());
  });
  it.each(Object.entries(localePairs))('area %s: one namespace of its own, the same keys in both languages', (area, pair) => {
    expect(keys(pair.en).sort()).toEqual(keys(pair.fr).sort());
    const others = Object.entries(localePairs).filter(([a]) => a !== area);
    for (const top of Object.keys(pair.fr)) for (const [, other] of others) expect(Object.keys(other.fr)).not.toContain(top);
  });
  it('no message uses "@" (vue-i18n linked-message syntax) by accident', () => {
    const all = JSON.stringify([fr, en]);
    expect(all).not.toContain('@');
  });
});
