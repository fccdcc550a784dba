/**
 * The browser's card stack on macOS, through the machine's own commands (injected runner,
 * unit-tested with recorded outputs — test/unit/readiness/fixtures/macos-*). Safari, Chrome
 * and Edge use the CryptoTokenKit token of the card (the Cryptolib CPS ships a token driver
 * for the CPS); what is checked:
 *   - Cryptolib CPS installed and its version: `pkgutil --pkgs`, then `pkgutil --pkg-info ID`;
 *   - its token driver registered: `pluginkit -m -p com.apple.ctk-tokens` (one line per
 *     extension: `+    identifier(version)`, `+` enabled, `-` disabled by the user);
 *   - the card's token visible with its certificate: `security list-smartcards` (token ids)
 *     and `system_profiler SPSmartCardsDataType` ("Available SmartCards (token)" lists each
 *     token with its certificates).
 * The Cryptolib's package and driver identifiers are not documented publicly [?]: they are
 * recognised by pattern (asip / santesocial / esante / cryptolib / cps).
 */
import { X509Certificate } from 'node:crypto';
import os from 'node:os';
import { firefoxRoot, firefoxSystemChecks } from './firefox-os';
import { check, skipped, tx, type CheckResult } from '../diagnostics/types';
import { sameSerial } from './pkcs11-tool';
import { runCommand, type CommandRunner } from './command-runner';
import { compareVersions, CRYPTOLIB_MIN_CPS4 } from './versions';
import { inGroup, type BrowserProbe, type CardContext, type ReadinessCheck } from './types';

const MIDDLEWARE = tx('Cryptolib CPS (module de carte de l’ANS)', 'Cryptolib CPS (the ANS card module)');
const DRIVER = tx('Pilote CryptoTokenKit de la CPS', 'CPS CryptoTokenKit driver');
const VISIBLE = tx('Carte visible par macOS (jeton CryptoTokenKit)', 'Card visible to macOS (CryptoTokenKit token)');

const ANS_PATTERN = /asip|santesocial|esante|cryptolib|\bcps/i;

export interface MacFacts {
  packages: { id: string; version?: string }[];
  drivers: { id: string; version?: string; enabled: boolean }[];
  /** `security list-smartcards`: token instance ids. */
  tokens: string[];
  /** The token section of system_profiler, per token id: its certificates, decoded. */
  tokenCertificates: Record<string, TokenCertificate[]>;
}

/** `pluginkit -m …`: `+    com.apple.CryptoTokenKit.pivtoken(1.0)`; the first column is the user's election. */
export function parsePluginkit(text: string): MacFacts['drivers'] {
  const out: MacFacts['drivers'] = [];
  for (const line of text.replace(/\r\n/g, '\n').split('\n')) {
    const m = /^([+\-!=?]?)\s*([A-Za-z0-9.\-_]+)\(([^)]*)\)\s*$/.exec(line);
    if (m) out.push({ id: m[2]!, ...(m[3] ? { version: m[3] } : {}), enabled: m[1] !== '-' });
  }
  return out;
}

/**
 * The "Available SmartCards (token)" part of `system_profiler SPSmartCardsDataType`: each token
 * instance (`driver.id:instance:` on its own line) is followed by its items and, for each
 * certificate, the certificate itself in PEM; the PEMs are decoded to read their issuer.
 */
export function parseProfilerTokens(text: string): Record<string, TokenCertificate[]> {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const start = lines.findIndex((l) => /Available SmartCards \(token\)/i.test(l));
  if (start < 0) return {};
  const out: Record<string, TokenCertificate[]> = {};
  let current: string | undefined;
  let pem: string[] | undefined;
  for (const line of lines.slice(start + 1)) {
    const trimmed = line.trim();
    if (/^Available SmartCards \(keychain\)/i.test(trimmed) || /^[A-Z][A-Za-z ]+:\s*$/.test(line)) break; // next section
    if (pem) {
      pem.push(trimmed);
      if (trimmed === '-----END CERTIFICATE-----') {
        const cert = decodePem(pem.join('\n'));
        if (cert && current) out[current]!.push(cert);
        pem = undefined;
      }
      continue;
    }
    if (trimmed === '-----BEGIN CERTIFICATE-----') {
      pem = [trimmed];
      continue;
    }
    const token = /^\s+([A-Za-z0-9.\-_]+:[^\s:]+):\s*$/.exec(line);
    if (token) {
      current = token[1]!;
      out[current] ??= [];
    }
  }
  return out;
}

