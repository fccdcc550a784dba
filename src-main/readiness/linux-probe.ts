/**
 * The browser's card stack on Linux (real, tested here with NSS databases built by certutil /
 * modutil and the virtual CPS3 behind a private pcscd):
 *   1. middleware installed: OpenSC's PKCS#11 module (Debian opensc-pkcs11) and its version,
 *      the ANS Cryptolib CPS module (/opt/santesocial/CPS/lib/libcps3_pkcs11_lux.so, RPM
 *      CryptolibCPS) and its version, p11-kit and the modules it proxies;
 *   2. registered: per browser database (Chromium/Chrome ~/.pki/nssdb, each Firefox profile),
 *      is a card module among its PKCS#11 modules (directly, or through p11-kit-proxy);
 *   3. visible: through each module actually registered, does the token of the CPS reader list
 *      the card's authentication certificate (pkcs11-tool, no login).
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { check, skipped, tx, type CheckResult } from '../diagnostics/types';
import { runCommand, type CommandRunner } from './command-runner';
import { chromiumNssDirectory, firefoxProfiles, linuxFirefoxRoots, readNssDatabase, type NssDatabase, type NssModule } from './nss';
import { viewThroughModule, type ModuleView } from './pkcs11-tool';
import { compareVersions, CRYPTOLIB_MIN_CPS4 } from './versions';
import { inGroup, type BrowserProbe, type CardContext, type ReadinessCheck } from './types';

const MIDDLEWARE = tx('Module de carte pour les navigateurs', 'Card module for the browsers');
const REGISTERED = tx('Module enregistré dans le navigateur', 'Module registered in the browser');
const VISIBLE = tx('Certificat de la CPS visible par le navigateur', 'CPS certificate visible to the browser');

export interface LinuxBrowserProbeOptions {
  run?: CommandRunner;
  /** Default: the user's home (HOME). Tests point it at a temporary folder. */
  home?: string;
  /** Where a program is found in PATH (browsers); default a PATH search. */
  which?: (name: string) => string | undefined;
  /** Candidate files of OpenSC's module / the Cryptolib module / p11-kit-proxy; default the distributions' paths. */
  openscPaths?: readonly string[];
  cryptolibPaths?: readonly string[];
  libraryDirs?: readonly string[];
}

const TRIPLET = process.arch === 'arm64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu';
export const LINUX_LIBRARY_DIRS = [`/usr/lib/${TRIPLET}`, `/usr/lib/${TRIPLET}/pkcs11`, '/usr/lib64', '/usr/lib64/pkcs11', '/usr/lib', '/usr/lib/pkcs11', '/usr/local/lib'];
export const OPENSC_MODULE_PATHS = LINUX_LIBRARY_DIRS.map((d) => path.join(d, 'opensc-pkcs11.so'));
export const CRYPTOLIB_MODULE_PATHS = ['/opt/santesocial/CPS/lib/libcps3_pkcs11_lux.so', '/usr/local/lib/libcps3_pkcs11_lux.so', '/usr/lib/libcps3_pkcs11_lux.so'];

export function whichInPath(name: string, envPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const full = path.join(dir, name);
    if (existsSync(full)) return full;
  }
  return undefined;
}

export interface Middleware {
  opensc?: { library: string; version?: string };
  cryptolib?: { library: string; version?: string };
  /** p11-kit's configured modules (name → library), when p11-kit is installed. */
  p11kit?: { modules: { name: string; library: string }[] };
}

/** `p11-kit list-modules`: `name: library` at the start of a line, details indented below. */
export function parseP11KitModules(text: string): { name: string; library: string }[] {
  const out: { name: string; library: string }[] = [];
  for (const line of text.replace(/\r\n/g, '\n').split('\n')) {
    const m = /^(?:module:\s*)?([^\s:][^:]*):\s+(\S.*?)\s*$/.exec(line);
    if (m && !/^\s/.test(line)) out.push({ name: m[1]!.trim(), library: m[2]! });
  }
  return out;
}

