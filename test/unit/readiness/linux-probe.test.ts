/**
 * The Linux card stack with REAL NSS databases (certutil/modutil in a temporary home), the
 * machine's real OpenSC module and p11-kit, and recorded `pkcs11-tool` outputs for the token
 * (the real token listing through pcscd is test/integration/readiness-pcscd.test.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runCommand, type CommandRunner } from '../../../src-main/readiness/command-runner';
import { linuxBrowserProbe, parseP11KitModules, type LinuxBrowserProbeOptions } from '../../../src-main/readiness/linux-probe';
import { moduleKind, parseModutilList, parsePkcs11Txt } from '../../../src-main/readiness/nss';
import { registerOpenscInNss } from '../../../src-main/readiness/nss-fix';
import { parseCertificateObjects, parseSlotList, sameSerial } from '../../../src-main/readiness/pkcs11-tool';
import type { CardContext, ReadinessCheck } from '../../../src-main/readiness/types';
import { isEcpsError } from '../../../src-shared/errors';
import { createBrowserHome, openscModule, type BrowserHome } from '../../support/nss-home';
import { fixture, type RecordedTable } from './helpers';

const CARD: CardContext = { demo: false, present: true, type: 'cps3', reader: 'Virtual PCD 00 00', certificateSerial: '2B5706FC3605D717B26B9B90B79622BC' };
const homes: BrowserHome[] = [];
afterEach(() => homes.splice(0).forEach((h) => h.dispose()));

function home(options: Parameters<typeof createBrowserHome>[0]): BrowserHome {
  const h = createBrowserHome(options);
  homes.push(h);
  return h;
}

/** Real commands, except those recorded in `table` (pkcs11-tool needs a card). */
function mixedRunner(table: RecordedTable): CommandRunner {
  return async (command, args, options) => {
    const hit = table[[command, ...args].join(' ')];
    if (hit === undefined) return runCommand(command, args, options);
    return typeof hit === 'string' ? { code: 0, stdout: hit, stderr: '' } : { code: 0, stdout: '', stderr: '', ...hit };
  };
}

function slotsAndCerts(library: string, slots = 'pkcs11-tool-list-slots-cps.txt'): RecordedTable {
  return {
    [`pkcs11-tool --module ${library} --list-slots`]: fixture(`linux/${slots}`),
    [`pkcs11-tool --module ${library} --slot 0x0 --list-objects --type cert`]: fixture('linux/pkcs11-tool-certs.txt'),
  };
}

async function checks(h: BrowserHome, table: RecordedTable, options: Partial<LinuxBrowserProbeOptions> = {}, card = CARD): Promise<ReadinessCheck[]> {
  const which = (name: string) => (name === 'chromium' || name === 'firefox' ? `/usr/bin/${name}` : undefined);
  return linuxBrowserProbe({ run: mixedRunner(table), home: h.home, which, ...options }).checks(card);
}

const byId = (all: ReadinessCheck[], id: string, subject?: string) => all.find((c) => c.id === id && (subject === undefined || c.subject?.startsWith(subject)));

