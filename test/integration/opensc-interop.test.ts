/**
 * A real client nobody here wrote, using our card: OpenSC (Debian `opensc`) talks to the
 * DEFAULT virtual CPS3 — the card `ecps simulate cps3` plugs and the demo reader holds —
 * through a private pcscd + vpcd, with its own IAS-ECC driver ("IAS/ECC CPx", card-iasecc.c),
 * its PKCS#15 layer and its PKCS#11 module, with no option or configuration for our sake.
 *
 * What OpenSC does with the card (0.23): EF.ATR 3F00/2F01, SELECT of the MF name with P2 = 04,
 * READ BINARY by SFI 1C (serial), EF.DIR, then the contact application by AID with P2 = 04,
 * ODF, TokenInfo (its algorithm list replaces the references the CPx PrKDF lacks), CDF and
 * the certificate EFs; for the PIN, SELECT 3F00 by FID then GET DATA of the CHV SDO; before a
 * key operation, GET DATA of the key SDO from 3F00/0001 (6A86 for its private part, then its
 * DOCP), MSE SET, INTERNAL AUTHENTICATE or PSO DECIPHER (cps3.ts says where each answer comes
 * from).
 *
 * Not tested here because OpenSC cannot: the non-repudiation key (PSO CDS) through OpenSC
 * built with OpenSSL 3 — card-iasecc.c computes the partial hash IAS-ECC needs only with
 * OpenSSL < 3 (`iasecc_qsign_data_sha1/sha256` return "not supported"), for every IAS-ECC card.
 * The companion's own path signs with it (cps3-crypto tests).
 */
import { spawn, spawnSync } from 'node:child_process';
import { constants, publicEncrypt, publicDecrypt, randomBytes, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualCard } from '../../simulators/cards/catalog';
import { withSandboxCredentials } from '../../simulators/cards/cps-catalog';
import { DEFAULT_PIN } from '../../simulators/cards/cps-personalisation';
import { VpcdSlot } from '../../simulators/cards/vpcd-bridge';
import { startPcscRig, type PcscRig } from '../support/pcscd-rig';

const OPENSC_HINT = 'OpenSC is missing. Install it with:\n  sudo apt-get install -y opensc';
/**
 * pkcs11-tool reads a typed PIN only from a terminal; `--pin env:NAME` takes it from the
 * environment, so the PIN is never on a command line (visible to every process).
 */
const LOGIN = ['--login', '--pin', 'env:ECPS_TEST_PIN'];
const PIN_ENV = { env: { ECPS_TEST_PIN: DEFAULT_PIN } };
/** CPS_PRIV_AUT's PKCS#15 iD (OpenSC issue #2267's dump of a real CPx). */
const AUTH_KEY_ID = 'e828bd080f8025000001ff001002';

let rig: PcscRig;
let slot: VpcdSlot | undefined;
let certificates: { authentication: Uint8Array; signature: Uint8Array };
let workDir: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs an OpenSC tool against the rig's pcscd; asynchronous, since the card answers in this process. */
function run(cmd: string, args: string[], options: { env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, PCSCLITE_CSOCK_NAME: rig.socketPath, ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('latin1')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end();
  });
}