export async function findLinuxMiddleware(run: CommandRunner, options: LinuxBrowserProbeOptions = {}): Promise<Middleware> {
  const found: Middleware = {};
  const opensc = (options.openscPaths ?? OPENSC_MODULE_PATHS).find((p) => existsSync(p));
  if (opensc) {
    const info = await run('opensc-tool', ['--info']);
    const version = /OpenSC\s+([0-9][0-9.]*)/.exec(info.stdout)?.[1];
    found.opensc = { library: opensc, ...(version ? { version } : {}) };
  }
  const cryptolib = (options.cryptolibPaths ?? CRYPTOLIB_MODULE_PATHS).find((p) => existsSync(p));
  if (cryptolib) {
    // The ANS ships an RPM (CryptolibCPS-5.2.x-1.x86_64.rpm); on Debian it is often converted with alien.
    const rpm = await run('rpm', ['-q', '--qf', '%{VERSION}', 'CryptolibCPS']);
    let version = rpm.code === 0 ? rpm.stdout.trim() : undefined;
    if (!version) {
      const deb = await run('dpkg-query', ['-W', '-f=${Version}', 'cryptolibcps']);
      version = deb.code === 0 ? deb.stdout.trim().replace(/-\d+$/, '') : undefined;
    }
    found.cryptolib = { library: cryptolib, ...(version ? { version } : {}) };
  }
  const p11 = await run('p11-kit', ['list-modules']);
  if (!p11.missing && p11.code === 0) found.p11kit = { modules: parseP11KitModules(p11.stdout) };
  return found;
}

/** A module counts for cards when it is OpenSC or Cryptolib, or p11-kit-proxy proxying one of them. */
export function cardModules(db: NssDatabase, middleware: Middleware): NssModule[] {
  const proxied = (middleware.p11kit?.modules ?? []).some((m) => /opensc-pkcs11|cps3_pkcs11/.test(m.library));
  return db.modules.filter((m) => m.kind === 'opensc' || m.kind === 'cryptolib' || (m.kind === 'p11-kit-proxy' && proxied));
}

/** A bare library name (`opensc-pkcs11.so`) as the loader would find it. */
export function resolveLibrary(library: string, dirs: readonly string[] = LINUX_LIBRARY_DIRS): string {
  if (path.isAbsolute(library)) return library;
  return dirs.map((d) => path.join(d, library)).find((p) => existsSync(p)) ?? library;
}

export async function linuxDatabases(run: CommandRunner, home: string, which: (name: string) => string | undefined): Promise<NssDatabase[]> {
  const chromium = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'].filter((b) => which(b));
  const firefoxInstalled = ['firefox', 'firefox-esr'].some((b) => which(b));
  const dbs: NssDatabase[] = [];
  const chromiumDir = chromiumNssDirectory(home);
  if (chromium.length > 0 || existsSync(chromiumDir)) {
    const label = chromium.some((b) => b.startsWith('google')) && chromium.some((b) => b.startsWith('chromium')) ? 'Chromium / Google Chrome' : chromium.some((b) => b.startsWith('google')) ? 'Google Chrome' : 'Chromium';
    dbs.push(await readNssDatabase({ browser: chromium.some((b) => b.startsWith('google')) && !chromium.some((b) => b.startsWith('chromium')) ? 'chrome' : 'chromium', label, directory: chromiumDir }, run));
  }
  const profiles = linuxFirefoxRoots(home).flatMap((root) => firefoxProfiles(root));
  for (const profile of profiles) {
    dbs.push(await readNssDatabase({ browser: 'firefox', label: `Firefox (${path.basename(profile)})`, directory: profile }, run));
  }
  if (profiles.length === 0 && firefoxInstalled) {
    dbs.push({ browser: 'firefox', label: 'Firefox', directory: path.join(home, '.mozilla', 'firefox'), format: 'missing', modules: [] });
  }
  return dbs;
}

