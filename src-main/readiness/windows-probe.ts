/**
 * The browser's card stack on Windows, through the machine's own commands (run by an injected
 * CommandRunner, so it is unit-tested with recorded outputs — test/unit/readiness/fixtures/
 * windows-*): Edge and Chrome log in with the certificate Windows propagates from the card
 * into the user's personal store, through the ANS Cryptolib CPS (CSP/minidriver registered for
 * the CPS ATRs under Calais\SmartCards). What is checked:
 *   - SCardSvr ("Carte à puce") running, CertPropSvc ("Propagation du certificat") not disabled
 *     (`sc query` / `sc qc`; French Windows prints ÉTAT / TYPE_DÉMARRAGE);
 *   - Cryptolib CPS installed and its version (`reg query …\Uninstall /s /f Cryptolib /d`,
 *     then the key's DisplayVersion; 32- and 64-bit views) — 5.2 at least (CPS4);
 *   - the smart-card registry entries whose ATR/ATRMask match a CPS3/CPS4 ATR
 *     (`reg query HKLM\SOFTWARE\Microsoft\Cryptography\Calais\SmartCards /s`);
 *   - the CPS certificate in CurrentUser\My issued by "AC IGC-SANTE …" (PowerShell
 *     Get-ChildItem Cert:\CurrentUser\My as JSON; `certutil -user -store My` when PowerShell
 *     is unavailable).
 */
import { loadAtrKnowledge } from '../card/identify';
import { parseHex } from '../../src-shared/hex';
import { check, skipped, tx, type CheckResult } from '../diagnostics/types';
import { runCommand, type CommandRunner } from './command-runner';
import { compareVersions, CRYPTOLIB_LATEST, CRYPTOLIB_MIN_CPS4 } from './versions';
import { inGroup, type BrowserProbe, type CardContext, type ReadinessCheck } from './types';
import { parseStoreCertificates, type StoreCertificate } from './windows-certificates';
import { firefoxRoot, firefoxSystemChecks } from './firefox-os';

const SCARDSVR = tx('Service Windows « Carte à puce » (SCardSvr)', 'Windows "Smart Card" service (SCardSvr)');
const CERTPROP = tx('Service « Propagation du certificat » (CertPropSvc)', '"Certificate Propagation" service (CertPropSvc)');
const MIDDLEWARE = tx('Cryptolib CPS (module de carte de l’ANS)', 'Cryptolib CPS (the ANS card module)');
const REGISTRY = tx('CPS connue de Windows (registre des cartes à puce)', 'CPS known to Windows (smart-card registry)');
const VISIBLE = tx('Certificat de la CPS dans le magasin Windows', 'CPS certificate in the Windows store');

export interface WindowsService {
  exists: boolean;
  /** RUNNING, STOPPED, START_PENDING…, or unknown. */
  state: string;
  /** AUTO_START, DEMAND_START, DISABLED…, when `sc qc` answered. */
  startType?: string;
}

/** `sc query NAME` / `sc qc NAME`, English or French Windows (numbers are the same). */
export function parseScOutput(query: string, qc = ''): WindowsService {
  if (/\b1060\b/.test(query)) return { exists: false, state: 'MISSING' };
  // Field names are translated (STATE / ÉTAT, START_TYPE / TYPE_DÉMARRAGE) and may be mangled by
  // the console code page; the values after the number are always these English words.
  const state = /:\s*\d+\s+(RUNNING|STOPPED|START_PENDING|STOP_PENDING|PAUSED|PAUSE_PENDING|CONTINUE_PENDING)\b/.exec(query)?.[1] ?? 'unknown';
  const startType = /:\s*\d+\s+(AUTO_START|DEMAND_START|DISABLED|BOOT_START|SYSTEM_START)\b/.exec(qc)?.[1];
  return { exists: state !== 'unknown' || /SERVICE_NAME|NOM_SERVICE/i.test(query), state, ...(startType ? { startType } : {}) };
}

export interface RegKey {
  key: string;
  values: Record<string, { type: string; data: string }>;
}

