/**
 * `ecps atr`: the JSON contract of the README, one document per ATR, exit code 8 when any ATR
 * is malformed (the valid ones still print), stdin mode, French by default, English on demand.
 */
import { describe, expect, it } from 'vitest';
import { jsonLines, runMain } from '../../support/cli';

const CONTRACT_KEYS = ['atr', 'card', 'convention', 'Di', 'Fi', 'historical', 'protocols', 'tckValid'].sort();

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

describe('ecps atr: malformed ATRs', () => {
  const INVALID = [
    { atr: 'zz', code: 'AtrNotHex', shown: 'zz' },
    { atr: '3B6', code: 'AtrNotHex', shown: '3B6' },
    { atr: '3F', code: 'AtrTooShort', shown: '3F' },
    { atr: '12 34 56', code: 'AtrBadTs', shown: '123456' },
    { atr: '3B 8F 80 01', code: 'AtrTruncated', shown: '3B8F8001' },
    { atr: '3B751300004709EA900000', code: 'AtrTooLong', shown: '3B751300004709EA900000' },
  ];

  it.each(INVALID)('$atr → { atr, error: { code: $code, message } }', async ({ atr, code, shown }) => {
    const run = await runMain(['atr', '--json', atr]);
    expect(run.code).toBe(8);
    const [doc] = jsonLines(run.stdout);
    expect(Object.keys(doc!).sort()).toEqual(['atr', 'error']);
    expect(doc!.atr).toBe(shown);
    expect(Object.keys(doc!.error as object).sort()).toEqual(['code', 'message']);
    expect((doc!.error as { code: string }).code).toBe(code);
    expect((doc!.error as { message: string }).message).toMatch(/ATR/);
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

  it('human output: French message for a malformed ATR, exit 8', async () => {
    const run = await runMain(['atr', '3F']);
    expect(run.code).toBe(8);
    expect(run.stdout).toContain('ATR trop court');
    expect(run.stdout).toContain('AtrTooShort');
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
    const json = await runMain(['atr', '--json', '--lang=en', '3F', '3B751300004709EA9000']);
    const [bad, good] = jsonLines(json.stdout);
    expect((bad!.error as { message: string }).message).toBe('ATR too short: the format byte T0 is missing.');
    expect((good!.card as { label: string }).label).toBe('Vitale 2 card');
  });
});
