/**
 * The macOS card stack from recorded outputs of the real commands (pkgutil, pluginkit,
 * security, system_profiler): nothing installed, old Cryptolib, driver stopped (disabled),
 * certificate missing, everything fine. The token's certificate in system_profiler's output is
 * the sandbox CPS3's real authentication certificate (PEM), decoded by the probe.
 * The ANS package and driver identifiers are not public [?]: the fixtures use
 * fr.ans.pkg.cryptolib-cps / fr.ans.cryptolib.CPSToken, matched by pattern.
 */
import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { withSandboxCredentials } from '../../../simulators/cards/cps-catalog';
import { macosBrowserProbe, parsePluginkit, parseProfilerTokens } from '../../../src-main/readiness/macos-probe';
import type { CardContext, ReadinessCheck } from '../../../src-main/readiness/types';
import { fixture, recordedRunner, type RecordedTable } from './helpers';

let pem: string;
let serial: string;
let card: CardContext;

beforeAll(async () => {
  const { credentials } = await withSandboxCredentials();
  const cert = new X509Certificate(credentials!.authentication.certificateDer);
  pem = cert.toString().trim();
  serial = cert.serialNumber;
  card = { demo: false, present: true, type: 'cps3', reader: 'Kapelse KAP-LINK2', certificateSerial: serial };
});

function profiler(name: string): string {
  return fixture(`macos/${name}`).replaceAll('{{PEM}}', pem).replaceAll('{{HASH}}', 'A1B2C3D4E5F60718293A4B5C6D7E8F9012345678');
}

function fine(): RecordedTable {
  return {
    'pkgutil --pkgs': fixture('macos/pkgutil-pkgs.txt'),
    'pkgutil --pkg-info fr.ans.pkg.cryptolib-cps': fixture('macos/pkgutil-info-cryptolib-523.txt'),
    'pluginkit -m -p com.apple.ctk-tokens': fixture('macos/pluginkit-ctk.txt'),
    'security list-smartcards': fixture('macos/security-list-smartcards.txt'),
    'system_profiler SPSmartCardsDataType': profiler('system-profiler-token.txt'),
  };
}

async function run(table: RecordedTable, c: CardContext = card): Promise<Record<string, ReadinessCheck>> {
  const checks = await macosBrowserProbe({ run: recordedRunner(table), home: '/nonexistent-home' }).checks(c);
  return Object.fromEntries(checks.map((x) => [x.id, x]));
}

describe('macOS probe: recorded outputs', () => {
  it('everything fine: Cryptolib 5.2.3, its CryptoTokenKit driver enabled, the CPS token with its IGC-Santé certificate', async () => {
    const c = await run(fine());
    expect(Object.values(c).map((x) => [x.id, x.status])).toEqual([
      ['browser.middleware', 'ok'],
      ['browser.token-driver', 'ok'],
      ['browser.certificate', 'ok'],
    ]);
    expect(c['browser.middleware']!.explanation.fr).toBe('Cryptolib CPS 5.2.3 installée (fr.ans.pkg.cryptolib-cps).');
    expect(c['browser.certificate']!.explanation.fr).toContain('fr.ans.cryptolib.CPSToken:80250000010000012345');
  });

  it('nothing installed: no package, only Apple’s PIV driver, no token', async () => {
    const c = await run({
      'pkgutil --pkgs': fixture('macos/pkgutil-pkgs-none.txt'),
      'pluginkit -m -p com.apple.ctk-tokens': fixture('macos/pluginkit-ctk-apple-only.txt'),
      'security list-smartcards': '',
      'system_profiler SPSmartCardsDataType': profiler('system-profiler-empty.txt'),
    });
    expect(c['browser.middleware']).toMatchObject({ status: 'fail', remedy: { fr: expect.stringContaining('Cryptolib CPS pour macOS') } });
    expect(c['browser.token-driver']).toMatchObject({ status: 'fail', remedy: { fr: expect.stringContaining('ouvrez-la une fois') } });
    expect(c['browser.certificate']).toMatchObject({ status: 'fail', explanation: { fr: expect.stringContaining('aucun jeton') } });
  });

  it('old Cryptolib (5.0.7): too old', async () => {
    const c = await run({ ...fine(), 'pkgutil --pkg-info fr.ans.pkg.cryptolib-cps': fixture('macos/pkgutil-info-cryptolib-507.txt') });
    expect(c['browser.middleware']).toMatchObject({ status: 'fail', explanation: { fr: expect.stringContaining('5.0.7 : version trop ancienne') } });
  });

  it('driver stopped (disabled by `security smartcards token -d`): fail, with the command that enables it again', async () => {
    const c = await run({ ...fine(), 'pluginkit -m -p com.apple.ctk-tokens': fixture('macos/pluginkit-ctk-disabled.txt') });
    expect(c['browser.token-driver']).toMatchObject({ status: 'fail', remedy: { fr: expect.stringContaining('security smartcards token -e fr.ans.cryptolib.CPSToken') } });
  });

  it('certificate missing: the token is there without the certificate, or with another card’s', async () => {
    const noCert = await run({ ...fine(), 'system_profiler SPSmartCardsDataType': profiler('system-profiler-token.txt').replaceAll(pem, '') });
    expect(noCert['browser.certificate']).toMatchObject({ status: 'fail', explanation: { fr: expect.stringContaining('son certificat d’authentification n’apparaît pas') } });
    const other = await run(fine(), { ...card, certificateSerial: '01' });
    expect(other['browser.certificate']!.status).toBe('fail');
  });

  it('demo mode: the certificate line is not checked', async () => {
    expect((await run(fine(), { demo: true, present: true }))['browser.certificate']!.status).toBe('skipped');
  });
});

describe('macOS output parsers', () => {
  it('pluginkit: election column, identifier, version', () => {
    expect(parsePluginkit(fixture('macos/pluginkit-ctk-disabled.txt'))).toEqual([
      { id: 'com.apple.CryptoTokenKit.pivtoken', version: '1.0', enabled: true },
      { id: 'fr.ans.cryptolib.CPSToken', version: '5.2.3', enabled: false },
    ]);
  });

  it('system_profiler: the token section only (not the keychain one), PEMs decoded', () => {
    const tokens = parseProfilerTokens(profiler('system-profiler-token.txt'));
    expect(Object.keys(tokens)).toEqual(['fr.ans.cryptolib.CPSToken:80250000010000012345']);
    expect(tokens['fr.ans.cryptolib.CPSToken:80250000010000012345']).toEqual([expect.objectContaining({ serial, issuer: expect.stringContaining('IGC-SANTE') })]);
    expect(parseProfilerTokens(profiler('system-profiler-empty.txt'))).toEqual({});
  });
});