describe('Linux probe over real NSS databases', () => {
  it('everything fine: OpenSC installed with its version, registered in Chromium and Firefox, the certificate listed through it', async () => {
    const h = home({ chromium: 'opensc', firefox: 'opensc' });
    const all = await checks(h, slotsAndCerts(openscModule()));
    expect(byId(all, 'browser.middleware')).toMatchObject({ status: 'ok', explanation: { fr: expect.stringMatching(/^Installé : OpenSC \d+\.\d+/) } });
    expect(byId(all, 'browser.registered', 'Chromium')).toMatchObject({ status: 'ok', explanation: { fr: 'Chromium charge « OpenSC ».' } });
    expect(byId(all, 'browser.registered', 'Firefox')).toMatchObject({ status: 'ok', subject: 'Firefox (abcd1234.default-esr)' });
    expect(byId(all, 'browser.certificate')).toMatchObject({ status: 'ok' });
    expect(all.every((c) => c.group === 'browser')).toBe(true);
  });

  it('no middleware registered: Firefox’s profile has no card module → fail, with the fix that registers OpenSC in exactly that database', async () => {
    const h = home({ chromium: 'opensc', firefox: 'empty' });
    const all = await checks(h, slotsAndCerts(openscModule()));
    const firefox = byId(all, 'browser.registered', 'Firefox')!;
    expect(firefox).toMatchObject({ status: 'fail', action: { kind: 'nss-register-opensc', database: h.firefoxProfile } });
    expect(firefox.remedy!.fr).toContain(`modutil -dbdir sql:${h.firefoxProfile} -add OpenSC`);
    expect(byId(all, 'browser.registered', 'Chromium')!.status).toBe('ok');
  });

  it('Chromium never opened (no ~/.pki/nssdb): warn, and the fix can create it', async () => {
    const h = home({ chromium: 'missing' });
    const c = byId(await checks(h, {}), 'browser.registered', 'Chromium')!;
    expect(c).toMatchObject({ status: 'warn', action: { kind: 'nss-register-opensc', database: h.chromiumDb } });
    expect(c.explanation.fr).toContain('jamais été ouvert');
  });

  it('certificate not visible: the registered module does not recognise the token → fail, saying why', async () => {
    const h = home({ chromium: 'opensc' });
    const c = byId(await checks(h, slotsAndCerts(openscModule(), 'pkcs11-tool-list-slots-not-recognized.txt')), 'browser.certificate')!;
    expect(c).toMatchObject({ status: 'fail', explanation: { fr: expect.stringContaining('ne reconnaît pas la carte') } });
    expect(c.remedy!.fr).toContain('Cryptolib CPS');
    expect((c.evidence.modules as { token: string }[])[0]!.token).toBe('not-recognized');
  });

  it('the certificate of ANOTHER card is not "visible": serials must match', async () => {
    const h = home({ chromium: 'opensc' });
    const c = byId(await checks(h, slotsAndCerts(openscModule()), {}, { ...CARD, certificateSerial: '0102' }), 'browser.certificate')!;
    expect(c.status).toBe('fail');
    expect(c.explanation.fr).toContain('n’est pas dans la liste');
  });

  it('pkcs11-tool absent: cannot check (warn, install opensc); no CPS or demo: not checked', async () => {
    const h = home({ chromium: 'opensc' });
    const library = openscModule();
    const missing = { [`pkcs11-tool --module ${library} --list-slots`]: { missing: true, code: null } };
    expect(byId(await checks(h, missing), 'browser.certificate')).toMatchObject({ status: 'warn', remedy: { fr: expect.stringContaining('apt install opensc') } });
    expect(byId(await checks(h, {}, {}, { demo: false, present: false }), 'browser.certificate')!.status).toBe('skipped');
    expect(byId(await checks(h, {}, {}, { demo: true, present: true }), 'browser.certificate')!.status).toBe('skipped');
  });

  it('p11-kit-proxy registered counts when p11-kit proxies OpenSC (this machine’s real p11-kit configuration)', async () => {
    const h = home({ chromium: 'empty' });
    const proxy = ['/usr/lib/x86_64-linux-gnu/p11-kit-proxy.so', '/usr/lib/aarch64-linux-gnu/p11-kit-proxy.so'].find((p) => readableFile(p));
    expect(proxy, 'p11-kit-proxy.so missing: sudo apt-get install -y p11-kit').toBeDefined();
    await runCommand('modutil', ['-dbdir', `sql:${h.chromiumDb}`, '-add', 'p11-kit-proxy', '-libfile', proxy!, '-force']);
    const c = byId(await checks(h, slotsAndCerts(proxy!)), 'browser.registered', 'Chromium')!;
    expect(c).toMatchObject({ status: 'ok', explanation: { fr: 'Chromium charge « p11-kit-proxy ».' } });
  });

  it('no middleware at all: fail with the Debian package to install; a CPS4 with OpenSC only needs the Cryptolib ≥ 5.2; an old Cryptolib fails', async () => {
    const h = home({ chromium: 'empty' });
    const none = byId(await checks(h, {}, { openscPaths: [], cryptolibPaths: [] }), 'browser.middleware')!;
    expect(none).toMatchObject({ status: 'fail', remedy: { fr: expect.stringContaining('sudo apt install opensc-pkcs11') } });
    const cps4 = byId(await checks(h, {}, { cryptolibPaths: [] }, { ...CARD, type: 'cps4' }), 'browser.middleware')!;
    expect(cps4).toMatchObject({ status: 'fail', explanation: { fr: expect.stringContaining('Votre carte est une CPS4') } });
    // A Cryptolib file (any existing file stands for it) whose RPM says 5.0.6.
    const old = byId(await checks(h, { 'rpm -q --qf %{VERSION} CryptolibCPS': '5.0.6' }, { openscPaths: [], cryptolibPaths: [openscModule()] }), 'browser.middleware')!;
    expect(old).toMatchObject({ status: 'fail', explanation: { fr: expect.stringContaining('Cryptolib CPS 5.0.6 : version trop ancienne') } });
  });
});

