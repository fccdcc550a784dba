/**
 * The Windows card stack from recorded outputs of the real commands (sc, reg, PowerShell,
 * certutil — English and French Windows): nothing installed, old Cryptolib, service stopped,
 * certificate missing, everything fine; each with the check that says so and its remedy.
 */
import { describe, expect, it } from 'vitest';
import { CALAIS_KEY, POWERSHELL_CERTIFICATES, parseRegQuery, parseScOutput, windowsBrowserProbe } from '../../../src-main/readiness/windows-probe';
import { parseStoreCertificates } from '../../../src-main/readiness/windows-certificates';
import type { CardContext, ReadinessCheck } from '../../../src-main/readiness/types';
import { fixture, recordedRunner, type RecordedTable } from './helpers';

const UNINSTALL = 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall';
const UNINSTALL_32 = 'HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall';
const KEY_526 = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{6C1B7F2A-3F55-4B8A-9A43-0E6C1D2B9F10}';
const KEY_506 = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{A04E2B61-8C0D-4E5B-B1C9-5F0D6C0B2E33}';
const PS = `powershell.exe -NoProfile -NonInteractive -Command ${POWERSHELL_CERTIFICATES}`;
const NO_MATCH = { code: 1, stdout: fixture('windows/reg-search-none.txt') };

/** The card the tests insert: the sandbox CPS3 whose certificate serial is in the recorded stores. */
const CARD: CardContext = { demo: false, present: true, type: 'cps3', reader: 'Kapelse KAP-LINK2 0', atr: '3BAC00402A001225006480000310009000', certificateSerial: '2B5706FC3605D717B26B9B90B79622BC' };

/** Everything fine on an English Windows: the base every scenario changes. */
function fine(): RecordedTable {
  return {
    'sc query SCardSvr': fixture('windows/sc-query-scardsvr-running.txt'),
    'sc qc SCardSvr': fixture('windows/sc-qc-scardsvr-auto.txt'),
    'sc query CertPropSvc': fixture('windows/sc-query-certpropsvc-running.txt'),
    'sc qc CertPropSvc': fixture('windows/sc-qc-certpropsvc-demand.txt'),
    [`reg query ${UNINSTALL} /s /f Cryptolib /d`]: fixture('windows/reg-search-cryptolib-526.txt'),
    [`reg query ${UNINSTALL_32} /s /f Cryptolib /d`]: NO_MATCH,
    [`reg query ${KEY_526}`]: fixture('windows/reg-key-cryptolib-526.txt'),
    [`reg query ${CALAIS_KEY} /s`]: fixture('windows/reg-calais-cps.txt'),
    [PS]: fixture('windows/ps-certs-cps.json'),
  };
}

const NOW = new Date('2026-01-15T10:00:00Z');

async function run(table: RecordedTable, card: CardContext = CARD): Promise<Record<string, ReadinessCheck>> {
  const checks = await windowsBrowserProbe({ run: recordedRunner(table), now: () => NOW, appData: '/nonexistent-appdata' }).checks(card);
  for (const c of checks) expect(c.group).toBe('browser');
  return Object.fromEntries(checks.map((c) => [c.id, c]));
}