export function linuxBrowserProbe(options: LinuxBrowserProbeOptions = {}): BrowserProbe {
  const run = options.run ?? runCommand;
  const home = options.home ?? os.homedir();
  const which = options.which ?? ((name: string) => whichInPath(name));
  return {
    platform: 'linux',
    async checks(card: CardContext): Promise<ReadinessCheck[]> {
      const middleware = await findLinuxMiddleware(run, options);
      const databases = await linuxDatabases(run, home, which);
      const out: ReadinessCheck[] = [inGroup('browser', middlewareCheck(middleware, card))];
      out.push(...databases.map((db) => registrationCheck(db, middleware)));
      if (databases.length === 0) {
        out.push(inGroup('browser', check('browser.registered', 'warn', REGISTERED, tx('Aucun navigateur (Firefox, Chromium, Chrome) n’a été trouvé pour cet utilisateur.', 'No browser (Firefox, Chromium, Chrome) was found for this user.'), { home }, {
          remedy: tx('Installez Firefox ou Chromium et ouvrez-le une fois, puis relancez la vérification.', 'Install Firefox or Chromium and open it once, then run the check again.'),
        }), { kind: 'rerun' }));
      }
      out.push(inGroup('browser', await visibilityCheck(run, databases, middleware, card, options.libraryDirs)));
      return out;
    },
  };
}

export function middlewareCheck(m: Middleware, card: CardContext): CheckResult {
  const evidence = {
    opensc: m.opensc ? { library: m.opensc.library, version: m.opensc.version ?? null } : null,
    cryptolib: m.cryptolib ? { library: m.cryptolib.library, version: m.cryptolib.version ?? null } : null,
    p11kit: m.p11kit ? m.p11kit.modules.map((x) => `${x.name}: ${x.library}`) : null,
  };
  const names: string[] = [];
  if (m.opensc) names.push(`OpenSC ${m.opensc.version ?? ''}`.trim());
  if (m.cryptolib) names.push(`Cryptolib CPS ${m.cryptolib.version ?? ''}`.trim());
  if (names.length === 0) {
    return check('browser.middleware', 'fail', MIDDLEWARE, tx('Aucun module de carte CPS n’est installé (ni OpenSC, ni la Cryptolib CPS) : le navigateur ne peut pas lire la carte.', 'No CPS card module is installed (neither OpenSC nor the Cryptolib CPS): the browser cannot read the card.'), evidence, {
      remedy: tx('Installez OpenSC : « sudo apt install opensc-pkcs11 » (Debian, Ubuntu), ou la Cryptolib CPS de l’ANS (paquet RPM CryptolibCPS, version 5.2 ou plus).', 'Install OpenSC: "sudo apt install opensc-pkcs11" (Debian, Ubuntu), or the ANS Cryptolib CPS (RPM package CryptolibCPS, version 5.2 or later).'),
    });
  }
  if (card.type === 'cps4') {
    const cryptolibOk = m.cryptolib && (m.cryptolib.version === undefined || compareVersions(m.cryptolib.version, CRYPTOLIB_MIN_CPS4) >= 0);
    if (!cryptolibOk) {
      return check('browser.middleware', 'fail', MIDDLEWARE, tx(`Installé : ${names.join(', ')}. Votre carte est une CPS4 : il faut la Cryptolib CPS ${CRYPTOLIB_MIN_CPS4} ou plus (OpenSC ne connaît pas encore la CPS4).`, `Installed: ${names.join(', ')}. Your card is a CPS4: it needs the Cryptolib CPS ${CRYPTOLIB_MIN_CPS4} or later (OpenSC does not know the CPS4 yet).`), evidence, {
        remedy: tx('Installez la dernière Cryptolib CPS de l’ANS (esante.gouv.fr, espace CPS), puis redémarrez le navigateur.', 'Install the latest ANS Cryptolib CPS (esante.gouv.fr, CPS area), then restart the browser.'),
      });
    }
  }
  if (m.cryptolib?.version && compareVersions(m.cryptolib.version, CRYPTOLIB_MIN_CPS4) < 0 && !m.opensc) {
    return check('browser.middleware', 'fail', MIDDLEWARE, tx(`Cryptolib CPS ${m.cryptolib.version} : version trop ancienne (la 5.2 au moins est nécessaire, et pour les CPS4).`, `Cryptolib CPS ${m.cryptolib.version}: version too old (5.2 at least is needed, and for CPS4 cards).`), evidence, {
      remedy: tx('Mettez la Cryptolib CPS à jour (version 5.2 ou plus).', 'Update the Cryptolib CPS (version 5.2 or later).'),
    });
  }
  return check('browser.middleware', 'ok', MIDDLEWARE, tx(`Installé : ${names.join(', ')}.`, `Installed: ${names.join(', ')}.`), evidence);
}

