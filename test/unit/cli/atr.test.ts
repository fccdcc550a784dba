/**
 * `ecps atr`: the JSON contract of the README, one document per ATR; an ATR is analysed as
 * leniently as pcsc-tools' ATR_analysis (what is odd becomes a warning), exit code 8 only for
 * text that is not hexadecimal (the others still print); stdin mode, French by default,
 * English on demand. pcsc-tools' smartcard_list.txt is kept out (ECPS_SMARTCARD_LIST) except
 * where a test gives one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, runMain } from '../../support/cli';

const CONTRACT_KEYS = ['atr', 'card', 'convention', 'Di', 'Fi', 'historical', 'protocols', 'tckValid', 'warnings'].sort();

let previousList: string | undefined;
beforeAll(() => {
  previousList = process.env.ECPS_SMARTCARD_LIST;
  process.env.ECPS_SMARTCARD_LIST = 'none';
});
afterAll(() => {
  if (previousList === undefined) delete process.env.ECPS_SMARTCARD_LIST;
  else process.env.ECPS_SMARTCARD_LIST = previousList;
});

/** Expected analyses, worked out by hand from ISO 7816-3 (T0, TA1 → Fi/Di, TDi → protocols, K historical bytes). */
const VALID: { name: string; atr: string; expected: Record<string, unknown> }[] = [
  {
    name: 'CPS3 (contact, T=0, no TA1)',
    atr: '3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00',
    expected: {
      atr: '3BAC00402A001225006480000310009000',
      convention: 'direct',
      protocols: [0],
      Fi: 372,
      Di: 1,
      historical: '001225006480000310009000',
      tckValid: null,
      warnings: [],
      card: { type: 'cps3', label: 'Carte CPS3 (contact)' },
    },
  },
  {
    name: 'CPS3 contactless (T=0 and T=1, TCK)',
    atr: '3B8F80010031B86404B0ECC1739401808290000E',
    expected: {
      atr: '3B8F80010031B86404B0ECC1739401808290000E',
      convention: 'direct',
      protocols: [0, 1],
      Fi: 372,
      Di: 1,
      historical: '0031B86404B0ECC173940180829000',
      tckValid: true,
      warnings: [],
      card: { type: 'cps3-contactless', label: 'Carte CPS3 (sans contact)' },
    },
  },
  {
    name: 'CPS4 (TA1 = 18: Di 12, T=0 and T=1)',
    atr: '3B9B188001001225006480040100009044',
    expected: {
      atr: '3B9B188001001225006480040100009044',
      convention: 'direct',
      protocols: [0, 1],
      Fi: 372,
      Di: 12,
      historical: '0012250064800401000090',
      tckValid: true,
      warnings: [],
      card: { type: 'cps4', label: 'Carte CPS4 (contact)' },
    },
  },
  {
    name: 'CPS4 pre-series',
    atr: '3B9B188001001225006480000401009044',
    expected: {
      atr: '3B9B188001001225006480000401009044',
      convention: 'direct',
      protocols: [0, 1],
      Fi: 372,
      Di: 12,
      historical: '0012250064800004010090',
      tckValid: true,
      warnings: [],
      card: { type: 'cps4', label: 'Carte CPS4 (contact, pré-série)' },
    },
  },
  {
    name: 'CPS4 T=0 only',
    atr: '3BDC18FF00001225006480000401009000',
    expected: {
      atr: '3BDC18FF00001225006480000401009000',
      convention: 'direct',
      protocols: [0],
      Fi: 372,
      Di: 12,
      historical: '001225006480000401009000',
      tckValid: null,
      warnings: [],
      card: { type: 'cps4', label: 'Carte CPS4 (contact, T=0 seul)' },
    },
  },
  {
    name: 'Vitale 2 (TA1 = 13: Di 4)',
    atr: '3b751300004709ea9000',
    expected: {
      atr: '3B751300004709EA9000',
      convention: 'direct',
      protocols: [0],
      Fi: 372,
      Di: 4,
      historical: '4709EA9000',
      tckValid: null,
      warnings: [],
      card: { type: 'vitale2', label: 'Carte Vitale 2' },
    },
  },
  {
    name: 'French bank card (inverse convention)',
    atr: '3F 65 25 08 43 04 6C 90 00',
    expected: {
      atr: '3F65250843046C9000',
      convention: 'inverse',
      protocols: [0],
      Fi: 372,
      Di: 1,
      historical: '43046C9000',
      tckValid: null,
      warnings: [],
      card: { type: 'bank', label: "Carte bancaire (B0')" },
    },
  },
  {
    name: 'unknown T=1 card with TCK (German eGK: TA1 = 97, T=15 not a protocol)',
    atr: '3BD097FF81B1FE451F072B',
    expected: {
      atr: '3BD097FF81B1FE451F072B',
      convention: 'direct',
      protocols: [1],
      Fi: 512,
      Di: 64,
      historical: '',
      tckValid: true,
      warnings: [],
      card: { type: 'unknown', label: 'Carte inconnue' },
    },
  },
];

