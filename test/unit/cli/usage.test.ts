/**
 * The command line itself: wrong input exits 2 with a French message (English with --lang en),
 * --help exits 0, --version prints package.json's version, and option values are never taken
 * for the command name.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { VIRTUAL_CARD_KINDS } from '../../../simulators/cards/catalog';
import { jsonLines, runMain } from '../../support/cli';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
const USAGE_FR = /^Ligne de commande invalide : .+\nQue faire : Tapez « ecps --help » pour la liste des commandes\.\n$/;

afterEach(() => {
  delete process.env.ECPS_LANG;
});

describe('usage errors: exit 2, French message on stderr, nothing on stdout', () => {
  const CASES: { argv: string[]; says: RegExp }[] = [
    { argv: ['frobnicate'], says: /commande inconnue « frobnicate »/ },
    { argv: ['readers', '--bogus'], says: /option inconnue « --bogus »/ },
    { argv: ['readers', '-x'], says: /option inconnue « -x »/ },
    { argv: ['card', '--slot', '1'], says: /option inconnue « --slot »/ },
    { argv: ['readers', '--lang', 'de'], says: /langue « de » inconnue \(fr ou en\)/ },
    { argv: ['readers', '--lang=es'], says: /langue « es » inconnue/ },
    { argv: ['readers', '--timeout', 'abc'], says: /--timeout abc : un nombre entier de millisecondes entre 100 et 600000/ },
    { argv: ['readers', '--timeout', '5'], says: /--timeout 5 :/ },
    { argv: ['readers', '--timeout', '1e3'], says: /--timeout 1e3 :/ },
    { argv: ['readers', '--timeout', '9999999'], says: /--timeout 9999999 :/ },
    { argv: ['readers', '--timeout'], says: /l’option « --timeout » attend une valeur/ },
    { argv: ['card', '--reader', '--demo'], says: /l’option « --reader » attend une valeur/ },
    { argv: ['readers', '--json=yes'], says: /l’option « --json » ne prend pas de valeur/ },
    { argv: ['card', '00 01'], says: /argument inattendu « 00 01 » pour « ecps card »/ },
    { argv: ['simulate'], says: new RegExp(`indiquez la carte à simuler : ecps simulate <${VIRTUAL_CARD_KINDS.join('\\|')}>`) },
    { argv: ['simulate', 'cps9'], says: new RegExp(`carte virtuelle inconnue « cps9 » \\(cartes disponibles : ${VIRTUAL_CARD_KINDS.join(', ')}\\)`) },
    { argv: ['simulate', 'cps3', 'vitale2'], says: /argument inattendu « vitale2 »/ },
    { argv: ['simulate', 'cps3', '--slot', '2'], says: /--slot 2 : 0 ou 1 attendu/ },
    { argv: ['simulate', 'cps3', '--slot', '0x1'], says: /--slot 0x1 :/ },
    { argv: ['simulate', 'cps3', '--fault', 'explode'], says: /panne simulée « explode » mal décrite/ },
    { argv: ['simulate', 'cps3', '--fault', 'slow:50,drop:x'], says: /panne simulée « drop:x » mal décrite/ },
    { argv: ['simulate', 'cps3', '--fault', 'mute:2:3'], says: /panne simulée « mute:2:3 »/ },
    { argv: ['simulate', 'cps3', '--vpcd-port', '70000'], says: /--vpcd-port 70000 :/ },
  ];

  it.each(CASES)('ecps $argv', async ({ argv, says }) => {
    const run = await runMain(argv);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(USAGE_FR);
    expect(run.stderr).toMatch(says);
  });

  it('--json: the usage error is a JSON document { error: { code: UsageError, message, remedy } }', async () => {
    const run = await runMain(['readers', '--json', '--bogus']);
    expect(run.code).toBe(2);
    const [doc] = jsonLines(run.stdout);
    expect(doc).toEqual({
      error: {
        code: 'UsageError',
        message: 'Ligne de commande invalide : option inconnue « --bogus »',
        remedy: 'Tapez « ecps --help » pour la liste des commandes.',
      },
    });
  });

  it('--lang en: the same errors in English', async () => {
    const run = await runMain(['--lang', 'en', 'simulate', 'cps3', '--slot', '7']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('Invalid command line: --slot 7: 0 or 1 expected\nWhat to do: Type "ecps --help" for the list of commands.\n');
  });

  it('a bad ECPS_LANG is a usage error naming the variable', async () => {
    process.env.ECPS_LANG = 'de';
    const run = await runMain(['atr', '3F']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/ECPS_LANG=de : langue inconnue/);
  });

  it('ECPS_LANG=en switches to English; --lang fr wins over it', async () => {
    process.env.ECPS_LANG = 'en';
    expect((await runMain(['nope'])).stderr).toMatch(/^Invalid command line: unknown command "nope"/);
    expect((await runMain(['--lang', 'fr', 'nope'])).stderr).toMatch(/^Ligne de commande invalide : commande inconnue « nope »/);
  });

  it('`ecps` alone: the help on stderr, exit 2', async () => {
    const run = await runMain([]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^Compagnon e-CPS — outil en ligne de commande/);
  });
});

describe('option values are not taken for the command name', () => {
  it('`ecps --lang en atr …` runs atr in English', async () => {
    const run = await runMain(['--lang', 'en', 'atr', '--json', '3F']);
    expect(run.code).toBe(0);
    expect(jsonLines(run.stdout)[0]).toMatchObject({ warnings: [{ code: 't0-missing', message: 'T0 is missing: the ATR ends after TS.' }] });
  });

  it('`ecps --timeout 500 --demo --json card` runs card', async () => {
    const run = await runMain(['--timeout', '500', '--demo', '--json', 'card']);
    expect(run.code).toBe(0);
    expect(jsonLines(run.stdout)[0]).toMatchObject({ type: 'cps3' });
  });
});

describe('--help and --version', () => {
  it.each([{ argv: ['--help'] }, { argv: ['-h'] }, { argv: ['readers', '--help'] }, { argv: ['simulate', '-h'] }])('ecps $argv: the French help, exit 0', async ({ argv }) => {
    const run = await runMain(argv);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^Compagnon e-CPS — outil en ligne de commande pour lecteurs de cartes CPS \/ Vitale\n\nUsage : ecps <commande>/);
    for (const command of ['readers', 'watch', 'atr', 'card', 'simulate', 'companion']) expect(run.stdout).toContain(`  ${command}`);
    // Every virtual card `simulate` accepts is listed.
    expect(run.stdout).toContain(`cartes : ${VIRTUAL_CARD_KINDS.join(', ')}\n`);
  });

  it('--help --lang en: the English help', async () => {
    const run = await runMain(['--help', '--lang', 'en']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Compagnon e-CPS — command-line tool/);
    expect(run.stdout).toContain('Usage: ecps <command> [options]');
  });

  it.each([['--version'], ['-v']])('%s prints the version of package.json', async (flag) => {
    const run = await runMain([flag]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${pkg.version}\n`);
  });
});