/** `reg query` output: `HKEY_…` key lines, then `    Name    REG_TYPE    Data` value lines. */
export function parseRegQuery(text: string): RegKey[] {
  const keys: RegKey[] = [];
  let current: RegKey | undefined;
  for (const line of text.replace(/\r\n/g, '\n').split('\n')) {
    if (/^HKEY_/.test(line)) {
      current = { key: line.trim(), values: {} };
      keys.push(current);
      continue;
    }
    const value = /^\s{2,}(.*?)\s{2,}(REG_[A-Z_]+)(?:\s{2,}(.*))?$/.exec(line);
    if (value && current) current.values[value[1]!] = { type: value[2]!, data: (value[3] ?? '').trim() };
  }
  return keys;
}

const UNINSTALL_ROOTS = [
  'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall',
  'HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall',
];
export const CALAIS_KEY = 'HKLM\\SOFTWARE\\Microsoft\\Cryptography\\Calais\\SmartCards';

export const POWERSHELL_CERTIFICATES =
  "Get-ChildItem Cert:\\CurrentUser\\My | ForEach-Object { [pscustomobject]@{ Subject = $_.Subject; Issuer = $_.Issuer; NotBefore = $_.NotBefore.ToString('o'); NotAfter = $_.NotAfter.ToString('o'); SerialNumber = $_.SerialNumber; Thumbprint = $_.Thumbprint; HasPrivateKey = $_.HasPrivateKey } } | ConvertTo-Json -Compress";

export interface CryptolibInstall {
  key: string;
  name: string;
  version?: string;
}

export interface WindowsFacts {
  scardsvr: WindowsService;
  certprop: WindowsService;
  cryptolib: CryptolibInstall[];
  /** Calais\SmartCards entries (name, ATR, mask, CSP / minidriver). */
  smartCards: { name: string; atr: string; mask: string; provider?: string; minidriver?: string }[];
  certificates: StoreCertificate[];
  certificateSource: 'powershell' | 'certutil' | 'none';
}

export async function gatherWindowsFacts(run: CommandRunner): Promise<WindowsFacts> {
  const service = async (name: string) => parseScOutput((await run('sc', ['query', name])).stdout, (await run('sc', ['qc', name])).stdout);
  const scardsvr = await service('SCardSvr');
  const certprop = await service('CertPropSvc');

  const cryptolib: CryptolibInstall[] = [];
  for (const root of UNINSTALL_ROOTS) {
    const found = await run('reg', ['query', root, '/s', '/f', 'Cryptolib', '/d']);
    for (const hit of parseRegQuery(found.stdout)) {
      if (cryptolib.some((c) => c.key === hit.key)) continue;
      const detail = parseRegQuery((await run('reg', ['query', hit.key])).stdout)[0];
      const values = detail?.values ?? hit.values;
      const name = values.DisplayName?.data ?? 'Cryptolib CPS';
      if (!/cryptolib/i.test(name)) continue;
      cryptolib.push({ key: hit.key, name, ...(values.DisplayVersion?.data ? { version: values.DisplayVersion.data } : {}) });
    }
  }

  const calais = parseRegQuery((await run('reg', ['query', CALAIS_KEY, '/s'])).stdout);
  const smartCards = calais
    .filter((k) => k.values.ATR && k.values.ATRMask)
    .map((k) => ({
      name: k.key.split('\\').pop() ?? k.key,
      atr: k.values.ATR!.data.toUpperCase(),
      mask: k.values.ATRMask!.data.toUpperCase(),
      ...(k.values['Crypto Provider'] ? { provider: k.values['Crypto Provider'].data } : {}),
      ...(k.values['80000001'] ? { minidriver: k.values['80000001'].data } : {}),
    }));

  let certificates: StoreCertificate[] = [];
  let certificateSource: WindowsFacts['certificateSource'] = 'none';
  const ps = await run('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', POWERSHELL_CERTIFICATES], { timeoutMs: 20_000 });
  if (!ps.missing && ps.code === 0) {
    certificates = parseStoreCertificates(ps.stdout, 'powershell');
    certificateSource = 'powershell';
  } else {
    const cu = await run('certutil', ['-user', '-store', 'My']);
    if (!cu.missing && cu.code === 0) {
      certificates = parseStoreCertificates(cu.stdout, 'certutil');
      certificateSource = 'certutil';
    }
  }
  return { scardsvr, certprop, cryptolib, smartCards, certificates, certificateSource };
}

