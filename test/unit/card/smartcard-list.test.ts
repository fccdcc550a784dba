/**
 * Naming a card our knowledge base does not know from pcsc-tools' smartcard_list.txt, the way
 * ATR_analysis does (src-main/card/smartcard-list.ts), and `ecps atr` saying where the name
 * comes from.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lookupSmartcardList, smartcardListFiles } from '../../../src-main/card/smartcard-list';
import { parseHex } from '../../../src-shared/hex';
import { jsonLines, runMain } from '../../support/cli';

let dir: string;
let list: string;
const LIST = [
  '# syntax:',
  '# ATR in regular expression form',
  '# \\t descriptive text',
  '',
  '3B 02 14 50',
  '\tSchlumberger Multiflex 3k',
  '',
  '3B 02 14 5.',
  '\tAny Multiflex (wildcard digit)',
  '\thttps://example.invalid/multiflex',
  '',
  '3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00',
  '\tSesam Vitale card CPS (from the list)',
  '',
  '3B ((( broken',
  '\tAn entry JavaScript cannot read',
  '',
].join('\n');

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ecps-sclist-'));
  list = path.join(dir, 'smartcard_list.txt');
  writeFileSync(list, LIST);
  writeFileSync(path.join(dir, 'empty.txt'), '');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lookupSmartcardList', () => {
  it('keeps every matching entry in file order, wildcards included, each with its descriptions', () => {
    const found = lookupSmartcardList(parseHex('3B 02 14 50')!, [list]);
    expect(found).toEqual({
      file: list,
      entries: [
        { pattern: '3B 02 14 50', descriptions: ['Schlumberger Multiflex 3k'] },
        { pattern: '3B 02 14 5.', descriptions: ['Any Multiflex (wildcard digit)', 'https://example.invalid/multiflex'] },
      ],
    });
    expect(lookupSmartcardList(parseHex('3B 02 14 51')!, [list])?.entries.map((e) => e.pattern)).toEqual(['3B 02 14 5.']);
    expect(lookupSmartcardList(parseHex('3B 02 14 60')!, [list])).toEqual({ file: list, entries: [] });
  });

  it('skips missing and empty files (ATR_analysis leaves an empty cache when its update fails); no file, no answer', () => {
    expect(lookupSmartcardList(parseHex('3B 02 14 50')!, [path.join(dir, 'missing.txt'), path.join(dir, 'empty.txt'), list])?.file).toBe(list);
    expect(lookupSmartcardList(parseHex('3B 02 14 50')!, [path.join(dir, 'empty.txt')])).toBeUndefined();
  });

  it('looks where ATR_analysis looks, or only at ECPS_SMARTCARD_LIST (none: nowhere)', () => {
    expect(smartcardListFiles({}, '/home/u')).toEqual([
      '/home/u/.cache/smartcard_list.txt',
      '/home/u/.smartcard_list.txt',
      '/usr/local/pcsc/smartcard_list.txt',
      '/usr/share/pcsc/smartcard_list.txt',
      '/usr/local/share/pcsc/smartcard_list.txt',
    ]);
    expect(smartcardListFiles({ XDG_CACHE_HOME: '/c' }, '/home/u')[0]).toBe('/c/smartcard_list.txt');
    expect(smartcardListFiles({ ECPS_SMARTCARD_LIST: '/x.txt' }, '/home/u')).toEqual(['/x.txt']);
    expect(smartcardListFiles({ ECPS_SMARTCARD_LIST: 'none' }, '/home/u')).toEqual([]);
  });
});

describe('the plain patterns compared without a RegExp mean what their expression means', () => {
  it('matches exactly what `^pattern$` (case-insensitive) matches, on 600 random patterns and 2,000 ATRs', () => {
    // A seeded generator: the same list on every run.
    let seed = 0x5eed;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const HEX = '0123456789ABCDEF';
    const byte = () => HEX[rand(16)]! + HEX[rand(16)]!;
    const atrs: string[] = [];
    const patterns: string[] = [];
    for (let i = 0; i < 600; i++) {
      const bytes = Array.from({ length: 2 + rand(6) }, () => (rand(2) ? '3B' : byte()));
      atrs.push(bytes.join(' '));
      // Wildcards on whole bytes or single digits, lower case here and there; a few expressions.
      let pattern = bytes.map((b) => (rand(4) === 0 ? '..' : rand(5) === 0 ? `${b[0]}.` : b)).join(' ');
      if (rand(7) === 0) pattern = pattern.toLowerCase();
      if (rand(10) === 0) pattern = pattern.replace(/ (.)(.)$/, ' $1[$2F]');
      patterns.push(pattern);
    }
    for (let i = 0; i < 1400; i++) atrs.push(Array.from({ length: 2 + rand(6) }, () => (rand(2) ? '3B' : byte())).join(' '));
    const file = path.join(dir, 'random-list.txt');
    writeFileSync(file, patterns.map((p, i) => `${p}\n\tcard ${i}\n`).join('\n'));

    let matched = 0;
    for (const atr of atrs) {
      const expected = patterns.filter((p) => new RegExp(`^${p}$`, 'i').test(atr));
      const found = lookupSmartcardList(parseHex(atr)!, [file])!.entries.map((e) => e.pattern);
      expect(found, atr).toEqual(expected);
      matched += found.length;
    }
    expect(matched).toBeGreaterThan(600); // every pattern's own ATR at least
  });
});

describe('ecps atr names an unknown card from the list, with its source', () => {
  let previous: string | undefined;
  beforeAll(() => {
    previous = process.env.ECPS_SMARTCARD_LIST;
    process.env.ECPS_SMARTCARD_LIST = list;
  });
  afterAll(() => {
    if (previous === undefined) delete process.env.ECPS_SMARTCARD_LIST;
    else process.env.ECPS_SMARTCARD_LIST = previous;
  });

  it('JSON: the first name as label, every name and the file; our own knowledge first for the cards we know', async () => {
    const run = await runMain(['atr', '--json', '3B021450', '3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00']);
    const [unknown, cps3] = jsonLines(run.stdout);
    expect(unknown!.card).toEqual({ type: 'unknown', label: 'Schlumberger Multiflex 3k', source: list, names: ['Schlumberger Multiflex 3k', 'Any Multiflex (wildcard digit)'] });
    expect(cps3!.card).toEqual({ type: 'cps3', label: 'Carte CPS3 (contact)' });
  });

  it('human output: the names, then where they come from, in French or in English', async () => {
    const fr = await runMain(['atr', '3B021450']);
    expect(fr.stdout).toContain('    Carte : Schlumberger Multiflex 3k (unknown)\n      · Any Multiflex (wildcard digit)\n');
    expect(fr.stdout).toContain(`    Source : absente de la base de Compagnon e-CPS ; nommée d’après ${list} (pcsc-tools)`);
    const en = await runMain(['atr', '--lang', 'en', '3B021450']);
    expect(en.stdout).toContain(`    Source: not in Compagnon e-CPS’s knowledge base; named from ${list} (pcsc-tools)`);
  });

  it('an ATR the list does not know either stays « Carte inconnue »', async () => {
    const run = await runMain(['atr', '--json', '3B021460']);
    expect(jsonLines(run.stdout)[0]!.card).toEqual({ type: 'unknown', label: 'Carte inconnue' });
  });
});
