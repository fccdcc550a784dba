import { describe, expect, it } from 'vitest';
import {
  STATUS_WORD_PATTERN,
  describeStatusWord,
  loadStatusWordFile,
  lookupStatusWord,
  statusWordDescription,
} from '../../../src-main/card/status-words';

describe('resources/status-words.json', () => {
  const file = loadStatusWordFile();

  it('names its sources', () => {
    expect(Object.keys(file.sources)).toEqual(expect.arrayContaining(['iso7816-4', 'ias-ecc', 'opensc']));
  });

  it.each(file.entries.map((e) => [e.pattern, e] as const))('%s is well formed', (_pattern, entry) => {
    expect(entry.pattern).toMatch(STATUS_WORD_PATTERN);
    expect(['success', 'warning', 'error']).toContain(entry.kind);
    expect(Object.keys(file.sources)).toContain(entry.source);
    for (const text of [entry.fr, entry.en]) {
      expect(text.trim().length).toBeGreaterThan(5);
      // Placeholders only where the pattern has the matching wildcard.
      if (text.includes('{xx}')) expect(entry.pattern.endsWith('xx')).toBe(true);
      if (text.includes('{x}')) expect(entry.pattern).toMatch(/[0-9A-F]x$/);
    }
    expect(entry.fr).not.toBe(entry.en);
    for (const note of Object.values(entry.notes ?? {})) expect(note.fr && note.en).toBeTruthy();
  });

  it('has each pattern once and covers the brief list', () => {
    const patterns = file.entries.map((e) => e.pattern);
    expect(new Set(patterns).size).toBe(patterns.length);
    const required = '9000 61xx 6Cxx 6281 6282 6283 63Cx 6581 6700 6882 6883 6982 6983 6984 6985 6986 6A80 6A81 6A82 6A83 6A84 6A86 6A88 6B00 6D00 6E00 6F00 6400'.split(' ');
    expect(patterns).toEqual(expect.arrayContaining(required));
  });
});

describe('describeStatusWord', () => {
  it('speaks French and English', () => {
    expect(describeStatusWord(0x9000, 'fr')).toBe('9000 : Commande exécutée avec succès.');
    expect(describeStatusWord(0x6a82, 'en')).toBe('6A82: File or application not found.');
  });

  it('fills in the tries left of 63Cx and the byte count of 61xx / 6Cxx', () => {
    expect(describeStatusWord(0x63c2, 'fr')).toContain('il reste 2 essai');
    expect(describeStatusWord(0x63c0, 'en')).toContain('0 try');
    expect(describeStatusWord(0x6110, 'en')).toContain('16 response byte');
    expect(describeStatusWord(0x6c00, 'fr')).toContain('0 octet');
  });

  it('prefers the most specific pattern and falls back to the ISO family', () => {
    expect(lookupStatusWord(0x6a82)?.pattern).toBe('6A82');
    expect(lookupStatusWord(0x6a8f)?.pattern).toBe('6Axx');
    expect(lookupStatusWord(0x6281)?.pattern).toBe('6281');
    expect(lookupStatusWord(0x6299)?.pattern).toBe('62xx');
    expect(lookupStatusWord(0x63c5)?.pattern).toBe('63Cx');
  });

  it('adds the CPS4 reading of 6985 when asked', () => {
    expect(statusWordDescription(0x6985).text.fr).not.toContain('CPS4');
    expect(statusWordDescription(0x6985, 'cps4').text.fr).toContain('resélectionner');
    expect(describeStatusWord(0x6983, 'fr')).toContain('bloqué');
  });

  it('says plainly when a status word is unknown', () => {
    expect(statusWordDescription(0x1234)).toMatchObject({ sw: '1234', pattern: undefined, kind: 'error' });
    expect(describeStatusWord(0x1234, 'en')).toBe('1234: Unknown status 1234.');
  });
});