export interface TokenCertificate {
  issuer: string;
  serial: string;
  notAfter: string;
}

function decodePem(pem: string): TokenCertificate | undefined {
  try {
    const cert = new X509Certificate(pem);
    return { issuer: cert.issuer.replace(/\n/g, ', '), serial: cert.serialNumber, notAfter: new Date(cert.validTo).toISOString() };
  } catch {
    return undefined;
  }
}

export async function gatherMacFacts(run: CommandRunner): Promise<MacFacts> {
  const pkgs = (await run('pkgutil', ['--pkgs'])).stdout.split('\n').map((l) => l.trim()).filter((l) => l && ANS_PATTERN.test(l));
  const packages: MacFacts['packages'] = [];
  for (const id of pkgs) {
    const info = await run('pkgutil', ['--pkg-info', id]);
    const version = /^version:\s*(\S+)/m.exec(info.stdout)?.[1];
    packages.push({ id, ...(version ? { version } : {}) });
  }
  const drivers = parsePluginkit((await run('pluginkit', ['-m', '-p', 'com.apple.ctk-tokens'])).stdout);
  const tokens = (await run('security', ['list-smartcards'])).stdout.split('\n').map((l) => l.trim()).filter((l) => /^[A-Za-z0-9.\-_]+:/.test(l));
  const tokenCertificates = parseProfilerTokens((await run('system_profiler', ['SPSmartCardsDataType'], { timeoutMs: 30_000 })).stdout);
  return { packages, drivers, tokens, tokenCertificates };
}

export function macosBrowserProbe(options: { run?: CommandRunner; home?: string } = {}): BrowserProbe {
  const run = options.run ?? runCommand;
  const home = options.home ?? os.homedir();
  return {
    platform: 'darwin',
    async checks(card) {
      return [...macChecks(await gatherMacFacts(run), card), ...(await firefoxSystemChecks(firefoxRoot('darwin', { home }), run, 'macOS'))];
    },
  };
}

export function macChecks(f: MacFacts, card: CardContext): ReadinessCheck[] {
  const browser = (c: CheckResult) => inGroup('browser', c);
  return [browser(packageCheck(f, card)), browser(driverCheck(f)), browser(tokenCheck(f, card))];
}

function packageCheck(f: MacFacts, card: CardContext): CheckResult {
  const evidence = { packages: f.packages.map((p) => ({ ...p })) };
  const download = tx('Installez la Cryptolib CPS pour macOS (paquet PKG de l’ANS, esante.gouv.fr, espace CPS), puis redémarrez le navigateur.', 'Install the Cryptolib CPS for macOS (the ANS PKG package, esante.gouv.fr, CPS area), then restart the browser.');
  const cryptolib = f.packages.filter((p) => /cryptolib|cps/i.test(p.id));
  if (cryptolib.length === 0) return check('browser.middleware', 'fail', MIDDLEWARE, tx('La Cryptolib CPS n’est pas installée.', 'The Cryptolib CPS is not installed.'), evidence, { remedy: download });
  const best = cryptolib.reduce((a, b) => (compareVersions(b.version ?? '0', a.version ?? '0') > 0 ? b : a));
  if (!best.version || compareVersions(best.version, CRYPTOLIB_MIN_CPS4) < 0) {
    return check('browser.middleware', 'fail', MIDDLEWARE, tx(`Cryptolib CPS ${best.version ?? '?'} : version trop ancienne (la 5.2 au moins est nécessaire, et pour les CPS4${card.type === 'cps4' ? ' — votre carte est une CPS4' : ''}).`, `Cryptolib CPS ${best.version ?? '?'}: version too old (5.2 at least is needed, and for CPS4 cards${card.type === 'cps4' ? ' — your card is a CPS4' : ''}).`), evidence, { remedy: download });
  }
  return check('browser.middleware', 'ok', MIDDLEWARE, tx(`Cryptolib CPS ${best.version} installée (${best.id}).`, `Cryptolib CPS ${best.version} installed (${best.id}).`), evidence);
}