/** (atr & mask) == (entry & mask), lengths equal. */
export function atrMatches(atrHex: string, entryAtrHex: string, maskHex: string): boolean {
  const atr = parseHex(atrHex);
  const entry = parseHex(entryAtrHex);
  const mask = parseHex(maskHex);
  if (!atr || !entry || !mask || atr.length !== entry.length || mask.length !== atr.length) return false;
  return atr.every((b, i) => (b & mask[i]!) === (entry[i]! & mask[i]!));
}

/** The CPS3/CPS4 contact ATRs of the card knowledge base (resources/cards/atr-knowledge.json). */
export function knownCpsAtrs(): { type: string; atr: string }[] {
  return loadAtrKnowledge()
    .filter((e) => e.type === 'cps3' || e.type === 'cps4')
    .map((e) => ({ type: e.type, atr: e.atr.replace(/\s+/g, '').toUpperCase() }));
}

export function windowsBrowserProbe(options: { run?: CommandRunner; now?: () => Date; appData?: string } = {}): BrowserProbe {
  const run = options.run ?? runCommand;
  const appData = options.appData ?? process.env.APPDATA;
  return {
    platform: 'win32',
    async checks(card) {
      const checks = windowsChecks(await gatherWindowsFacts(run), card, (options.now ?? (() => new Date()))());
      return [...checks, ...(await firefoxSystemChecks(firefoxRoot('win32', appData ? { appData } : {}), run, 'Windows'))];
    },
  };
}

export function windowsChecks(f: WindowsFacts, card: CardContext, now: Date): ReadinessCheck[] {
  const browser = (c: CheckResult) => inGroup('browser', c);
  const out: ReadinessCheck[] = [];
  out.push(browser(scardCheck(f.scardsvr)));
  out.push(browser(certPropCheck(f.certprop, f)));
  out.push(browser(cryptolibCheck(f.cryptolib, card)));
  out.push(browser(registryCheck(f, card)));
  out.push(browser(storeCheck(f, card, now)));
  return out;
}

function scardCheck(s: WindowsService): CheckResult {
  const evidence = { ...s };
  if (s.state === 'RUNNING') return check('browser.scardsvr', 'ok', SCARDSVR, tx('Le service tourne.', 'The service is running.'), evidence);
  return check('browser.scardsvr', 'fail', SCARDSVR, s.exists
    ? tx(`Le service est arrêté (état : ${s.state}${s.startType ? `, démarrage : ${s.startType}` : ''}).`, `The service is stopped (state: ${s.state}${s.startType ? `, startup: ${s.startType}` : ''}).`)
    : tx('Le service est introuvable sur ce poste.', 'The service cannot be found on this computer.'), evidence, {
    remedy: tx('Démarrez-le : services.msc → « Carte à puce » → Démarrer, type « Automatique » (ou « sc start SCardSvr » en administrateur) ; débranchez et rebranchez le lecteur.', 'Start it: services.msc → "Smart Card" → Start, type "Automatic" (or "sc start SCardSvr" as administrator); unplug and plug the reader back.'),
  });
}

function certPropCheck(s: WindowsService, f: WindowsFacts): CheckResult {
  const evidence = { ...s };
  if (s.startType === 'DISABLED' || !s.exists) {
    return check('browser.certpropsvc', 'fail', CERTPROP, tx('Le service est désactivé : le certificat de la carte n’est pas copié dans votre magasin, Edge et Chrome ne le proposeront pas.', 'The service is disabled: the card’s certificate is not copied into your store, Edge and Chrome will not offer it.'), evidence, {
      remedy: tx('Dans services.msc, « Propagation du certificat » → type de démarrage « Manuel », Démarrer ; puis retirez et réinsérez la carte. Sur un poste géré, demandez-le à votre informaticien.', 'In services.msc, "Certificate Propagation" → startup type "Manual", Start; then pull the card out and put it back. On a managed computer, ask your IT support.'),
    });
  }
  if (s.state === 'RUNNING') return check('browser.certpropsvc', 'ok', CERTPROP, tx('Le service tourne.', 'The service is running.'), evidence);
  // Manual (trigger start): Windows starts it when a card is inserted; stopped is normal then.
  const hasCert = f.certificates.some(isIgcSante);
  return check('browser.certpropsvc', hasCert ? 'ok' : 'warn', CERTPROP, tx(`Le service est arrêté (démarrage ${s.startType ?? 'inconnu'}) : Windows le lance à l’insertion d’une carte.`, `The service is stopped (startup ${s.startType ?? 'unknown'}): Windows starts it when a card is inserted.`), evidence, hasCert ? {} : {
    remedy: tx('Retirez puis réinsérez la carte ; s’il ne démarre pas, démarrez-le dans services.msc (« Propagation du certificat »).', 'Pull the card out and put it back; if it does not start, start it in services.msc ("Certificate Propagation").'),
  });
}