describe('Windows probe: recorded outputs', () => {
  it('everything fine: services running, Cryptolib 5.2.6, CPS3/CPS4 declared, the card’s certificate in CurrentUser\\My', async () => {
    const c = await run(fine());
    expect(Object.values(c).map((x) => [x.id, x.status])).toEqual([
      ['browser.scardsvr', 'ok'],
      ['browser.certpropsvc', 'ok'],
      ['browser.middleware', 'ok'],
      ['browser.smartcard-registry', 'ok'],
      ['browser.certificate', 'ok'],
    ]);
    expect(c['browser.middleware']!.explanation.fr).toBe('Cryptolib CPS 5.2.6 (x64) installée.');
    expect(c['browser.smartcard-registry']!.explanation.fr).toContain('Carte de Professionnel de Sante CPS3');
    expect(c['browser.smartcard-registry']!.evidence.matching).toEqual(['Carte de Professionnel de Sante CPS3', 'Carte de Professionnel de Sante CPS4']);
    expect(c['browser.certificate']!.explanation.fr).toContain('AC IGC-SANTE FORT PERSONNES');
  });

  it('nothing installed: no Cryptolib, no CPS in the smart-card registry, no IGC-Santé certificate — each with its remedy', async () => {
    const c = await run({
      ...fine(),
      [`reg query ${UNINSTALL} /s /f Cryptolib /d`]: NO_MATCH,
      [`reg query ${CALAIS_KEY} /s`]: fixture('windows/reg-calais-none.txt'),
      [PS]: fixture('windows/ps-certs-other.json'),
    });
    expect(c['browser.middleware']).toMatchObject({ status: 'fail', explanation: { fr: expect.stringContaining('n’est pas installée') } });
    expect(c['browser.middleware']!.remedy!.fr).toContain('Téléchargez la Cryptolib CPS');
    expect(c['browser.smartcard-registry']).toMatchObject({ status: 'fail', remedy: { fr: expect.stringContaining('Réinstallez la Cryptolib CPS') } });
    expect(c['browser.certificate']).toMatchObject({ status: 'fail' });
    expect(c['browser.certificate']!.evidence.total).toBe(1);
  });

  it('old Cryptolib (5.0.6, 32-bit, French Windows): "trop ancienne", 5.2 needed — and named for a CPS4', async () => {
    const table = {
      ...fine(),
      [`reg query ${UNINSTALL} /s /f Cryptolib /d`]: NO_MATCH,
      [`reg query ${UNINSTALL_32} /s /f Cryptolib /d`]: fixture('windows/reg-search-cryptolib-506-fr.txt'),
      [`reg query ${KEY_506}`]: fixture('windows/reg-key-cryptolib-506.txt'),
    };
    const c = await run(table);
    expect(c['browser.middleware']).toMatchObject({ status: 'fail', explanation: { fr: 'Cryptolib CPS v5.0.6 : version trop ancienne (la 5.2 au moins est nécessaire, et pour les CPS4).' } });
    const cps4 = await run(table, { ...CARD, type: 'cps4' });
    expect(cps4['browser.middleware']!.explanation.fr).toContain('votre carte est une CPS4');
  });

  it('service stopped (French Windows: ÉTAT / TYPE_DÉMARRAGE): SCardSvr STOPPED is a failure with the services.msc remedy', async () => {
    const c = await run({ ...fine(), 'sc query SCardSvr': fixture('windows/sc-query-scardsvr-stopped-fr.txt'), 'sc qc SCardSvr': fixture('windows/sc-qc-scardsvr-demand-fr.txt') });
    expect(c['browser.scardsvr']).toMatchObject({ status: 'fail', evidence: { state: 'STOPPED', startType: 'DEMAND_START', exists: true } });
    expect(c['browser.scardsvr']!.remedy!.fr).toContain('sc start SCardSvr');
  });

  it('certificate propagation disabled, and a service that does not exist', async () => {
    const disabled = await run({ ...fine(), 'sc query CertPropSvc': fixture('windows/sc-query-certpropsvc-stopped.txt'), 'sc qc CertPropSvc': fixture('windows/sc-qc-certpropsvc-disabled.txt') });
    expect(disabled['browser.certpropsvc']).toMatchObject({ status: 'fail', evidence: { startType: 'DISABLED' } });
    const missing = await run({ ...fine(), 'sc query SCardSvr': { code: 1060, stdout: fixture('windows/sc-query-missing.txt') }, 'sc qc SCardSvr': { code: 1060, stdout: fixture('windows/sc-qc-missing.txt') } });
    expect(missing['browser.scardsvr']).toMatchObject({ status: 'fail', evidence: { exists: false } });
    expect(missing['browser.scardsvr']!.explanation.fr).toContain('introuvable');
  });

  it('certificate missing: the card is in, its certificate is not in the store (propagation stopped) — fail, and CertPropSvc warns', async () => {
    const c = await run({ ...fine(), 'sc query CertPropSvc': fixture('windows/sc-query-certpropsvc-stopped.txt'), [PS]: fixture('windows/ps-certs-other.json') });
    expect(c['browser.certificate']).toMatchObject({ status: 'fail', explanation: { fr: expect.stringContaining('n’est pas dans votre magasin personnel') } });
    expect(c['browser.certificate']!.remedy!.fr).toContain('Propagation du certificat');
    expect(c['browser.certpropsvc']!.status).toBe('warn');
    // Another card's IGC-Santé certificate does not count for the card inserted.
    const other = await run(fine(), { ...CARD, certificateSerial: '01' });
    expect(other['browser.certificate']!.status).toBe('fail');
  });

  it('an expired certificate in the store is a failure too', async () => {
    const c = await run(fine(), CARD);
    expect(c['browser.certificate']!.status).toBe('ok');
    const later = await windowsBrowserProbe({ run: recordedRunner(fine()), now: () => new Date('2027-06-01T00:00:00Z') }).checks(CARD);
    expect(later.find((x) => x.id === 'browser.certificate')).toMatchObject({ status: 'fail', explanation: { fr: expect.stringContaining('expiré') } });
  });

  it('no PowerShell: certutil -user -store My (French) is read instead; none of the two: warn, check by hand', async () => {
    const table = { ...fine(), [PS]: { missing: true, code: null } } as RecordedTable;
    delete table[PS];
    const c = await run({ ...table, 'certutil -user -store My': fixture('windows/certutil-my-cps-fr.txt') });
    expect(c['browser.certificate']).toMatchObject({ status: 'ok', evidence: { source: 'certutil' } });
    const none = await run(table);
    expect(none['browser.certificate']).toMatchObject({ status: 'warn', remedy: { fr: expect.stringContaining('certmgr.msc') } });
  });

  it('demo mode: the certificate line is not checked (the virtual card is not on this Windows)', async () => {
    const c = await run(fine(), { demo: true, present: true });
    expect(c['browser.certificate']!.status).toBe('skipped');
  });
});