describe('fix-it: register OpenSC in one NSS database (real modutil)', () => {
  it('registers OpenSC in the Firefox profile the probe listed; the check then passes', async () => {
    const h = home({ chromium: 'opensc', firefox: 'empty' });
    const which = (name: string) => (name === 'chromium' || name === 'firefox' ? `/usr/bin/${name}` : undefined);
    const result = await registerOpenscInNss(h.firefoxProfile, { home: h.home, which });
    expect(result.ok).toBe(true);
    expect(result.message.fr).toContain('Redémarrez ce navigateur');
    expect(result.commands[0]).toMatch(/^modutil -dbdir sql:.* -add OpenSC -libfile .*opensc-pkcs11\.so -force$/);
    expect(parsePkcs11Txt(readFileSync(path.join(h.firefoxProfile, 'pkcs11.txt'), 'utf8')).map((m) => m.kind)).toContain('opensc');
    expect(byId(await checks(h, slotsAndCerts(openscModule())), 'browser.registered', 'Firefox')!.status).toBe('ok');
  });

  it('creates Chromium’s database when it does not exist yet', async () => {
    const h = home({ chromium: 'missing' });
    const result = await registerOpenscInNss(h.chromiumDb, { home: h.home, which: (n) => (n === 'chromium' ? '/usr/bin/chromium' : undefined) });
    expect(result.commands.map((c) => c.split(' ')[0])).toEqual(['certutil', 'modutil']);
    expect(readFileSync(path.join(h.chromiumDb, 'pkcs11.txt'), 'utf8')).toContain('name=OpenSC');
  });

  it('refuses a folder the probe did not list (no arbitrary path is ever written)', async () => {
    const h = home({ chromium: 'opensc' });
    const error = await registerOpenscInNss('/tmp/not-a-browser', { home: h.home, which: () => undefined }).catch((e: unknown) => e);
    expect(isEcpsError(error, 'FixNotAvailable')).toBe(true);
  });
});

describe('parsers', () => {
  it('pkcs11.txt: the internal module and OpenSC; module kinds across platforms', () => {
    const modules = parsePkcs11Txt('library=\nname=NSS Internal PKCS #11 Module\nparameters=x\n\nlibrary=/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so\nname=OpenSC\n');
    expect(modules.map((m) => m.kind)).toEqual(['nss-internal', 'opensc']);
    expect(moduleKind('C:\\Windows\\System32\\cps3_pkcs11_w64.dll')).toBe('cryptolib');
    expect(moduleKind('/opt/santesocial/CPS/lib/libcps3_pkcs11_lux.so')).toBe('cryptolib');
    expect(moduleKind('onepin-opensc-pkcs11.so')).toBe('opensc');
    expect(moduleKind('p11-kit-proxy.so')).toBe('p11-kit-proxy');
    expect(moduleKind('/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-trust.so')).toBe('other');
  });

  it('modutil -list (old dbm databases): names and library paths', () => {
    expect(parseModutilList(fixture('linux/modutil-list-dbm.txt'))).toEqual([
      { name: 'NSS Internal PKCS #11 Module', library: '', kind: 'nss-internal' },
      { name: 'CPS', library: '/opt/santesocial/CPS/lib/libcps3_pkcs11_lux.so', kind: 'cryptolib' },
    ]);
  });

  it('pkcs11-tool slots and certificates; serials compared as numbers', () => {
    expect(parseSlotList(fixture('linux/pkcs11-tool-list-slots-cps.txt'))).toEqual([
      { id: '0x0', reader: 'Virtual PCD 00 00', token: 'present', label: 'CPS (Code porteur)' },
      { id: '0x4', reader: 'Virtual PCD 00 01', token: 'empty' },
    ]);
    expect(parseSlotList(fixture('linux/pkcs11-tool-list-slots-not-recognized.txt'))[0]!.token).toBe('not-recognized');
    expect(parseCertificateObjects(fixture('linux/pkcs11-tool-certs.txt')).map((c) => c.label)).toEqual(["Certificat d'Authentification CPS", 'Certificat de Signature CPS']);
    expect(sameSerial('00ab', 'AB')).toBe(true);
    expect(sameSerial('ab', 'ac')).toBe(false);
    expect(sameSerial('', '')).toBe(false);
  });

  it('p11-kit list-modules: module names and files', () => {
    const text = 'p11-kit-trust: p11-kit-trust.so\n    library-description: PKCS#11 Kit Trust Module\n    token: System Trust\n        manufacturer: PKCS#11 Kit\nopensc-pkcs11: opensc-pkcs11.so\n    library-version: 0.23\n';
    expect(parseP11KitModules(text)).toEqual([
      { name: 'p11-kit-trust', library: 'p11-kit-trust.so' },
      { name: 'opensc-pkcs11', library: 'opensc-pkcs11.so' },
    ]);
  });
});

function readableFile(p: string): boolean {
  try {
    readFileSync(p);
    return true;
  } catch {
    return false;
  }
}