beforeAll(async () => {
  for (const tool of ['opensc-tool', 'pkcs15-tool', 'pkcs11-tool']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) throw new Error(`${tool} not found. ${OPENSC_HINT}`);
  }
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecps-opensc-'));
  rig = await startPcscRig();
  // The default card, built as `ecps simulate cps3` builds it (catalog + sandbox PKI).
  const options = await withSandboxCredentials();
  certificates = {
    authentication: options.credentials!.authentication.certificateDer,
    signature: options.credentials!.signature.certificateDer,
  };
  slot = new VpcdSlot(createVirtualCard('cps3', options), { port: rig.vpcdPort, slot: 0 });
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
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

describe('OpenSC binds the default virtual CPS3 through pcscd, without options', () => {
  it('opensc-tool --name: the IAS-ECC driver matches the ATR as an "IAS/ECC CPx" and initialises', async () => {
    const r = await run('opensc-tool', ['--reader', '0', '--name'], { env: { OPENSC_DEBUG: '3' } });
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    expect(r.stdout.trim()).toBe('IAS-ECC'); // card->name: the driver's, for built-in ATRs
    expect(r.stderr).toContain("'IAS/ECC CPx' card matched");
    expect(r.stderr).toMatch(/card info name:'IAS-ECC', type:25007/); // SC_CARD_TYPE_IASECC_CPX
  }, 60_000);

  it('pkcs15-tool -c (no --aid) binds the contact application and lists the holder\'s two certificates', async () => {
    const r = await run('pkcs15-tool', ['--reader', '0', '--list-certificates']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("X.509 Certificate [Certificat d'Authentification CPS]");
    expect(r.stdout).toContain('X.509 Certificate [Certificat de Signature CPS]');
    expect(r.stdout).toContain('e828bd080f8025000001ff0010::'); // bound by the contact AID
    const ids = [...r.stdout.matchAll(/ID\s+:\s+([0-9a-f]+)/g)].map((m) => m[1]!);
    expect(ids).toHaveLength(2);

    // Each certificate OpenSC reads is ours, byte for byte, with the test holder's subject.
    const expected = [certificates.authentication, certificates.signature].map((der) => new X509Certificate(der));
    const read: X509Certificate[] = [];
    for (const id of ids) {
      const pem = await run('pkcs15-tool', ['--reader', '0', '--read-certificate', id]);
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
    const r = await run('pkcs15-tool', ['--reader', '0', '--list-pins']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('PIN [Code porteur]');
    expect(r.stdout).toContain('PIN [Code de deblocage]');
  }, 60_000);

  it('pkcs15-tool --list-keys shows the keys as on a real CPx: references 82 / 81, path = the AID alone', async () => {
    const r = await run('pkcs15-tool', ['--reader', '0', '--list-keys']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Private RSA Key [CPS_PRIV_AUT]');
    expect(r.stdout).toContain('Private RSA Key [CPS_PRIV_SIG]');
    expect(r.stdout).toMatch(/Key ref\s+: 130 \(0x82\)/);
    expect(r.stdout).toMatch(/Key ref\s+: 129 \(0x81\)/);
    // OpenSC issue #2267's dump of a test CPx prints exactly this path for both keys.
    expect(r.stdout.match(/Path\s+: e828bd080f8025000001ff0010::\n/g)).toHaveLength(2);
  }, 60_000);

  it('pkcs11-tool -L: OpenSC\'s PKCS#11 module recognises the token in the CPS slot', async () => {
    const r = await run('pkcs11-tool', ['--list-slots']);
    expect(r.code, r.stderr).toBe(0);
    const slot0 = r.stdout.slice(r.stdout.indexOf('Slot 0'), r.stdout.indexOf('Slot 1'));
    expect(slot0).not.toContain('token not recognized');
    expect(slot0).toMatch(/token label\s+: CPS \(Code porteur\)/);
    expect(slot0).toMatch(/token flags\s+: login required/);
  }, 60_000);

  it('pkcs11-tool -O: the certificates, and after login the two private keys', async () => {
    const before = await run('pkcs11-tool', ['--list-objects', '--type', 'cert']);
    expect(before.code, before.stderr).toBe(0);
    expect(before.stdout).toContain("label:      Certificat d'Authentification CPS");
    expect(before.stdout).toContain('label:      Certificat de Signature CPS');

    const after = await run('pkcs11-tool', [...LOGIN, '--list-objects', '--type', 'privkey'], PIN_ENV);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toContain('label:      CPS_PRIV_AUT');
    expect(after.stdout).toContain('label:      CPS_PRIV_SIG');
    expect(after.stdout).toContain(`ID:         ${AUTH_KEY_ID}`);
  }, 60_000);

  it('the authentication key signs through PKCS#11 (RSA-PKCS), verifiable with its certificate', async () => {
    const input = path.join(workDir, 'digest-info.bin');
    const output = path.join(workDir, 'signature.bin');
    // A SHA-256 DigestInfo, as a TLS 1.2 client signs it (RFC 8017 §9.2).
    const digestInfo = Buffer.concat([Buffer.from('3031300d060960864801650304020105000420', 'hex'), randomBytes(32)]);
    fs.writeFileSync(input, digestInfo);
    const r = await run(
      'pkcs11-tool',
      [...LOGIN, '--sign', '--id', AUTH_KEY_ID, '--mechanism', 'RSA-PKCS', '--input-file', input, '--output-file', output],
      PIN_ENV,
    );
    expect(r.code, r.stderr).toBe(0);
    const signature = fs.readFileSync(output);
    expect(signature).toHaveLength(256);
    const publicKey = new X509Certificate(certificates.authentication).publicKey;
    expect(publicDecrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, signature).equals(digestInfo)).toBe(true);
  }, 60_000);

  it('the authentication key deciphers through PKCS#11 (RSA-PKCS)', async () => {
    const secret = randomBytes(32);
    const publicKey = new X509Certificate(certificates.authentication).publicKey;
    const input = path.join(workDir, 'cipher.bin');
    const output = path.join(workDir, 'plain.bin');
    fs.writeFileSync(input, publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, secret));
    const r = await run(
      'pkcs11-tool',
      [...LOGIN, '--decrypt', '--id', AUTH_KEY_ID, '--mechanism', 'RSA-PKCS', '--input-file', input, '--output-file', output],
      PIN_ENV,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(output).equals(secret)).toBe(true);
  }, 60_000);
});