describe('ecps atr --json: the README contract', () => {
  it.each(VALID)('$name', async ({ atr, expected }) => {
    const run = await runMain(['atr', '--json', atr]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const docs = jsonLines(run.stdout);
    expect(docs).toHaveLength(1);
    const doc = docs[0]!;
    expect(Object.keys(doc).sort()).toEqual(CONTRACT_KEYS);
    expect(Object.keys(doc.card as object).sort()).toEqual(['label', 'type']);
    expect(doc.warnings).toEqual([]);
    expect(doc).toEqual(expected);
  });

  it('a wrong TCK is reported as tckValid: false (the ATR still analysed)', async () => {
    const run = await runMain(['atr', '--json', '3BD097FF81B1FE451F0700']);
    expect(run.code).toBe(0);
    expect(jsonLines(run.stdout)[0]).toMatchObject({ atr: '3BD097FF81B1FE451F0700', tckValid: false, protocols: [1] });
  });

  it('several ATRs in one run: one document each, in order', async () => {
    const run = await runMain(['atr', '--json', VALID[0]!.atr, VALID[5]!.atr]);
    expect(run.code).toBe(0);
    expect(jsonLines(run.stdout).map((d) => (d.card as { type: string }).type)).toEqual(['cps3', 'vitale2']);
  });
});

describe('ecps atr: odd ATRs are analysed with warnings, as pcsc-tools does; only non-hex is refused', () => {
  const NOT_HEX = [
    { atr: 'zz', shown: 'zz' },
    { atr: '3B6', shown: '3B6' },
  ];

  it.each(NOT_HEX)('$atr → { atr, error: { code: AtrNotHex, message } }, exit 8', async ({ atr, shown }) => {
    const run = await runMain(['atr', '--json', atr]);
    expect(run.code).toBe(8);
    const [doc] = jsonLines(run.stdout);
    expect(Object.keys(doc!).sort()).toEqual(['atr', 'error']);
    expect(doc!.atr).toBe(shown);
    expect(Object.keys(doc!.error as object).sort()).toEqual(['code', 'message']);
    expect((doc!.error as { code: string }).code).toBe('AtrNotHex');
    expect((doc!.error as { message: string }).message).toMatch(/ATR/);
  });

  const ODD = [
    { atr: '3F', warnings: ['t0-missing'], expected: { convention: 'inverse', protocols: [0], historical: '' } },
    // TS 12 is no convention; T0 = 34 announces TA1 (56) and TB1 (absent).
    { atr: '12 34 56', warnings: ['ts-invalid', 'interface-bytes-missing'], expected: { atr: '123456', convention: 'unknown', Fi: 1488, Di: 32, historical: '' } },
    // T0 = 8F announces 15 historical bytes and TD1; TD2 = 01 announces T=1, hence a TCK: none of them is there.
    { atr: '3B 8F 80 01', warnings: ['tck-missing', 'historical-truncated'], expected: { protocols: [0, 1], historical: '', tckValid: null } },
    // T0 = 9F: TA1 and TD1 announced; TD1 = 80 announces TD2, absent.
    { atr: '3B 9F 95 80', warnings: ['interface-bytes-missing'], expected: { Fi: 512, Di: 16, protocols: [0], historical: '' } },
    // One byte past K is read as a TCK (ATR_analysis does the same), two are extra bytes.
    { atr: '3B751300004709EA900000', warnings: ['tck-unexpected', 'tck-invalid'], expected: { Di: 4, historical: '4709EA9000', tckValid: false } },
    { atr: '3B751300004709EA90000000', warnings: ['trailing-bytes'], expected: { Di: 4, historical: '4709EA9000', tckValid: null } },
    { atr: '3BD097FF81B1FE451F0700', warnings: ['tck-invalid'], expected: { tckValid: false, protocols: [1] } },
  ];

  it.each(ODD)('$atr → analysed, warnings $warnings, exit 0', async ({ atr, warnings, expected }) => {
    const run = await runMain(['atr', '--json', atr]);
    expect(run.code, run.stdout).toBe(0);
    const [doc] = jsonLines(run.stdout);
    expect(Object.keys(doc!).sort()).toEqual(CONTRACT_KEYS);
    expect(doc).toMatchObject(expected);
    const got = doc!.warnings as { code: string; message: string }[];
    expect(got.map((w) => w.code).sort()).toEqual([...warnings].sort());
    for (const w of got) expect(w.message).toMatch(/[a-zé]{3}/);
  });

  it('warnings in French by default, in English with --lang en, in the human output too', async () => {
    const fr = await runMain(['atr', '3B 8F 80 01']);
    expect(fr.stdout).toContain('⚠ TCK manque');
    expect(fr.stdout).toContain('⚠ Octets historiques incomplets : 15 annoncés (T0), 0 présents.');
    const en = await runMain(['atr', '--lang', 'en', '3B 8F 80 01']);
    expect(en.stdout).toContain('⚠ TCK is missing');
    expect(en.stdout).not.toMatch(/manque|présents/);
  });

  it('invalid and valid ATRs in one run: exit 8, but every valid one is still analysed', async () => {
    const run = await runMain(['atr', '--json', VALID[0]!.atr, 'zz', VALID[5]!.atr]);
    expect(run.code).toBe(8);
    const docs = jsonLines(run.stdout);
    expect(docs).toHaveLength(3);
    expect((docs[0]!.card as { type: string }).type).toBe('cps3');
    expect((docs[1]!.error as { code: string }).code).toBe('AtrNotHex');
    expect((docs[2]!.card as { type: string }).type).toBe('vitale2');
  });

  it('human output: French message for text that is not hexadecimal, exit 8', async () => {
    const run = await runMain(['atr', '3G']);
    expect(run.code).toBe(8);
    expect(run.stdout).toContain('Ce n’est pas une ATR en hexadécimal');
    expect(run.stdout).toContain('AtrNotHex');
  });

  it('no ATR at all is a usage error (2), in French', async () => {
    const run = await runMain(['atr']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^Ligne de commande invalide : indiquez une ATR/);
  });
});

describe('ecps atr -: one ATR per line on stdin', () => {
  it('skips blank lines and # comments, prints one JSON document per ATR line', async () => {
    const stdin = [
      '# ATRs seen at the pharmacy',
      '3BAC00402A001225006480000310009000',
      '',
      '   ',
      '  # Vitale, indented comment',
      '3B 75 13 00 00 47 09 EA 90 00\r',
      'not-an-atr',
      '3BD097FF81B1FE451F072B',
    ].join('\n');
    const run = await runMain(['atr', '--json', '-'], { stdin });
    const docs = jsonLines(run.stdout);
    expect(run.stdout.trim().split('\n')).toHaveLength(4);
    expect(docs.map((d) => (d.card as { type: string } | undefined)?.type ?? (d.error as { code: string }).code)).toEqual([
      'cps3',
      'vitale2',
      'AtrNotHex',
      'unknown',
    ]);
    expect(run.code).toBe(8);
  });

  it('all lines valid: exit 0; an empty stdin prints nothing and exits 0', async () => {
    const ok = await runMain(['atr', '--json', '-'], { stdin: '3F65250843046C9000\n3B751300004709EA9000\n' });
    expect(ok.code).toBe(0);
    expect(jsonLines(ok.stdout)).toHaveLength(2);
    const empty = await runMain(['atr', '--json', '-'], { stdin: '' });
    expect(empty.code).toBe(0);
    expect(empty.stdout).toBe('');
  });
});

describe('ecps atr: language', () => {
  it('French by default (labels and human output)', async () => {
    const run = await runMain(['atr', '3B751300004709EA9000']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('    Convention : directe\n');
    expect(run.stdout).toContain('    Protocoles : T=0\n');
    expect(run.stdout).toContain('    Fi/Di : 372/4');
    expect(run.stdout).toContain('    TCK : absent (T=0 seul)\n');
    expect(run.stdout).toContain('    Carte : Carte Vitale 2 (vitale2)\n');
  });

  it('--lang en: English labels, card labels and error messages', async () => {
    const human = await runMain(['atr', '--lang', 'en', '3F65250843046C9000']);
    expect(human.stdout).toContain('    Convention: inverse\n');
    expect(human.stdout).toContain('    Protocols: T=0\n');
    expect(human.stdout).toContain("    Card: French bank card (B0') (bank)\n");
    const json = await runMain(['atr', '--json', '--lang=en', 'zz', '3B751300004709EA9000', '3F']);
    const [bad, good, odd] = jsonLines(json.stdout);
    expect((bad!.error as { message: string }).message).toBe('This is not a hexadecimal ATR (an even number of 0-9 A-F digits is expected).');
    expect(odd!.warnings).toEqual([{ code: 't0-missing', message: 'T0 is missing: the ATR ends after TS.' }]);
    expect((good!.card as { label: string }).label).toBe('Vitale 2 card');
  });
});