function cryptolibCheck(installs: CryptolibInstall[], card: CardContext): CheckResult {
  const evidence = { installs: installs.map((i) => ({ name: i.name, version: i.version ?? null, key: i.key })), latest: CRYPTOLIB_LATEST.win32 };
  const download = tx('Téléchargez la Cryptolib CPS sur esante.gouv.fr (espace CPS, « Cryptolib CPS ») ou demandez-la à votre éditeur de logiciel (CIS), installez-la puis redémarrez le navigateur.', 'Download the Cryptolib CPS from esante.gouv.fr (CPS area, "Cryptolib CPS") or ask your software vendor (CIS), install it, then restart the browser.');
  if (installs.length === 0) {
    return check('browser.middleware', 'fail', MIDDLEWARE, tx('La Cryptolib CPS n’est pas installée : Edge, Chrome et Firefox ne peuvent pas utiliser la carte CPS.', 'The Cryptolib CPS is not installed: Edge, Chrome and Firefox cannot use the CPS card.'), evidence, { remedy: download });
  }
  const best = installs.reduce((a, b) => (compareVersions(b.version ?? '0', a.version ?? '0') > 0 ? b : a));
  const version = best.version ?? '?';
  const named = best.name.includes(version) ? best.name : `${best.name} ${version}`;
  if (best.version === undefined || compareVersions(best.version, CRYPTOLIB_MIN_CPS4) < 0) {
    return check('browser.middleware', 'fail', MIDDLEWARE, tx(`${named} : version trop ancienne (la 5.2 au moins est nécessaire, et pour les CPS4${card.type === 'cps4' ? ' — votre carte est une CPS4' : ''}).`, `${named}: version too old (5.2 at least is needed, and for CPS4 cards${card.type === 'cps4' ? ' — your card is a CPS4' : ''}).`), evidence, { remedy: download });
  }
  return check('browser.middleware', 'ok', MIDDLEWARE, tx(`${named} installée.`, `${named} installed.`), evidence);
}

function registryCheck(f: WindowsFacts, card: CardContext): CheckResult {
  const known = knownCpsAtrs();
  const matching = f.smartCards.filter((s) => known.some((k) => atrMatches(k.atr, s.atr, s.mask)) || (card.atr !== undefined && atrMatches(card.atr, s.atr, s.mask)));
  const forCard = card.atr ? f.smartCards.filter((s) => atrMatches(card.atr!, s.atr, s.mask)) : [];
  const evidence = { entries: f.smartCards.map((s) => ({ ...s })), matching: matching.map((s) => s.name), cardAtr: card.atr ?? null };
  const remedy = tx('Réinstallez la Cryptolib CPS (elle déclare les cartes CPS3 et CPS4 à Windows), puis retirez et réinsérez la carte.', 'Reinstall the Cryptolib CPS (it declares the CPS3 and CPS4 cards to Windows), then pull the card out and put it back.');
  if (matching.length === 0) {
    return check('browser.smartcard-registry', 'fail', REGISTRY, tx('Aucune entrée du registre des cartes à puce ne correspond à une CPS : Windows ne sait pas quel pilote utiliser.', 'No smart-card registry entry matches a CPS: Windows does not know which driver to use.'), evidence, { remedy });
  }
  if (card.atr && forCard.length === 0) {
    return check('browser.smartcard-registry', 'fail', REGISTRY, tx(`Les entrées CPS du registre (${matching.map((s) => s.name).join(', ')}) ne couvrent pas l’ATR de la carte insérée.`, `The CPS registry entries (${matching.map((s) => s.name).join(', ')}) do not cover the ATR of the card inserted.`), evidence, { remedy });
  }
  return check('browser.smartcard-registry', 'ok', REGISTRY, tx(`Déclarée : ${matching.map((s) => s.name).join(', ')}.`, `Declared: ${matching.map((s) => s.name).join(', ')}.`), evidence);
}