describe('Windows output parsers', () => {
  it('sc: English and French, states always in English; 1060 is a missing service', () => {
    expect(parseScOutput(fixture('windows/sc-query-scardsvr-running.txt'), fixture('windows/sc-qc-scardsvr-auto.txt'))).toEqual({ exists: true, state: 'RUNNING', startType: 'AUTO_START' });
    expect(parseScOutput(fixture('windows/sc-query-scardsvr-stopped-fr.txt'), fixture('windows/sc-qc-scardsvr-demand-fr.txt'))).toEqual({ exists: true, state: 'STOPPED', startType: 'DEMAND_START' });
    expect(parseScOutput(fixture('windows/sc-query-missing.txt'))).toEqual({ exists: false, state: 'MISSING' });
  });

  it('reg query: keys and values, empty values kept', () => {
    const [key] = parseRegQuery(fixture('windows/reg-key-cryptolib-526.txt'));
    expect(key!.key).toMatch(/\{6C1B7F2A/);
    expect(key!.values.DisplayVersion).toEqual({ type: 'REG_SZ', data: '5.2.6' });
    expect(key!.values.Comments).toEqual({ type: 'REG_SZ', data: '' });
    expect(key!.values.EstimatedSize).toEqual({ type: 'REG_DWORD', data: '0x3a98' });
  });

  it('certificates: PowerShell JSON (array or single object, ISO or /Date()/) and French certutil (day first)', () => {
    const ps = parseStoreCertificates(fixture('windows/ps-certs-cps.json'), 'powershell');
    expect(ps).toHaveLength(2);
    expect(ps[0]).toMatchObject({ issuerCommonName: 'AC IGC-SANTE FORT PERSONNES', serialNumber: '2B5706FC3605D717B26B9B90B79622BC', notAfter: '2027-03-12T09:15:22.000Z', hasPrivateKey: true });
    expect(parseStoreCertificates(fixture('windows/ps-certs-other.json'), 'powershell')).toHaveLength(1);
    expect(parseStoreCertificates('', 'powershell')).toEqual([]);
    expect(parseStoreCertificates('{"Issuer":"CN=x","Subject":"CN=y","NotAfter":"/Date(1767225600000)/"}', 'powershell')[0]!.notAfter).toBe('2026-01-01T00:00:00.000Z');
    const cu = parseStoreCertificates(fixture('windows/certutil-my-cps-fr.txt'), 'certutil');
    expect(cu).toEqual([expect.objectContaining({ issuerCommonName: 'AC IGC-SANTE FORT PERSONNES', serialNumber: '2b5706fc3605d717b26b9b90b79622bc', notBefore: '2024-03-12T10:15:00.000Z', notAfter: '2027-03-12T10:15:00.000Z' })]);
    expect(parseStoreCertificates(fixture('windows/certutil-my-empty.txt'), 'certutil')).toEqual([]);
  });
});
