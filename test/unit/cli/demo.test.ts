/**
 * The commands through the built-in virtual reader (--demo): what a technician sees with no
 * hardware at all. A CPS3 in slot 0 and a Vitale 2 in slot 1.
 */
import { describe, expect, it } from 'vitest';
import { jsonLines, runMain } from '../../support/cli';

const SLOT0 = 'Lecteur virtuel Compagnon e-CPS 00 00';
const SLOT1 = 'Lecteur virtuel Compagnon e-CPS 00 01';
const CPS3_ATR = '3BAC00402A001225006480000310009000';
const VITALE2_ATR = '3B751300004709EA9000';

describe('ecps readers --demo', () => {
  it('--json: two readers, the CPS3 confirmed by the card with its serial number, the Vitale 2', async () => {
    const run = await runMain(['readers', '--demo', '--json']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const [rows] = jsonLines(run.stdout) as unknown as Record<string, unknown>[][];
    expect(rows).toHaveLength(2);
    expect(rows![0]).toMatchObject({
      name: SLOT0,
      cardPresent: true,
      atr: CPS3_ATR,
      card: { type: 'cps3', label: 'Carte CPS3 (contact)', confirmed: true, serialNumber: '00012345' },
    });
    expect(rows![1]).toMatchObject({ name: SLOT1, cardPresent: true, atr: VITALE2_ATR, card: { type: 'vitale2', label: 'Carte Vitale 2' } });
    expect(rows![1]!.card).not.toHaveProperty('serialNumber');
    for (const row of rows!) expect(row).not.toHaveProperty('error');
  });

  it('human output: the demo banner first, then one French line per reader', async () => {
    const run = await runMain(['readers', '--demo']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\*\*\* MODE DÉMONSTRATION/);
    expect(run.stdout).toContain(`Lecteur « ${SLOT0} » : Carte CPS3 (contact) n° 00012345`);
    expect(run.stdout).toContain(`Lecteur « ${SLOT1} » : Carte Vitale 2`);
  });
});

describe('ecps card --demo', () => {
  it('--json: the CPS3 of slot 0, confirmed, serial number, T=0', async () => {
    const run = await runMain(['card', '--demo', '--json']);
    expect(run.code).toBe(0);
    const [doc] = jsonLines(run.stdout);
    expect(doc).toMatchObject({
      reader: SLOT0,
      demo: true,
      atr: CPS3_ATR,
      protocol: 'T0',
      type: 'cps3',
      confirmed: true,
      serialNumber: '00012345',
    });
    expect(doc!.evidence).toEqual(expect.arrayContaining([expect.stringMatching(/EF\.SN\.ICC/)]));
  });

  it('--reader "00 01" (a part of the name): the Vitale 2, no serial number', async () => {
    const run = await runMain(['card', '--demo', '--json', '--reader', '00 01']);
    expect(run.code).toBe(0);
    expect(jsonLines(run.stdout)[0]).toMatchObject({ reader: SLOT1, type: 'vitale2', serialNumber: null });
  });

  it('an unknown reader: exit 4, UnknownReader in French', async () => {
    const run = await runMain(['card', '--demo', '--json', '--reader', 'Gemalto']);
    expect(run.code).toBe(4);
    expect(jsonLines(run.stdout)[0]).toMatchObject({ error: { code: 'UnknownReader', message: 'Ce lecteur n’existe pas.' } });
  });

  it('human output in English with --lang en', async () => {
    const run = await runMain(['card', '--demo', '--lang', 'en']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^\*\*\* DEMO MODE/);
    expect(run.stdout).toMatch(/^Type: .+ \(cps3\)$/m);
    expect(run.stdout).toContain('\nConfirmed by the card: yes\n');
    expect(run.stdout).toContain('\nSerial number: 00012345\n');
    expect(run.stdout).not.toContain(' : ');
  });
});

describe('ecps watch --demo --json', () => {
  it('announces the readers and cards, then exits 0 when Ctrl-C aborts the signal', async () => {
    const run = await runMain(['watch', '--demo', '--json'], {
      until: (out) => out.split('\n').filter((l) => l.includes('card-inserted')).length >= 2,
    });
    expect(run.code).toBe(0);
    const events = jsonLines(run.stdout);
    expect(events.map((e) => [e.type, e.reader])).toEqual([
      ['reader-added', SLOT0],
      ['card-inserted', SLOT0],
      ['reader-added', SLOT1],
      ['card-inserted', SLOT1],
    ]);
    expect(events[1]).toMatchObject({ atr: CPS3_ATR, card: { type: 'cps3' } });
    expect(events[3]).toMatchObject({ atr: VITALE2_ATR, card: { type: 'vitale2' } });
    for (const e of events) expect(Number.isNaN(Date.parse(String(e.at)))).toBe(false);
  });

  it('exits at once when the signal is already aborted', async () => {
    const run = await runMain(['watch', '--demo', '--json'], { abortAfterMs: 0 });
    expect(run.code).toBe(0);
  });
});

describe('ecps companion --demo', () => {
  it('the demo banner on the first line, then the readers in French', async () => {
    const run = await runMain(['companion', '--demo'], { until: (out) => out.includes('Ctrl-C pour quitter') });
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('*** MODE DÉMONSTRATION — lecteur et cartes virtuels, aucune vraie carte n’est lue ***');
    expect(run.stdout).toContain('Source : lecteur virtuel intégré (démonstration)');
    expect(run.stdout).toContain(`« ${SLOT0} » : Carte CPS3 (contact) n° 00012345`);
    expect(run.stdout).toContain(`« ${SLOT1} » : Carte Vitale 2`);
  });
});

describe('ecps card: the evidence lines in the chosen language', () => {
  it('French output has no English evidence line; English output has English ones', async () => {
    const fr = await runMain(['card', '--demo']);
    const frLines = fr.stdout.split('\n').filter((l) => l.startsWith('    · '));
    expect(frLines.length).toBeGreaterThanOrEqual(4);
    for (const line of frLines) expect(line).not.toMatch(/\b(matches|serial|issuer|not an)\b/);
    expect(frLines.join('\n')).toContain('émetteur ANS 8025000001, n° de série');
    const en = await runMain(['card', '--demo', '--lang', 'en', '--json']);
    expect((jsonLines(en.stdout)[0]!.evidence as string[]).join('\n')).toContain('ANS issuer 8025000001, serial');
  });
});