function registrationCheck(db: NssDatabase, m: Middleware): ReadinessCheck {
  const modules = cardModules(db, m);
  const subject = db.label;
  const evidence = { database: db.directory, format: db.format, modules: db.modules.map((x) => `${x.name} (${x.library || 'interne'})`), error: db.error ?? null };
  const fix = m.opensc ? { kind: 'nss-register-opensc' as const, database: db.directory } : undefined;
  const install = tx('Installez d’abord OpenSC (« sudo apt install opensc-pkcs11 »).', 'Install OpenSC first ("sudo apt install opensc-pkcs11").');
  if (db.format === 'missing') {
    return inGroup('browser', check('browser.registered', 'warn', REGISTERED, tx(`${db.label} n’a pas encore de base de certificats (${db.directory}) : le navigateur n’a jamais été ouvert par cet utilisateur.`, `${db.label} has no certificate database yet (${db.directory}): the browser was never opened by this user.`), evidence, {
      subject,
      remedy: m.opensc
        ? tx('Le Compagnon peut créer la base et y enregistrer OpenSC (bouton « Enregistrer OpenSC » de l’écran « Prêt pour l’activation ? »), ou ouvrez le navigateur une fois puis relancez la vérification.', 'The companion can create the database and register OpenSC in it ("Register OpenSC" button of the "Ready for the activation?" screen), or open the browser once and run the check again.')
        : install,
    }), fix && db.browser !== 'firefox' ? fix : { kind: 'rerun' });
  }
  if (db.error) {
    return inGroup('browser', check('browser.registered', 'warn', REGISTERED, tx(`La base de ${db.label} est illisible : ${db.error}`, `${db.label}’s database cannot be read: ${db.error}`), evidence, {
      subject,
      remedy: tx('Installez les outils NSS (« sudo apt install libnss3-tools ») ou ouvrez le navigateur une fois pour mettre sa base à jour.', 'Install the NSS tools ("sudo apt install libnss3-tools") or open the browser once to update its database.'),
    }), { kind: 'rerun' });
  }
  if (modules.length === 0) {
    return inGroup('browser', check('browser.registered', 'fail', REGISTERED, tx(`${db.label} ne connaît aucun module de carte : il ne verra pas votre CPS sur le portail.`, `${db.label} knows no card module: it will not see your CPS on the portal.`), evidence, {
      subject,
      remedy: m.opensc
        ? tx(`Enregistrez OpenSC dans ${db.label} (bouton « Enregistrer OpenSC », navigateur fermé), ou à la main : modutil -dbdir sql:${db.directory} -add OpenSC -libfile ${m.opensc.library}. Redémarrez ensuite le navigateur.`, `Register OpenSC in ${db.label} ("Register OpenSC" button, browser closed), or by hand: modutil -dbdir sql:${db.directory} -add OpenSC -libfile ${m.opensc.library}. Then restart the browser.`)
        : install,
    }), fix);
  }
  return inGroup('browser', check('browser.registered', 'ok', REGISTERED, tx(`${db.label} charge ${modules.map((x) => `« ${x.name} »`).join(', ')}.`, `${db.label} loads ${modules.map((x) => `"${x.name}"`).join(', ')}.`), evidence, { subject }));
}

