/**
 * A real client nobody here wrote, reading our card: OpenSC (Debian `opensc`) talks to the
 * virtual CPS3 through a private pcscd + vpcd, with its own IAS-ECC driver ("IAS/ECC CPx",
 * card-iasecc.c) and PKCS#15 layer.
 *
 * What OpenSC does with the card (0.23): EF.ATR 3F00/2F01 (pre-issuing data 46, I/O buffer
 * sizes E0, MF name 4F), SELECT of that MF name with P2 = 04, READ BINARY by SFI 1C (serial),
 * EF.DIR, then the application by its EF.DIR path 3F00/0001, ODF 5031, TokenInfo 5032, CDF
 * and the certificate EFs; every FCP must carry IAS-ECC security attributes (8C).
 *
 * `--aid` is needed: OpenSC's dir.c moves "known" applications to the head of its list with
 * an index that only moves on a swap, so with "CPX IAS" then "CPX IAS CL" in EF.DIR it binds
 * to the contactless one, whose DF this card reaches by AID only (and AIDs with P2 = 04 get
 * 6A86 on a CPx).
 */
import { spawn, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withSandboxCredentials } from '../../simulators/cards/cps-catalog';
import { createCps3, CPX_AID } from '../../simulators/cards/cps3';
import { VpcdSlot } from '../../simulators/cards/vpcd-bridge';
import { toHex } from '../../src-shared/hex';
import { startPcscRig, type PcscRig } from '../support/pcscd-rig';

const OPENSC_HINT = 'OpenSC is missing. Install it with:\n  sudo apt-get install -y opensc';
const AID = toHex(CPX_AID, '');

let rig: PcscRig;
let slot: VpcdSlot | undefined;
let certificates: { authentication: Uint8Array; signature: Uint8Array };

/** Runs an OpenSC tool against the rig's pcscd; asynchronous, since the card answers in this process. */
function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, PCSCLITE_CSOCK_NAME: rig.socketPath, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  for (const tool of ['opensc-tool', 'pkcs15-tool']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) throw new Error(`${tool} not found. ${OPENSC_HINT}`);
  }
  rig = await startPcscRig();
  const options = await withSandboxCredentials();
  certificates = {
    authentication: options.credentials!.authentication.certificateDer,
    signature: options.credentials!.signature.certificateDer,
  };
  // efDirPaths: EF.DIR gives 3F00/0001 for "CPX IAS" (see cps3.ts efDirContent).
  slot = new VpcdSlot(createCps3({ ...options, efDirPaths: true }), { port: rig.vpcdPort, slot: 0 });
  await slot.insert();
  // Wait for pcscd to see the card (opensc-tool -a prints the ATR once it is there).
  const deadline = Date.now() + 10_000;
  for (;;) {
    const atr = await run('opensc-tool', ['--reader', '0', '--atr']);
    if (atr.code === 0) break;
    if (Date.now() > deadline) throw new Error(`The virtual CPS3 never showed up in pcscd:\n${atr.stderr}\n${rig.log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}, 60_000);

afterAll(async () => {
  await slot?.remove();
  await rig?.dispose();
});

describe('OpenSC reads the virtual CPS3 through pcscd', () => {
  it('opensc-tool --name: the IAS-ECC driver matches the ATR as an "IAS/ECC CPx" and initialises', async () => {
    const r = await run('opensc-tool', ['--reader', '0', '--name'], { OPENSC_DEBUG: '3' });
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    expect(r.stdout.trim()).toBe('IAS-ECC'); // card->name: the driver's, for built-in ATRs
    expect(r.stderr).toContain("'IAS/ECC CPx' card matched");
    expect(r.stderr).toMatch(/card info name:'IAS-ECC', type:25007/); // SC_CARD_TYPE_IASECC_CPX
  }, 60_000);

  it('pkcs15-tool --list-certificates lists the two certificates of the holder', async () => {
    const r = await run('pkcs15-tool', ['--reader', '0', '--aid', AID, '--list-certificates']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("X.509 Certificate [Certificat d'Authentification CPS]");
    expect(r.stdout).toContain('X.509 Certificate [Certificat de Signature CPS]');
    const ids = [...r.stdout.matchAll(/ID\s+:\s+([0-9a-f]+)/g)].map((m) => m[1]!);
    expect(ids).toHaveLength(2);

    // Each certificate OpenSC reads is ours, byte for byte, with the test holder's subject.
    const expected = [certificates.authentication, certificates.signature].map((der) => new X509Certificate(der));
    const read: X509Certificate[] = [];
    for (const id of ids) {
      const pem = await run('pkcs15-tool', ['--reader', '0', '--aid', AID, '--read-certificate', id]);
      expect(pem.code, pem.stderr).toBe(0);
      read.push(new X509Certificate(pem.stdout));
    }
    for (const cert of read) {
      expect(expected.some((e) => e.fingerprint256 === cert.fingerprint256)).toBe(true);
      expect(cert.subject).toMatch(/SN=DUPONT/);
      expect(cert.subject).toMatch(/GN=Marie/);
    }
    expect(new Set(read.map((c) => c.fingerprint256)).size).toBe(2);
  }, 60_000);

  it('pkcs15-tool --list-pins lists the holder PIN and the PUK', async () => {
    const r = await run('pkcs15-tool', ['--reader', '0', '--aid', AID, '--list-pins']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('PIN [Code porteur]');
    expect(r.stdout).toContain('PIN [Code de deblocage]');
  }, 60_000);
});