function driverCheck(f: MacFacts): CheckResult {
  const ans = f.drivers.filter((d) => ANS_PATTERN.test(d.id));
  const evidence = { drivers: f.drivers.map((d) => `${d.enabled ? '+' : '-'} ${d.id}(${d.version ?? ''})`) };
  if (ans.length === 0) {
    return check('browser.token-driver', 'fail', DRIVER, tx('Aucun pilote CryptoTokenKit pour la CPS n’est enregistré : Safari, Chrome et Edge ne verront pas la carte.', 'No CryptoTokenKit driver for the CPS is registered: Safari, Chrome and Edge will not see the card.'), evidence, {
      remedy: tx('Réinstallez la Cryptolib CPS, puis ouvrez-la une fois (macOS n’enregistre un pilote qu’après l’ouverture de son application) et réinsérez la carte.', 'Reinstall the Cryptolib CPS, then open it once (macOS registers a driver only after its application has been opened) and reinsert the card.'),
    });
  }
  if (ans.every((d) => !d.enabled)) {
    return check('browser.token-driver', 'fail', DRIVER, tx(`Le pilote ${ans[0]!.id} est désactivé.`, `The driver ${ans[0]!.id} is disabled.`), evidence, {
      remedy: tx(`Réactivez-le : « security smartcards token -e ${ans[0]!.id} » (ou demandez à votre informaticien).`, `Enable it again: "security smartcards token -e ${ans[0]!.id}" (or ask your IT support).`),
    });
  }
  return check('browser.token-driver', 'ok', DRIVER, tx(`Pilote enregistré : ${ans.map((d) => d.id).join(', ')}.`, `Driver registered: ${ans.map((d) => d.id).join(', ')}.`), evidence);
}

function tokenCheck(f: MacFacts, card: CardContext): CheckResult {
  const tokens = f.tokens.filter((t) => ANS_PATTERN.test(t));
  const evidence = { tokens: f.tokens, certificates: Object.fromEntries(Object.entries(f.tokenCertificates).map(([k, v]) => [k, v.map((c) => ({ ...c }))])) };
  if (card.demo) return skipped('browser.certificate', VISIBLE, tx('Mode démonstration : la carte virtuelle intégrée n’est pas visible de macOS.', 'Demo mode: the built-in virtual card is not visible to macOS.'), evidence);
  if (tokens.length === 0) {
    return check('browser.certificate', 'fail', VISIBLE, tx(card.present ? 'La CPS est dans le lecteur mais macOS n’en a fait aucun jeton : les navigateurs ne la verront pas.' : 'Aucun jeton de CPS n’est visible par macOS.', card.present ? 'The CPS is in the reader but macOS made no token of it: the browsers will not see it.' : 'No CPS token is visible to macOS.'), evidence, {
      remedy: tx('Retirez et réinsérez la carte ; vérifiez que le pilote de la Cryptolib est enregistré (ligne au-dessus) ; redémarrez le Mac si le problème persiste.', 'Pull the card out and put it back; check the Cryptolib driver is registered (line above); restart the Mac if it persists.'),
    });
  }
  const mine = (c: TokenCertificate) => /IGC-SANTE/i.test(c.issuer) && (card.certificateSerial === undefined || sameSerial(c.serial, card.certificateSerial));
  const withCert = tokens.filter((t) => (f.tokenCertificates[t] ?? []).some(mine));
  if (withCert.length === 0) {
    return check('browser.certificate', 'fail', VISIBLE, tx(`Le jeton de la CPS (${tokens[0]}) est là, mais son certificat d’authentification n’apparaît pas.`, `The CPS token (${tokens[0]}) is there, but its authentication certificate does not show.`), evidence, {
      remedy: tx('Retirez et réinsérez la carte ; si cela persiste, réinstallez la Cryptolib CPS.', 'Pull the card out and put it back; if it persists, reinstall the Cryptolib CPS.'),
    });
  }
  return check('browser.certificate', 'ok', VISIBLE, tx(`Jeton de la CPS visible avec son certificat (${withCert[0]}).`, `CPS token visible with its certificate (${withCert[0]}).`), evidence);
}