async function visibilityCheck(run: CommandRunner, dbs: readonly NssDatabase[], m: Middleware, card: CardContext, libraryDirs?: readonly string[]): Promise<CheckResult> {
  if (card.demo) return skipped('browser.certificate', VISIBLE, tx('Mode démonstration : la carte virtuelle intégrée n’est pas visible des navigateurs.', 'Demo mode: the built-in virtual card is not visible to browsers.'));
  if (!card.present) return skipped('browser.certificate', VISIBLE, tx('Pas de CPS lisible dans le lecteur : vérification impossible.', 'No readable CPS in the reader: cannot check.'));
  const libraries = [...new Set(dbs.flatMap((db) => cardModules(db, m)).map((x) => resolveLibrary(x.library, libraryDirs)))];
  if (libraries.length === 0) return skipped('browser.certificate', VISIBLE, tx('Aucun navigateur n’a de module de carte enregistré (voir ci-dessus).', 'No browser has a card module registered (see above).'));
  const views: ModuleView[] = [];
  for (const library of libraries) views.push(await viewThroughModule(run, library, card.reader, card.certificateSerial));
  const evidence = {
    reader: card.reader ?? null,
    modules: views.map((v) => ({ library: v.library, slot: v.slot ? `${v.slot.id} ${v.slot.reader}` : null, token: v.slot?.token ?? null, certificates: v.certificates.map((c) => c.label ?? c.serial ?? '?'), visible: v.certificateVisible, error: v.error ?? null })),
  };
  if (views.every((v) => v.toolMissing)) {
    return check('browser.certificate', 'warn', VISIBLE, tx('Vérification impossible : l’outil pkcs11-tool (paquet opensc) n’est pas installé.', 'Cannot check: the pkcs11-tool program (package opensc) is not installed.'), evidence, {
      remedy: tx('Installez-le (« sudo apt install opensc ») puis relancez la vérification.', 'Install it ("sudo apt install opensc") then run the check again.'),
    });
  }
  const seen = views.filter((v) => v.certificateVisible);
  if (seen.length === views.length) {
    return check('browser.certificate', 'ok', VISIBLE, tx(`Le certificat d’authentification de la CPS est visible par le module du navigateur (${seen.map((v) => path.basename(v.library)).join(', ')}).`, `The CPS authentication certificate is visible through the browser’s module (${seen.map((v) => path.basename(v.library)).join(', ')}).`), evidence);
  }
  const why = views.find((v) => !v.certificateVisible);
  const detail = why?.slot?.token === 'not-recognized'
    ? tx('le module ne reconnaît pas la carte (« token not recognized »)', 'the module does not recognise the card ("token not recognized")')
    : why?.error
      ? tx(`le module a répondu : ${why.error}`, `the module answered: ${why.error}`)
      : !why?.slot
        ? tx('le module ne voit pas le lecteur de la CPS', 'the module does not see the CPS reader')
        : tx('le certificat de la CPS n’est pas dans la liste du module', 'the CPS certificate is not in the module’s list');
  return check('browser.certificate', seen.length > 0 ? 'warn' : 'fail', VISIBLE, tx(
    `Le navigateur ne verra pas votre certificat à travers ${path.basename(why?.library ?? '?')} : ${detail.fr}.`,
    `The browser will not see your certificate through ${path.basename(why?.library ?? '?')}: ${detail.en}.`,
  ), evidence, {
    remedy: tx(
      'Retirez et réinsérez la carte, fermez les autres programmes qui l’utilisent ; si le module ne reconnaît pas la carte, installez la Cryptolib CPS de l’ANS (ou une version récente d’OpenSC) et enregistrez-la dans le navigateur.',
      'Pull the card out and put it back, close other programs using it; if the module does not recognise the card, install the ANS Cryptolib CPS (or a recent OpenSC) and register it in the browser.',
    ),
  });
}
