/**
 * Firefox on Windows and macOS: unlike Edge, Chrome and Safari it does not use the system's
 * certificate store by itself — it reaches the card through a PKCS#11 module registered in
 * its profile (`pkcs11.txt`: the Cryptolib's cps3_pkcs11 module, which its installer
 * registers through Firefox's PKCS11Modules policy), or through "osclientcerts", the module
 * that reads the system's client certificates (loaded by default in recent Firefox versions
 * [I: `security.osclientcerts.autoload` true by default]; a profile can turn it off in prefs.js).
 * One check per profile found; none when Firefox has no profile for this user.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { check, tx } from '../diagnostics/types';
import type { CommandRunner } from './command-runner';
import { firefoxProfiles, readNssDatabase } from './nss';
import { inGroup, type ReadinessCheck } from './types';

const REGISTERED = tx('Module enregistré dans le navigateur', 'Module registered in the browser');

/** Firefox's data folder: %APPDATA%\Mozilla\Firefox (Windows), ~/Library/Application Support/Firefox (macOS). */
export function firefoxRoot(platform: 'win32' | 'darwin', env: { appData?: string; home?: string }): string | undefined {
  // Native joins: the probe runs on the platform it checks (and the tests use real folders).
  if (platform === 'win32') return env.appData ? path.join(env.appData, 'Mozilla', 'Firefox') : undefined;
  return env.home ? path.join(env.home, 'Library', 'Application Support', 'Firefox') : undefined;
}

function osClientCertsOff(profile: string): boolean {
  try {
    return /user_pref\("security\.osclientcerts\.autoload",\s*false\)/.test(readFileSync(path.join(profile, 'prefs.js'), 'utf8'));
  } catch {
    return false;
  }
}

export async function firefoxSystemChecks(root: string | undefined, run: CommandRunner, systemName: string): Promise<ReadinessCheck[]> {
  if (!root) return [];
  const out: ReadinessCheck[] = [];
  for (const profile of firefoxProfiles(root)) {
    const label = `Firefox (${path.basename(profile)})`;
    const db = await readNssDatabase({ browser: 'firefox', label, directory: profile }, run);
    const modules = db.modules.filter((m) => m.kind === 'cryptolib' || m.kind === 'opensc');
    const off = osClientCertsOff(profile);
    const evidence = { profile, modules: db.modules.map((m) => `${m.name} (${m.library || 'interne'})`), osClientCertsAutoload: !off };
    if (modules.length > 0) {
      out.push(inGroup('browser', check('browser.registered', 'ok', REGISTERED, tx(`${label} charge ${modules.map((m) => `« ${m.name} »`).join(', ')}.`, `${label} loads ${modules.map((m) => `"${m.name}"`).join(', ')}.`), evidence, { subject: label })));
    } else if (!off) {
      out.push(inGroup('browser', check('browser.registered', 'ok', REGISTERED, tx(`${label} lit les certificats de ${systemName} (osclientcerts).`, `${label} reads ${systemName}’s certificates (osclientcerts).`), evidence, { subject: label })));
    } else {
      out.push(inGroup('browser', check('browser.registered', 'fail', REGISTERED, tx(`${label} n’a ni le module de la Cryptolib CPS ni l’accès aux certificats de ${systemName} (osclientcerts désactivé).`, `${label} has neither the Cryptolib CPS module nor access to ${systemName}’s certificates (osclientcerts turned off).`), evidence, {
        subject: label,
        remedy: tx('Dans Firefox : Paramètres → Vie privée et sécurité → Certificats → Périphériques de sécurité → Charger, et choisissez le module de la Cryptolib CPS ; ou remettez security.osclientcerts.autoload à true dans about:config.', 'In Firefox: Settings → Privacy & Security → Certificates → Security Devices → Load, and pick the Cryptolib CPS module; or set security.osclientcerts.autoload back to true in about:config.'),
      }), { kind: 'rerun' }));
    }
  }
  return out;
}
