/** Firefox on Windows / macOS: the Cryptolib module in the profile, or the system's certificates (osclientcerts). */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { firefoxRoot, firefoxSystemChecks } from '../../../src-main/readiness/firefox-os';
import { macosBrowserProbe } from '../../../src-main/readiness/macos-probe';
import { windowsBrowserProbe } from '../../../src-main/readiness/windows-probe';
import { recordedRunner } from './helpers';

const INTERNAL = "library=\nname=NSS Internal PKCS #11 Module\nparameters=configdir='sql:C:\\\\Users\\\\officine\\\\AppData\\\\Roaming\\\\Mozilla\\\\Firefox\\\\Profiles\\\\x1y2z3.default-release' certPrefix='' keyPrefix='' secmod='secmod.db' flags=optimizeSpace updatedir='' updateCertPrefix='' updateKeyPrefix='' updateid='' updateTokenDescription=''\nNSS=Flags=internal,critical trustOrder=75 cipherOrder=100 slotParams=(1={slotFlags=[ECC,RSA,DSA,DH,RC2,RC4,DES,RANDOM,SHA1,MD5,MD2,SSL,TLS,AES,Camellia,SEED,SHA256,SHA512] askpw=any timeout=30})\n\n";
const CPS = 'library=C:\\Windows\\System32\\cps3_pkcs11_w64.dll\nname=CPS\n\n';

function appData(profiles: Record<string, { pkcs11: string; prefs?: string }>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'ecps-appdata-'));
  const ff = path.join(root, 'Mozilla', 'Firefox');
  const ini = ['[General]', 'StartWithLastProfile=1', ''];
  Object.entries(profiles).forEach(([name, p], i) => {
    const dir = path.join(ff, 'Profiles', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'pkcs11.txt'), p.pkcs11);
    if (p.prefs) writeFileSync(path.join(dir, 'prefs.js'), p.prefs);
    ini.push(`[Profile${i}]`, `Name=${name}`, 'IsRelative=1', `Path=Profiles/${name}`, '');
  });
  writeFileSync(path.join(ff, 'profiles.ini'), ini.join('\r\n'));
  return root;
}

describe('Firefox on Windows and macOS', () => {
  it('one line per profile: the Cryptolib module, osclientcerts, or neither (fail, with how to load the module)', async () => {
    const root = appData({
      'a1.default-release': { pkcs11: INTERNAL + CPS },
      'b2.pharmacie': { pkcs11: INTERNAL },
      'c3.verrouille': { pkcs11: INTERNAL, prefs: 'user_pref("browser.startup.page", 3);\nuser_pref("security.osclientcerts.autoload", false);\n' },
    });
    const checks = await firefoxSystemChecks(firefoxRoot('win32', { appData: root }), recordedRunner({}), 'Windows');
    expect(checks.map((c) => [c.subject, c.status])).toEqual([
      ['Firefox (a1.default-release)', 'ok'],
      ['Firefox (b2.pharmacie)', 'ok'],
      ['Firefox (c3.verrouille)', 'fail'],
    ]);
    expect(checks[0]!.explanation.fr).toBe('Firefox (a1.default-release) charge « CPS ».');
    expect(checks[1]!.explanation.fr).toContain('osclientcerts');
    expect(checks[2]!.remedy!.fr).toContain('Périphériques de sécurité');
  });

  it('the Windows and macOS probes add them; no Firefox profile: no line', async () => {
    const root = appData({ 'c3.verrouille': { pkcs11: INTERNAL, prefs: 'user_pref("security.osclientcerts.autoload", false);\n' } });
    const win = await windowsBrowserProbe({ run: recordedRunner({}), appData: root }).checks({ demo: false, present: false });
    expect(win.filter((c) => c.id === 'browser.registered').map((c) => c.status)).toEqual(['fail']);
    const mac = await macosBrowserProbe({ run: recordedRunner({}), home: mkdtempSync(path.join(tmpdir(), 'ecps-mac-home-')) }).checks({ demo: false, present: false });
    expect(mac.filter((c) => c.id === 'browser.registered')).toEqual([]);
  });
});
