/**
 * Issue 6 scenarios over a private pcscd with the vpcd dual-slot reader (slot 00 = CPS slot,
 * slot 01 = Vitale slot by the knowledge base's convention):
 *   a Vitale 2 in the CPS slot → slot.card-role fails; a blocked PIN (variant blocked) →
 *   cps.pin fails with the PUK remedy; an expired card → cps.certificate fails; the real
 *   `ecps diagnose --html` writes a sane report (exit 15 when a check fails); pcscd stopped →
 *   pcsc.service fails with its remedy.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPcscReaderPort } from '../../native-bindings/pcsc';
import { createVirtualCard, createVirtualCardWithCredentials } from '../../simulators/cards/catalog';
import type { CpsVariant } from '../../simulators/cards/cps-catalog';
import { VpcdSlot } from '../../simulators/cards/vpcd-bridge';
import { loadSandboxPki, sandboxTrustAnchors } from '../../simulators/pki/index';
import type { ReaderPort } from '../../src-shared/reader-port';
import { runDiagnostics, type DiagnosticRun } from '../../src-main/diagnostics/run';
import { EXIT } from '../../src-main/cli/exit-codes';
import { jsonLines, runCli } from '../support/cli';
import { startPcscRig, type PcscRig } from '../support/pcscd-rig';
import { tempDir } from '../unit/diagnostics/helpers';

let rig: PcscRig;
let port: ReaderPort;
let SLOT: [string, string];
const plugged: VpcdSlot[] = [];

async function until(what: string, check: () => boolean, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}. pcscd said:\n${rig.log()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
const present = (slot: 0 | 1) => port.readers().find((r) => r.name === SLOT[slot])?.cardPresent === true;

async function plug(slot: 0 | 1, kind: 'cps3' | 'vitale2', variant?: CpsVariant): Promise<void> {
  const card = kind === 'vitale2' ? createVirtualCard('vitale2') : await createVirtualCardWithCredentials(kind, variant ? { variant } : {});
  const s = new VpcdSlot(card, { port: rig.vpcdPort, slot, stayInserted: false });
  await s.insert();
  plugged.push(s);
  await until(`a card in ${SLOT[slot]}`, () => present(slot));
}

async function unplugAll(): Promise<void> {
  for (const s of plugged.splice(0)) await s.remove();
  await until('both slots empty', () => !present(0) && !present(1));
}

async function diagnose(): Promise<DiagnosticRun> {
  return runDiagnostics({
    port,
    demo: false,
    usb: () => ({ supported: true, devices: [] }),
    galss: { installDirs: [], iniPaths: [] },
    pairing: false,
    trust: { anchors: sandboxTrustAnchors(), intermediates: [(await loadSandboxPki()).sandbox.certificateDer] },
  });
}
const find = (run: DiagnosticRun, id: string, subject?: string) => run.checks.find((c) => c.id === id && (subject === undefined || c.subject === subject));

beforeAll(async () => {
  rig = await startPcscRig();
  SLOT = [rig.readerNames[0]!, rig.readerNames[1]!];
  port = createPcscReaderPort({ connectTimeoutMs: 3000, transmitTimeoutMs: 3000 });
  await port.start();
  await until('the two virtual readers', () => port.readers().length === 2);
}, 30_000);

afterAll(async () => {
  for (const s of plugged) await s.remove().catch(() => undefined);
  await port?.stop().catch(() => undefined);
  await rig?.dispose();
});

describe('diagnostics over real pcscd', () => {
  it('a valid CPS3 in the CPS slot and a Vitale 2 in the other: service, readers, model, slots, CPS all ok', async () => {
    await plug(0, 'cps3');
    await plug(1, 'vitale2');
    const run = await diagnose();
    expect(find(run, 'pcsc.service')?.status).toBe('ok');
    expect(find(run, 'reader.model')?.evidence).toMatchObject({ model: 'vpcd-virtual' });
    expect(find(run, 'slot.card-role', SLOT[0])?.status).toBe('ok');
    expect(find(run, 'slot.responsive', SLOT[0])?.evidence).toMatchObject({ protocol: 'T0', confirmedByCard: true });
    expect(find(run, 'cps.pin')?.status).toBe('ok');
    expect(run.checks.filter((c) => c.status === 'fail')).toEqual([]);
    await unplugAll();
  });

  it('a Vitale 2 in the CPS slot → slot.card-role fails with "insert the CPS in the CPS slot"', async () => {
    await plug(0, 'vitale2');
    const run = await diagnose();
    const role = find(run, 'slot.card-role', SLOT[0]);
    expect(role?.status).toBe('fail');
    expect(role?.remedy?.fr).toMatch(/carte CPS dans la fente CPS/);
    expect(find(run, 'cps.present')?.status).toBe('warn');
    await unplugAll();
  });

  it('a blocked PIN (variant blocked) → cps.pin fails with the PUK remedy', async () => {
    await plug(0, 'cps3', 'blocked');
    const run = await diagnose();
    const pin = find(run, 'cps.pin');
    expect(pin?.status).toBe('fail');
    expect(pin?.remedy?.fr).toMatch(/code de déblocage \(PUK/);
    expect(run.trace.list().every((e) => !/^00 2[04C] /.test(e.command) || e.command.split(' ').length <= 5 || e.redacted)).toBe(true);
    await unplugAll();
  });

  it('an expired card (variant expired) → cps.certificate fails', async () => {
    await plug(0, 'cps3', 'expired');
    const run = await diagnose();
    const cert = find(run, 'cps.certificate');
    expect(cert?.status).toBe('fail');
    expect(cert?.explanation.fr).toMatch(/a expiré le/);
    await unplugAll();
  });

  it('`ecps diagnose --json --html` (child process): exit 15 on a Vitale in the CPS slot; the HTML is sane and masked', async () => {
    await plug(0, 'vitale2');
    await plug(1, 'cps3');
    const file = path.join(tempDir('ecps-diag-'), 'rapport.html');
    // --state-dir: the strategies the ladder learns stay in the test's folder, not in ~/.config.
    const run = await runCli(['diagnose', '--json', '--html', file, '--state-dir', tempDir('ecps-diag-state-')]);
    expect(run.code, run.stderr).toBe(EXIT.diagnosticsFailed);
    const report = jsonLines(run.stdout)[0] as { summary: { fail: number }; readers: { name: string }[]; cards: { holder?: { surname: string } }[] };
    expect(report.summary.fail).toBeGreaterThan(0);
    expect(report.readers.map((r) => r.name)).toEqual(SLOT);
    const html = readFileSync(file, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('Cartes inversées');
    expect(html).not.toMatch(/<script|DUPONT/);
    expect(html).toContain('D***');
    await unplugAll();
  });

  it('pcscd stopped → pcsc.service fails with its remedy (and `ecps diagnose` exits 15)', async () => {
    await rig.stopService();
    await until('the port to see the service down', () => !port.serviceAvailable());
    const run = await diagnose();
    const service = find(run, 'pcsc.service');
    expect(service?.status).toBe('fail');
    expect(service?.remedy?.fr).toMatch(/pcscd/);
    expect(find(run, 'pcsc.readers')?.status).toBe('skipped');
    const cli = await runCli(['diagnose', '--json', '--state-dir', tempDir('ecps-diag-state-')]);
    expect(cli.code, cli.stderr).toBe(EXIT.diagnosticsFailed);
    const report = jsonLines(cli.stdout)[0] as { checks: { id: string; status: string; remedy?: string }[] };
    expect(report.checks.find((c) => c.id === 'pcsc.service')).toMatchObject({ status: 'fail' });
  });
});