/** An IGC-Santé certificate (issuer "AC IGC-SANTE …", O=ASIP-SANTE). */
export function isIgcSante(c: StoreCertificate): boolean {
  return /IGC-SANTE/i.test(c.issuer);
}

function storeCheck(f: WindowsFacts, card: CardContext, now: Date): CheckResult {
  const cps = f.certificates.filter(isIgcSante);
  const evidence = { source: f.certificateSource, certificates: cps.map((c) => ({ issuer: c.issuer, serial: c.serialNumber ?? null, notAfter: c.notAfter ?? null, hasPrivateKey: c.hasPrivateKey ?? null })), total: f.certificates.length };
  if (card.demo) return skipped('browser.certificate', VISIBLE, tx('Mode démonstration : la carte virtuelle intégrée n’est pas visible de Windows.', 'Demo mode: the built-in virtual card is not visible to Windows.'), evidence);
  if (f.certificateSource === 'none') {
    return check('browser.certificate', 'warn', VISIBLE, tx('Le magasin de certificats n’a pas pu être lu (PowerShell et certutil indisponibles).', 'The certificate store could not be read (PowerShell and certutil unavailable).'), evidence, {
      remedy: tx('Vérifiez à la main : certmgr.msc → Personnel → Certificats, un certificat délivré par « AC IGC-SANTE … ».', 'Check by hand: certmgr.msc → Personal → Certificates, a certificate issued by "AC IGC-SANTE …".'),
    });
  }
  const mine = card.certificateSerial ? cps.filter((c) => sameHex(c.serialNumber, card.certificateSerial)) : cps;
  const valid = mine.filter((c) => !c.notAfter || new Date(c.notAfter).getTime() > now.getTime());
  if (valid.length > 0) {
    return check('browser.certificate', 'ok', VISIBLE, tx(`Le certificat de la CPS est dans votre magasin personnel (émis par ${valid[0]!.issuerCommonName ?? 'AC IGC-SANTE'}).`, `The CPS certificate is in your personal store (issued by ${valid[0]!.issuerCommonName ?? 'AC IGC-SANTE'}).`), evidence);
  }
  return check('browser.certificate', 'fail', VISIBLE, mine.length === 0
    ? tx(card.present ? 'Le certificat de la carte insérée n’est pas dans votre magasin personnel : Edge et Chrome ne le proposeront pas sur le portail.' : 'Aucun certificat IGC-Santé dans votre magasin personnel : Edge et Chrome ne proposeront pas de carte sur le portail.', card.present ? 'The inserted card’s certificate is not in your personal store: Edge and Chrome will not offer it on the portal.' : 'No IGC-Santé certificate in your personal store: Edge and Chrome will not offer a card on the portal.')
    : tx('Le certificat de la CPS de votre magasin est expiré.', 'The CPS certificate in your store has expired.'), evidence, {
    remedy: tx('Retirez puis réinsérez la carte et attendez quelques secondes (le service « Propagation du certificat » la copie) ; sinon ouvrez CPS-Gestion ou réinstallez la Cryptolib CPS.', 'Pull the card out, put it back and wait a few seconds (the "Certificate Propagation" service copies it); otherwise open CPS-Gestion or reinstall the Cryptolib CPS.'),
  });
}

function sameHex(a: string | undefined, b: string | undefined): boolean {
  const norm = (s: string) => s.replace(/[^0-9a-fA-F]/g, '').replace(/^0+/, '').toUpperCase();
  return a !== undefined && b !== undefined && norm(a) === norm(b);
}
