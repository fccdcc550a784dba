/**
 * Each technician check with fakes (issue 6 §1): service down, no reader, a USB reader PC/SC
 * does not see, a model from the knowledge base, cards in the wrong slot, an expired card, a
 * blocked PIN, another application holding the card, galss.ini consistent / swapped / naming
 * a missing reader, clock skew, the pairing port on 127.0.0.1.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ActivationAuthority } from '../../../src-shared/activation-authority';
import { sandboxTrustAnchors, loadSandboxPki } from '../../../simulators/pki/index';
import { runDiagnostics, type DiagnosticRun } from '../../../src-main/diagnostics/run';
import { checkAuthority, checkPairingPort } from '../../../src-main/diagnostics/checks/network';
import { windowsProbe } from '../../../src-main/diagnostics/platform';
import { enumerateUsb } from '../../../src-main/diagnostics/usb';
import { checkPcscService } from '../../../src-main/diagnostics/checks/service';
import type { CheckResult } from '../../../src-main/diagnostics/types';
import { demoReader, fakePcscPort, fakeSysfs, galssFixture, galssIni, isolated, SLOT0, SLOT1 } from './helpers';

const find = (run: DiagnosticRun, id: string, subject?: string): CheckResult => {
  const found = run.checks.find((c) => c.id === id && (subject === undefined || c.subject === subject));
  if (!found) throw new Error(`no ${id} ${subject ?? ''} in ${run.checks.map((c) => `${c.id}/${c.subject ?? ''}`).join(', ')}`);
  return found;
};

async function trust() {
  return { anchors: sandboxTrustAnchors(), intermediates: [(await loadSandboxPki()).sandbox.certificateDer] };
}

describe('PC/SC service and readers', () => {
  it('service down on Linux: fail, says pcscd is not running, remedy starts pcscd; reader checks skipped', async () => {
    const run = await runDiagnostics(isolated(fakePcscPort({ up: false })));
    const service = find(run, 'pcsc.service');
    expect(service.status).toBe('fail');
    expect(service.explanation.fr).toMatch(/pcscd ne tourne pas/);
    expect(service.remedy?.fr).toMatch(/systemctl enable --now pcscd\.socket/);
    expect(service.evidence).toMatchObject({ serviceAvailable: false, probe: { processRunning: false, socketPresent: false } });
    expect(find(run, 'pcsc.readers').status).toBe('skipped');
  });

  it('Windows: `sc query SCardSvr` parsed, remedy names the Smart Card service', async () => {
    const probe = await windowsProbe(async () => 'SERVICE_NAME: SCardSvr\r\n        TYPE               : 20  WIN32_SHARE_PROCESS\r\n        STATE              : 1  STOPPED\r\n').pcscService();
    expect(probe).toEqual({ platform: 'win32', windowsServiceState: 'STOPPED' });
    const result = checkPcscService(fakePcscPort({ up: false }), probe, false);
    expect(result.status).toBe('fail');
    expect(result.explanation.fr).toContain('SCardSvr');
    expect(result.remedy?.fr).toMatch(/services\.msc/);
  });

  it('Windows in French (« ÉTAT », recorded output): the state is read all the same, not "unknown"', async () => {
    const recorded = readFileSync(new URL('../readiness/fixtures/windows/sc-query-scardsvr-stopped-fr.txt', import.meta.url), 'utf8');
    expect(recorded).not.toMatch(/STATE/);
    const probe = await windowsProbe(async () => recorded).pcscService();
    expect(probe).toEqual({ platform: 'win32', windowsServiceState: 'STOPPED' });
  });

  it('service up but no reader: readers check fails with the PC/SC-mode remedy', async () => {
    const run = await runDiagnostics(isolated(fakePcscPort({ up: true })));
    expect(find(run, 'pcsc.service').status).toBe('ok');
    const readers = find(run, 'pcsc.readers');
    expect(readers.status).toBe('fail');
    expect(readers.remedy?.fr).toMatch(/mode PC\/SC et non PSS/);
  });
});

describe('USB readers and the knowledge base', () => {
  it('an Ingenico SESAM-Vitale reader (0B00:0090) on USB but not in PC/SC: fail with the vendor-driver and PC/SC-mode remedies', async () => {
    const usbRoot = fakeSysfs([
      { id: '1-2', vendorId: '0b00', productId: '0090', product: 'Lecteur SESAM VITALE', manufacturer: 'INGENICO' },
      { id: '1-3', vendorId: '046d', productId: 'c52b', product: 'USB Receiver' },
    ]);
    const { usb: _usb, ...options } = isolated(fakePcscPort({ up: true }));
    const run = await runDiagnostics({ ...options, usbRoot });
    const hidden = run.checks.filter((c) => c.id === 'usb.invisible-readers');
    expect(hidden).toHaveLength(1);
    expect(hidden[0]).toMatchObject({ status: 'fail', subject: '0B00:0090 Lecteur SESAM VITALE', evidence: { model: 'ingenico-sesam-vitale' } });
    expect(hidden[0]!.remedy?.fr).toMatch(/pilote PC\/SC Olaqin\/Ingenico/);
    expect(hidden[0]!.remedy?.fr).toMatch(/mode PC\/SC/);
    expect(hidden[0]!.remedy?.fr).toMatch(/ATSAM/);
  });

  it('a CCID reader visible to PC/SC under its product name: ok; an unknown CCID one hidden: fail with the generic remedy', async () => {
    const usbRoot = fakeSysfs([
      { id: '1-4', vendorId: '2947', productId: '0101', product: 'KAP-LINK', interfaceClass: '0b' },
      { id: '1-5', vendorId: '1234', productId: '5678', product: 'Mystery Reader', interfaceClass: '0b' },
    ]);
    const port = fakePcscPort({ up: true, readers: [{ name: 'KAPELSE KAP-LINK (0042) 00 00', cardPresent: false }, { name: 'KAPELSE KAP-LINK (0042) 00 01', cardPresent: false }] });
    const { usb: _usb, ...options } = isolated(port);
    const run = await runDiagnostics({ ...options, usbRoot });
    const hidden = run.checks.filter((c) => c.id === 'usb.invisible-readers');
    expect(hidden.map((c) => [c.subject, c.status])).toEqual([['1234:5678 Mystery Reader', 'fail']]);
    expect(hidden[0]!.remedy?.fr).toMatch(/mode PC\/SC/);
    const model = find(run, 'reader.model', 'KAPELSE KAP-LINK (0042)');
    expect(model.status).toBe('ok');
    expect(model.evidence).toMatchObject({ model: 'kapelse-kap-link', slots: ['KAPELSE KAP-LINK (0042) 00 00', 'KAPELSE KAP-LINK (0042) 00 01'] });
    expect(model.explanation.fr).toMatch(/271 octets/);
  });

  it('no USB list: Linux without sysfs says why (no "Linux only" on Linux); another system says the check is Linux-only', async () => {
    const { usb: _usb, ...options } = isolated(fakePcscPort({ up: true }));
    const onLinux = find(await runDiagnostics({ ...options, usbRoot: '/nonexistent/sys/bus/usb/devices' }), 'usb.invisible-readers');
    expect(onLinux.status).toBe('skipped');
    expect(onLinux.explanation.fr).toContain('/nonexistent/sys/bus/usb/devices');
    expect(onLinux.explanation.fr).not.toMatch(/Linux seulement/);
    expect(enumerateUsb('/sys/bus/usb/devices', 'win32')).toMatchObject({ supported: false, unsupportedBecause: 'platform' });
    const elsewhere = find(await runDiagnostics({ ...options, usb: () => enumerateUsb('/sys/bus/usb/devices', 'darwin') }), 'usb.invisible-readers');
    expect(elsewhere.explanation.fr).toContain('que sous Linux');
    expect(elsewhere.explanation.en).toContain('only on Linux');
  });

  it('the GALSS PSS bridge reader is recognised and warns with the switch-to-PC/SC remedy', async () => {
    const run = await runDiagnostics(isolated(fakePcscPort({ up: true, readers: [{ name: 'PSS SmartCard Reader', cardPresent: false }] })));
    const model = find(run, 'reader.model');
    expect(model.status).toBe('warn');
    expect(model.remedy?.fr).toMatch(/mode PC\/SC/);
  });
});

describe('slots and cards (in-process dual-slot reader)', () => {
  it('a Vitale 2 in the CPS slot: card-role fails; no CPS → card checks not run', async () => {
    const port = await demoReader('vitale2', null);
    const run = await runDiagnostics(isolated(port));
    const role = find(run, 'slot.card-role', SLOT0);
    expect(role.status).toBe('fail');
    expect(role.explanation.fr).toBe('Une carte Vitale est dans la fente CPS.');
    expect(role.remedy?.fr).toMatch(/carte CPS dans la fente CPS/);
    expect(find(run, 'cps.present').status).toBe('warn');
    expect(run.checks.some((c) => c.id === 'cps.pin')).toBe(false);
  });

  it('cards swapped (CPS in the Vitale slot, Vitale in the CPS slot): both slots fail as "inversées"', async () => {
    const port = await demoReader('vitale2', 'cps3');
    const run = await runDiagnostics(isolated(port));
    for (const slot of [SLOT0, SLOT1]) {
      const role = find(run, 'slot.card-role', slot);
      expect(role.status).toBe('fail');
      expect(role.explanation.fr).toMatch(/inversées/);
    }
    expect(find(run, 'cps.pin', SLOT1).status).toBe('ok'); // the CPS is still read where it is
  });

  it('a CPS alone in the Vitale slot: warns (PC/SC reads it, GALSS and pharmacy software expect it in slot 00)', async () => {
    const run = await runDiagnostics(isolated(await demoReader(null, 'cps3')));
    expect(find(run, 'slot.card-role', SLOT1).status).toBe('warn');
  });

  it('the slot convention is configurable: with roles [vitale, cps] the Vitale in slot 00 is right', async () => {
    const run = await runDiagnostics(isolated(await demoReader('vitale2', 'cps3'), { slotRoles: ['vitale', 'cps'] }));
    expect(find(run, 'slot.card-role', SLOT0).status).toBe('ok');
    expect(find(run, 'slot.card-role', SLOT1).status).toBe('ok');
  });

  it('a valid CPS: responsive with T=0 and the CPS application, certificate and chain valid, PIN 3/3 read without spending a try', async () => {
    const run = await runDiagnostics(isolated(await demoReader('cps3', 'vitale2'), { trust: await trust() }));
    expect(find(run, 'slot.responsive', SLOT0)).toMatchObject({ status: 'ok', evidence: { protocol: 'T0', confirmedByCard: true } });
    expect(find(run, 'cps.certificate').status).toBe('ok');
    expect(find(run, 'cps.chain').status).toBe('ok');
    expect(find(run, 'cps.pin')).toMatchObject({ status: 'ok', evidence: { triesLeft: 3, maxTries: 3, blocked: false } });
    expect(run.trace.list().some((e) => e.command.startsWith('00 20'))).toBe(false); // no VERIFY on a CPS3
    expect(run.checks.filter((c) => c.status === 'fail')).toEqual([]);
  });

  it('an expired CPS: the certificate check fails with the renewal remedy, the chain check fails too', async () => {
    const run = await runDiagnostics(isolated(await demoReader('cps3', null, 'expired'), { trust: await trust() }));
    const cert = find(run, 'cps.certificate');
    expect(cert.status).toBe('fail');
    expect(cert.explanation.fr).toMatch(/a expiré le/);
    expect(cert.remedy?.fr).toMatch(/nouvelle carte/);
    expect(find(run, 'cps.chain').status).toBe('fail');
  });

  it('a blocked PIN: fails with the PUK remedy and the PUK counter in the evidence', async () => {
    const run = await runDiagnostics(isolated(await demoReader('cps3', null, 'blocked')));
    const pin = find(run, 'cps.pin');
    expect(pin.status).toBe('fail');
    expect(pin.explanation.fr).toMatch(/bloqué/);
    expect(pin.remedy?.fr).toMatch(/code de déblocage \(PUK/);
    expect(pin.evidence).toMatchObject({ blocked: true, puk: { blocked: false } });
  });

  it('a CPS4 with a blocked PIN: fails too, its counters read with an empty VERIFY only', async () => {
    const run = await runDiagnostics(isolated(await demoReader('cps4', null, 'blocked')));
    expect(find(run, 'cps.pin').status).toBe('fail');
    // CPS4 counters: VERIFY without data (00 20 00 ref, no Lc) — nothing to redact, no try spent.
    for (const e of run.trace.list().filter((x) => x.command.slice(3, 5) === '20')) expect(e.command.split(' ')).toHaveLength(4);
  });

  it('another application holds the card exclusively: in-use fails with the SharingViolation remedy', async () => {
    const port = await demoReader('cps3', 'vitale2');
    const other = await port.connect(SLOT0, { share: 'exclusive' });
    try {
      const run = await runDiagnostics(isolated(port, { galss: galssFixture(undefined, true) }));
      const inUse = find(run, 'slot.in-use', SLOT0);
      expect(inUse.status).toBe('fail');
      expect(inUse.explanation.fr).toMatch(/GALSS est installé/);
      expect(inUse.remedy?.fr).toMatch(/Fermez ou mettez en pause/);
      expect(find(run, 'slot.responsive', SLOT0).status).toBe('skipped');
      expect(find(run, 'slot.in-use', SLOT1).status).toBe('ok');
    } finally {
      await other.disconnect();
    }
  });
});

describe('GALSS', () => {
  it('not installed: ok, channels skipped', async () => {
    const run = await runDiagnostics(isolated(fakePcscPort({ up: true })));
    expect(find(run, 'galss.installed').status).toBe('ok');
    expect(find(run, 'galss.channels').status).toBe('skipped');
  });

  it('installed without galss.ini: fails with GALSS error 0x8001 from the knowledge base', async () => {
    const run = await runDiagnostics(isolated(fakePcscPort({ up: true }), { galss: galssFixture(undefined) }));
    const installed = find(run, 'galss.installed');
    expect(installed.status).toBe('fail');
    expect(installed.explanation.fr).toMatch(/0x8001/);
    expect(installed.remedy?.fr).toMatch(/ATSAM/);
  });

  it('consistent channels (CANAL1 = CPS slot, CANAL2 = Vitale slot): ok', async () => {
    const run = await runDiagnostics(isolated(await demoReader('cps3', 'vitale2'), { galss: galssFixture(galssIni(SLOT0, SLOT1)) }));
    const channels = find(run, 'galss.channels');
    expect(channels.status).toBe('ok');
    expect(channels.evidence).toMatchObject({ swapped: false, channels: [{ channel: 1, pcscReader: SLOT0, card: 'cps3' }, { channel: 2, pcscReader: SLOT1, card: 'vitale2' }] });
  });

  it('swapped channels: fails and says to swap the Caracteristiques= values', async () => {
    const run = await runDiagnostics(isolated(await demoReader('cps3', 'vitale2'), { galss: galssFixture(galssIni(SLOT1, SLOT0)) }));
    const channels = find(run, 'galss.channels');
    expect(channels.status).toBe('fail');
    expect(channels.evidence).toMatchObject({ swapped: true });
    expect(channels.remedy?.fr).toMatch(/échangez les valeurs « Caracteristiques= »/);
  });

  it('a channel naming a reader PC/SC does not show: fails and names it', async () => {
    const run = await runDiagnostics(isolated(await demoReader('cps3', 'vitale2'), { galss: galssFixture(galssIni('Ingenico TL TELIUM (25005334) 00 00', SLOT1)) }));
    const channels = find(run, 'galss.channels');
    expect(channels.status).toBe('fail');
    expect(channels.explanation.fr).toContain('CANAL1 désigne « Ingenico TL TELIUM (25005334) 00 00 », que PC/SC ne montre pas.');
  });
});

describe('authority and network', () => {
  const authority = (skewMs: number, down = false): ActivationAuthority =>
    ({
      describe: async () => {
        if (down) throw new Error('ECONNREFUSED');
        return { kind: 'sandbox', transport: 'http', url: 'http://127.0.0.1:1', label: { fr: 'Bac à sable', en: 'Sandbox' }, apiVersion: 1 };
      },
      serverTime: async () => ({ serverTime: new Date().toISOString(), skewMs }),
    }) as unknown as ActivationAuthority;

  it('clock skew: ok under 1 min, warn from 1 min, fail from 5 min with the NTP remedy', async () => {
    expect((await checkAuthority(authority(4_000)))[1]!.status).toBe('ok');
    expect((await checkAuthority(authority(-90_000)))[1]!.status).toBe('warn');
    const far = (await checkAuthority(authority(600_000)))[1]!;
    expect(far.status).toBe('fail');
    expect(far.remedy?.fr).toMatch(/NTP/);
  });

  it('authority unreachable: fail, clock skipped; none given: both skipped', async () => {
    const [reach, clock] = await checkAuthority(authority(0, true));
    expect(reach!.status).toBe('fail');
    expect(reach!.remedy?.fr).toMatch(/pare-feu/);
    expect(clock!.status).toBe('skipped');
    expect((await checkAuthority(undefined)).map((c) => c.status)).toEqual(['skipped', 'skipped']);
  });

  it('pairing port on 127.0.0.1: opens and answers', async () => {
    const result = await checkPairingPort({ address: '127.0.0.1' });
    expect(result.status).toBe('ok');
    expect(result.evidence).toMatchObject({ address: '127.0.0.1', connected: true });
  });

  it('pairing port on an address of no interface here: fail with a hint', async () => {
    const result = await checkPairingPort({ address: '203.0.113.7' });
    expect(result.status).toBe('fail');
    expect(result.evidence).toMatchObject({ bindError: 'EADDRNOTAVAIL' });
    expect(result.remedy?.fr).toMatch(/interface réseau/);
  });
});
