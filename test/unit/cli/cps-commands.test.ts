/**
 * `ecps card`, `ecps pin …` and `ecps auth-test` through the built-in virtual reader (--demo):
 * a CPS3 with sandbox certificates (DUPONT Marie, Pharmacien; PIN 1234, PUK 12345678) in
 * slot 0, a Vitale 2 in slot 1. The demo cards live for the whole process, so PIN tries spent
 * by one command are still spent for the next — `resetDemoCards()` gives fresh ones per test.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { resetDemoCards } from '../../../src-main/reader/demo';
import { cpsSimulationOptions } from '../../../src-main/cli/commands/simulate';
import { fakeTty, jsonLines, runMain, type CliResult } from '../../support/cli';

const PIN = '1234';
const PUK = '12345678';
const WRONG = '9753';
const NEW_PIN = '8642';
const SERIAL = '00012345'; // the demo card's serial: it happens to contain "1234"

const dir = mkdtempSync(path.join(tmpdir(), 'ecps-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every output of the file, checked at the end for codes. */
const outputs: string[] = [];
async function run(argv: string[], stdin?: string, tty?: ReturnType<typeof fakeTty>): Promise<CliResult> {
  const result = await runMain(argv, { ...(stdin !== undefined ? { stdin } : {}), ...(tty ? { tty } : {}) });
  outputs.push(result.stdout, result.stderr);
  return result;
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON documents read field by field in assertions
type Doc = Record<string, any>;
const json = (r: CliResult) => jsonLines(r.stdout)[0] as Doc;
const pin = (argv: string[], stdin?: string) => run(['pin', ...argv, '--demo', '--json', ...(stdin !== undefined ? ['--pin-stdin'] : [])], stdin);

beforeEach(() => resetDemoCards());

describe('ecps card --demo (CPS with credentials)', () => {
  it('--json: identity of the sandbox holder and the PIN counter', async () => {
    const r = await run(['card', '--demo', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = json(r);
    expect(doc).toMatchObject({
      type: 'cps3',
      confirmed: true,
      identity: {
        surname: 'DUPONT',
        givenName: 'Marie',
        idNat: '899700000013',
        rpps: '99700000013',
        profession: 'Pharmacien',
        generation: 'cps3',
        serialNumber: SERIAL,
        status: 'valid',
        issuer: expect.stringContaining('AC IGC-SANTE TEST FORT PERSONNES'),
      },
      pin: { triesLeft: 3, maxTries: 3, blocked: false },
    });
    expect(Date.parse(doc.identity.notAfter)).toBeGreaterThan(Date.now());
    expect(doc.identity.expiresInDays).toBeGreaterThan(30);
  });

  it('human output in French: holder, profession, RPPS, validity, PIN tries', async () => {
    const r = await run(['card', '--demo']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Titulaire : DUPONT Marie\n');
    expect(r.stdout).toContain('Profession : Pharmacien\n');
    expect(r.stdout).toContain('RPPS : 99700000013\n');
    expect(r.stdout).toMatch(/^Validité : du \d\d\/\d\d\/\d{4} au \d\d\/\d\d\/\d{4} — expire dans \d+ jours$/m);
    expect(r.stdout).toContain('Code porteur : 3 essais restants sur 3\n');
  });

  it('a Vitale card: named, with the "insert your CPS in the other slot" outcome; PIN commands exit 11', async () => {
    const card = await run(['card', '--demo', '--json', '--reader', '00 01']);
    expect(card.code).toBe(0);
    expect(json(card)).toMatchObject({ type: 'vitale2', outcome: { code: 'VitaleInCpsSlot', message: expect.stringContaining('insérez votre carte CPS dans l’autre fente') } });
    expect(json(card)).not.toHaveProperty('pin');
    const human = await run(['card', '--demo', '--reader', '00 01']);
    expect(human.stdout).toContain('Ceci est une carte Vitale — insérez votre carte CPS dans l’autre fente.');
    const status = await run(['pin', 'status', '--demo', '--json', '--reader', '00 01']);
    expect(status.code).toBe(11);
    expect(json(status)).toMatchObject({ error: { code: 'VitaleInCpsSlot' } });
  });
});

describe('ecps pin --demo', () => {
  it('status: 3/3 (and the PUK counter)', async () => {
    const r = await pin(['status']);
    expect(r.code).toBe(0);
    expect(json(r)).toMatchObject({ ok: true, pin: { triesLeft: 3, maxTries: 3, blocked: false }, puk: { triesLeft: 10, maxTries: 10 } });
  });

  it('a wrong PIN: exit 9, French message, 2 left; at 1 left VERIFY without --confirm-last-try is refused and still 1 left', async () => {
    const first = await pin(['verify'], `${WRONG}\n`);
    expect(first.code).toBe(9);
    expect(json(first)).toMatchObject({
      ok: false,
      error: { code: 'PinIncorrect', message: 'Code porteur incorrect : il reste 2 essais.' },
      pin: { triesLeft: 2, maxTries: 3, blocked: false },
    });
    const human = await run(['pin', 'verify', '--demo', '--pin-stdin'], `${WRONG}\n`);
    expect(human.code).toBe(9);
    expect(human.stderr).toContain('Code porteur incorrect : il reste 1 essai.');

    const refused = await pin(['verify'], `${PIN}\n`);
    expect(refused.code).toBe(10);
    expect(json(refused)).toMatchObject({ error: { code: 'PinLastTryNeedsConfirmation' }, pin: { triesLeft: 1, blocked: false } });
    expect(json(refused).error.message).toMatch(/Rien n’a été envoyé/);
    expect(json(await pin(['status'])).pin).toEqual({ triesLeft: 1, maxTries: 3, blocked: false });

    const confirmed = await pin(['verify', '--confirm-last-try'], `${PIN}\n`);
    expect(confirmed.code).toBe(0);
    expect(json(confirmed)).toMatchObject({ ok: true, pin: { triesLeft: 3, maxTries: 3, blocked: false } });
  });

  it('the right PIN: success and 3/3', async () => {
    const r = await pin(['verify'], `${PIN}\n`);
    expect(r.code).toBe(0);
    expect(json(r)).toEqual({ command: 'pin', action: 'verify', reader: expect.any(String), demo: true, ok: true, pin: { triesLeft: 3, maxTries: 3, blocked: false } });
    const human = await run(['pin', 'verify', '--demo', '--pin-stdin'], `${PIN}\n`);
    expect(human.stdout).toContain('Code porteur correct.\nCode porteur : 3 essais restants sur 3\n');
  });

  it('a PIN of the wrong length: exit 10, nothing sent, no try spent', async () => {
    const r = await pin(['verify'], '12\n');
    expect(r.code).toBe(10);
    expect(json(r)).toMatchObject({ error: { code: 'PinFormatInvalid' }, pin: { triesLeft: 3 } });
  });

  it('change (old, new on stdin), then the new PIN verifies and the old one no longer does', async () => {
    const change = await pin(['change'], `${PIN}\n${NEW_PIN}\n`);
    expect(change.code, change.stdout).toBe(0);
    expect(json(change)).toMatchObject({ ok: true, pin: { triesLeft: 3, maxTries: 3 } });
    expect((await pin(['verify'], `${NEW_PIN}\n`)).code).toBe(0);
    expect((await pin(['verify'], `${PIN}\n`)).code).toBe(9);
  });

  it('blocked after three wrong PINs, then unblocked with the PUK (PUK, new PIN on stdin) → 3/3', async () => {
    await pin(['verify'], `${WRONG}\n`);
    await pin(['verify'], `${WRONG}\n`);
    const last = await pin(['verify', '--confirm-last-try'], `${WRONG}\n`);
    expect(last.code).toBe(9);
    expect(json(last)).toMatchObject({ error: { code: 'PinBlocked' }, pin: { triesLeft: 0, blocked: true } });
    const blocked = await pin(['verify', '--confirm-last-try'], `${PIN}\n`);
    expect(json(blocked)).toMatchObject({ error: { code: 'PinBlocked' }, pin: { blocked: true } });

    const unblock = await pin(['unblock'], `${PUK}\n${NEW_PIN}\n`);
    expect(unblock.code, unblock.stdout).toBe(0);
    expect(json(unblock)).toMatchObject({ ok: true, pin: { triesLeft: 3, maxTries: 3, blocked: false }, puk: { triesLeft: 10 } });
    expect((await pin(['verify'], `${NEW_PIN}\n`)).code).toBe(0);
  });

  it('a wrong PUK: exit 9 with the PUK tries left', async () => {
    const r = await pin(['unblock'], `87654321\n${NEW_PIN}\n`);
    expect(r.code).toBe(9);
    expect(json(r).error).toMatchObject({ code: 'PukIncorrect', message: 'Code de déblocage incorrect : il reste 9 essais.' });
  });

  it('a code on argv is refused (exit 2) with the reason, and never quoted back', async () => {
    for (const argv of [['pin', 'verify', PIN], ['pin', 'verify', '--pin', PIN], ['pin', 'unblock', '--puk', PUK], ['auth-test', PIN]]) {
      const r = await run([...argv, '--demo']);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toContain('ne se tape jamais sur la ligne de commande');
      expect(r.stderr).not.toContain(PIN);
    }
    expect(json(await pin(['status'])).pin.triesLeft).toBe(3);
  });

  it('no terminal and no --pin-stdin: exit 2, says what to do', async () => {
    const r = await run(['pin', 'verify', '--demo']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--pin-stdin');
  });
});

describe('ecps pin on a terminal (no echo)', () => {
  it('verify: the French prompt, raw mode on then off, the code never echoed', async () => {
    const tty = fakeTty([PIN]);
    const r = await run(['pin', 'verify', '--demo'], undefined, tty);
    expect(r.code, r.stderr).toBe(0);
    expect(tty.prompts).toEqual(['Code porteur (4 chiffres) : ']);
    expect(tty.rawModes).toEqual([true, false]);
    expect(r.stdout + r.stderr.replaceAll(SERIAL, '')).not.toContain(PIN);
  });

  it('change: the new PIN asked twice; a mismatch is refused before the card is touched', async () => {
    const trace = path.join(dir, 'mismatch.trace');
    const tty = fakeTty([PIN, NEW_PIN, '8643']);
    const r = await run(['pin', 'change', '--demo', '--json', '--trace', trace], undefined, tty);
    expect(tty.prompts).toEqual(['Code porteur (4 chiffres) : ', 'Nouveau code porteur : ', 'Confirmez le nouveau code : ']);
    expect(r.code).toBe(10);
    expect(json(r)).toMatchObject({ error: { code: 'PinConfirmationMismatch' } });
    expect(readFileSync(trace, 'utf8')).toContain('# 0 APDU exchange(s)');
    expect(json(await pin(['verify'], `${PIN}\n`)).pin.triesLeft).toBe(3);
  });

  it('unblock: PUK then the new PIN twice', async () => {
    const tty = fakeTty([PUK, NEW_PIN, NEW_PIN]);
    const r = await run(['pin', 'unblock', '--demo', '--json'], undefined, tty);
    expect(r.code, r.stdout).toBe(0);
    expect(tty.prompts).toEqual(['Code de déblocage (8 chiffres) : ', 'Nouveau code porteur : ', 'Confirmez le nouveau code : ']);
    expect((await pin(['verify'], `${NEW_PIN}\n`)).code).toBe(0);
  });
});

describe('ecps auth-test --demo', () => {
  it('--json: PIN verified first, signature verified with the certificate, chain to the sandbox root: VALIDE', async () => {
    const r = await run(['auth-test', '--demo', '--json', '--pin-stdin'], `${PIN}\n`);
    expect(r.code, r.stdout).toBe(0);
    const doc = json(r);
    expect(doc).toMatchObject({
      verdict: 'valid',
      holder: 'DUPONT Marie',
      algorithm: 'RSASSA-PKCS1-v1_5-SHA256',
      signatureValid: true,
      pinVerified: true,
      chain: { status: 'valid' },
      pin: { triesLeft: 3 },
    });
    expect(doc.chain.chain).toHaveLength(3);
    expect(doc.timings.signatureMs).toBeGreaterThan(0);
    expect(doc.timings.totalMs).toBeGreaterThanOrEqual(doc.timings.signatureMs);
  });

  it('human output: verdict VALIDE, algorithm, timings', async () => {
    const r = await run(['auth-test', '--demo', '--pin-stdin'], `${PIN}\n`);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Verdict : VALIDE\n');
    expect(r.stdout).toMatch(/^Durée de la signature : [\d.]+ ms$/m);
    expect(r.stdout).toMatch(/^Durée totale : [\d.]+ ms$/m);
  });

  it('a --trust file that is not a certificate: exit 2', async () => {
    const r = await run(['auth-test', '--demo', '--pin-stdin', '--trust', path.join(dir, 'absent.pem')], `${PIN}\n`);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Fichier d’autorité de confiance illisible');
  });
});

describe('--trace FILE', () => {
  it('records the exchanges of pin and auth-test, with VERIFY / CHANGE / RESET RETRY COUNTER data redacted', async () => {
    const files = ['a', 'b', 'c', 'd'].map((n) => path.join(dir, `${n}.trace`));
    await run(['pin', 'verify', '--demo', '--pin-stdin', '--trace', files[0]!], `${WRONG}\n`);
    await run(['pin', 'change', '--demo', '--pin-stdin', '--trace', files[1]!], `${PIN}\n${NEW_PIN}\n`);
    await run(['pin', 'unblock', '--demo', '--pin-stdin', '--trace', files[2]!], `${PUK}\n${PIN}\n`);
    const auth = await run(['auth-test', '--demo', '--pin-stdin', '--trace', files[3]!], `${PIN}\n`);
    expect(auth.stderr).toContain('Trace APDU écrite dans');
    const text = files.map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(text).toMatch(/> 00 20 00 01 08 \*\* redacted \(8 bytes\) \*\*/);
    expect(text).toMatch(/> 00 24 00 01 10 \*\* redacted \(16 bytes\) \*\*/);
    expect(text).toMatch(/> 00 2C 00 01 10 \*\* redacted \(16 bytes\) \*\*/);
    const ascii = (code: string) => [...code].map((c) => (c.charCodeAt(0)).toString(16).toUpperCase()).join(' ');
    for (const code of [PIN, PUK, WRONG, NEW_PIN]) expect(text).not.toContain(ascii(code));
    expect(text).not.toContain('12 34 56 78'); // the PUK in BCD
  });
});

describe('ecps simulate parameters', () => {
  const base = { kind: 'cps3', slot: undefined, faults: [], vpcdPort: undefined, vpcdHost: undefined };
  it('pin, puk, holder (id or "NOM Prénom"), variant, serial', () => {
    expect(cpsSimulationOptions({ ...base, pin: '4321', puk: '87654321', variant: 'blocked', serial: '00054321' })).toMatchObject({
      pin: '4321',
      puk: '87654321',
      variant: 'blocked',
      serialNumber: '00054321',
    });
    expect(cpsSimulationOptions({ ...base, holder: 'doctor' }).holder).toMatchObject({ surname: 'LEFÈVRE', profession: 'Médecin' });
    expect(cpsSimulationOptions({ ...base, holder: 'Durand Léa' }).holder).toMatchObject({ surname: 'DURAND', givenName: 'Léa', profession: 'Pharmacien' });
  });

  it('refuses a PIN that is not 4 digits, a PUK not 8, an unknown variant, a one-word holder', () => {
    expect(() => cpsSimulationOptions({ ...base, pin: '12345' })).toThrow(/4 chiffres/);
    expect(() => cpsSimulationOptions({ ...base, puk: '1234' })).toThrow(/8 chiffres/);
    expect(() => cpsSimulationOptions({ ...base, variant: 'broken' })).toThrow(/variante inconnue/);
    expect(() => cpsSimulationOptions({ ...base, holder: 'DUPONT' })).toThrow(/NOM Prénom/);
  });

  it('CPS options on a Vitale card: exit 2', async () => {
    const r = await run(['simulate', 'vitale2', '--pin', '1111']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ne vaut que pour une carte CPS');
  });
});

describe('no code in any output', () => {
  it('no PIN, PUK, wrong or new PIN in anything this file printed', () => {
    const all = outputs.join('\n').replaceAll(SERIAL, '');
    for (const code of [PIN, PUK, WRONG, NEW_PIN]) expect(all).not.toContain(code);
  });
});
