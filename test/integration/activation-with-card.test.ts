/**
 * Issue 4 §6, end to end: `ecps activate --json --stdin` and `ecps phone --json --stdin` as
 * child processes, over a private pcscd with the vpcd reader and a virtual CPS3 holding sandbox
 * credentials, talking to the standalone sandbox authority over HTTP and to each other over a
 * real websocket (direct, or the authority's relay). The phone's `code` event is typed into
 * activate's stdin, as a user would. Hostile at the flow level: 3 wrong codes, card pulled,
 * authority down.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPcscReaderPort } from '../../native-bindings/pcsc';
import { createVirtualCardWithCredentials } from '../../simulators/cards/catalog';
import { VpcdSlot } from '../../simulators/cards/vpcd-bridge';
import { startAuthorityServer, type AuthorityServer } from '../../simulators/authority/index';
import type { ReaderPort } from '../../src-shared/reader-port';
import { spawnCli, type CliChild } from '../support/cli';
import { startPcscRig, type PcscRig } from '../support/pcscd-rig';

const PIN = '4817';
const PASSWORD = '4827';
let rig: PcscRig;
let port: ReaderPort;
let reader: string;
let authority: AuthorityServer;
let card: VpcdSlot | undefined;
const children: CliChild[] = [];

async function until(what: string, check: () => boolean, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}. pcscd said:\n${rig.log()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
const present = () => port.readers().find((r) => r.name === reader)?.cardPresent === true;

async function plugCard(): Promise<void> {
  const virtual = await createVirtualCardWithCredentials('cps3', { pin: PIN });
  card = new VpcdSlot(virtual, { port: rig.vpcdPort, slot: 0, stayInserted: false });
  await card.insert();
  await until('the CPS in the reader', present);
}

async function unplugCard(): Promise<void> {
  await card?.remove();
  card = undefined;
  await until('the reader empty', () => !present());
}

function spawn(argv: string[]): CliChild {
  const child = spawnCli(argv);
  children.push(child);
  return child;
}

function activate(extra: string[] = [], authorityUrl = authority.url): CliChild {
  return spawn(['activate', '--reader', reader, '--authority', authorityUrl, '--bind', '127.0.0.1', '--json', '--stdin', '--accept-cgu', '--password-iterations', '10000', ...extra]);
}

const write = (child: CliChild, line: string) => child.process.stdin!.write(`${line}\n`);

/** The phone side, start to end, on the QR of `payload`; returns the phone's child. */
async function phoneCompletes(a: CliChild, payload: string, from: number, phoneArgs: string[] = []): Promise<CliChild> {
  const phone = spawn(['phone', payload, '--json', '--stdin', ...phoneArgs]);
  const code = await phone.waitForLine((l) => l.event === 'code', 10_000);
  write(a, String(code.code));
  await a.waitForLine((l) => l.event === 'password-required', 10_000, from);
  write(a, PASSWORD);
  write(a, PASSWORD);
  await phone.waitForLine((l) => l.event === 'password-required', 10_000);
  write(phone, PASSWORD);
  return phone;
}

beforeAll(async () => {
  rig = await startPcscRig();
  reader = rig.readerNames[0];
  port = createPcscReaderPort({ connectTimeoutMs: 3000, transmitTimeoutMs: 3000 });
  await port.start();
  await until('the virtual readers', () => port.readers().length === 2);
  authority = await startAuthorityServer();
}, 30_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await card?.remove().catch(() => undefined);
  await authority?.close();
  await port?.stop();
  await rig?.dispose();
});

describe('ecps activate + ecps phone, with the card', () => {
  it('completes an activation the authority records (direct websocket)', async () => {
    await plugCard();
    try {
      const a = activate();
      write(a, PIN);
      const first = await a.waitForLine((l) => l.event === 'authority', 10_000);
      expect(first).toMatchObject({ kind: 'sandbox', url: authority.url });
      const qr = await a.waitForLine((l) => l.event === 'qr', 15_000);
      const phone = await phoneCompletes(a, String(qr.payload), 0);
      const [ra, rp] = await Promise.all([a.exited(20_000), phone.exited(20_000)]);
      expect(ra.code, ra.stderr).toBe(0);
      expect(rp.code, rp.stderr).toBe(0);
      const done = a.lines().find((l) => l.event === 'done')!;
      expect(a.lines().find((l) => l.event === 'phone-connected')).toMatchObject({ via: 'direct' });
      const record = await authority.authority.getActivation(String(done.activationId));
      expect(record).toMatchObject({ status: 'completed', mode: 'with-card', idNat: '899700000013' });
      expect(record.phoneKeySha256).toMatch(/^[0-9a-f]{64}$/);
      // No secret in any output.
      for (const text of [ra.stdout, ra.stderr, rp.stdout, rp.stderr]) {
        expect(text).not.toContain(PIN);
        expect(text).not.toContain(PASSWORD);
      }
    } finally {
      await unplugCard();
    }
  }, 45_000);

  it('completes through the authority relay when the phone cannot reach the computer', async () => {
    await plugCard();
    try {
      const a = activate();
      write(a, PIN);
      const auth = await a.waitForLine((l) => l.event === 'authority', 10_000);
      expect(String(auth.relayUrl)).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/relay\/$/);
      const qr = await a.waitForLine((l) => l.event === 'qr', 15_000);
      const phone = await phoneCompletes(a, String(qr.payload), 0, ['--relay-only']);
      const [ra, rp] = await Promise.all([a.exited(20_000), phone.exited(20_000)]);
      expect(ra.code, ra.stderr).toBe(0);
      expect(rp.code, rp.stderr).toBe(0);
      expect(phone.lines()[0]).toMatchObject({ event: 'connected', via: 'relay' });
      expect(a.lines().find((l) => l.event === 'phone-connected')).toMatchObject({ via: 'relay' });
    } finally {
      await unplugCard();
    }
  }, 45_000);

  it('3 wrong codes: the link is dropped, a new QR is shown, and the phone then completes', async () => {
    await plugCard();
    try {
      const a = activate();
      write(a, PIN);
      const qr1 = await a.waitForLine((l) => l.event === 'qr', 15_000);
      const intruder = spawn(['phone', String(qr1.payload), '--json', '--stdin']);
      const real = await intruder.waitForLine((l) => l.event === 'code', 10_000);
      const wrong = String((Number(real.code) + 1) % 1_000_000).padStart(6, '0');
      for (let i = 0; i < 3; i++) {
        const from = a.lines().length;
        write(a, wrong);
        await a.waitForLine((l) => l.event === 'error' && /PairingCode/.test(String(l.code)), 10_000, from);
      }
      const exhausted = a.lines().filter((l) => l.event === 'error').map((l) => l.code);
      expect(exhausted).toEqual(['PairingCodeIncorrect', 'PairingCodeIncorrect', 'PairingCodeAttemptsExhausted']);
      const from = a.lines().length;
      const qr2 = await a.waitForLine((l) => l.event === 'qr', 10_000, from - 3);
      expect(qr2.payload).not.toBe(qr1.payload);
      expect((await intruder.exited(10_000)).code).not.toBe(0);
      const phone = await phoneCompletes(a, String(qr2.payload), from);
      const [ra, rp] = await Promise.all([a.exited(20_000), phone.exited(20_000)]);
      expect(ra.code, ra.stderr).toBe(0);
      expect(rp.code, rp.stderr).toBe(0);
    } finally {
      await unplugCard();
    }
  }, 50_000);

  it('card pulled out while the QR is shown: a clear error, exit 6, no crash, the phone is let go', async () => {
    await plugCard();
    const a = activate();
    write(a, PIN);
    const qr = await a.waitForLine((l) => l.event === 'qr', 15_000);
    const phone = spawn(['phone', String(qr.payload), '--json', '--stdin']);
    await phone.waitForLine((l) => l.event === 'code', 10_000);
    await unplugCard();
    const ra = await a.exited(15_000);
    expect(ra.code, ra.stderr).toBe(6);
    const error = a.lines().find((l) => l.event === 'error')!;
    expect(error).toMatchObject({ code: 'CardRemoved' });
    expect(String(error.remedy)).toMatch(/Réinsérez la carte/);
    expect(ra.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    expect((await phone.exited(10_000)).code).toBe(14);
  }, 40_000);

  it('authority down: a clear error naming the authority, with the remedy, exit 13, the card untouched', async () => {
    const down = await startAuthorityServer();
    const url = down.url;
    await down.close();
    const a = activate([], url);
    a.process.stdin!.end();
    const ra = await a.exited(20_000);
    expect(ra.code, ra.stdout + ra.stderr).toBe(13);
    const doc = a.lines()[0]!;
    expect(doc).toMatchObject({ error: { code: 'AuthorityUnreachable' } });
    expect(JSON.stringify(doc)).toContain(url);
    expect(String((doc.error as { remedy?: string }).remedy)).toMatch(/connexion Internet/);
  }, 30_000);

  it('authority going down mid-activation: retried, then a clear error with the remedy (exit 13)', async () => {
    await plugCard();
    const flaky = await startAuthorityServer();
    try {
      const a = activate([], flaky.url);
      write(a, PIN);
      const qr = await a.waitForLine((l) => l.event === 'qr', 15_000);
      const phone = spawn(['phone', String(qr.payload), '--json', '--stdin']);
      const code = await phone.waitForLine((l) => l.event === 'code', 10_000);
      write(a, String(code.code));
      await a.waitForLine((l) => l.event === 'password-required', 10_000);
      await flaky.close();
      write(a, PASSWORD);
      write(a, PASSWORD);
      await phone.waitForLine((l) => l.event === 'password-required', 10_000);
      write(phone, PASSWORD);
      const ra = await a.exited(25_000);
      expect(ra.code, ra.stdout + ra.stderr).toBe(13);
      const steps = a.lines().filter((l) => l.event === 'state').map((l) => l.step);
      expect(steps.filter((s) => s === 'authority-error').length).toBe(3); // first failure + 2 retries
      const error = a.lines().filter((l) => l.event === 'error').pop()!;
      expect(error).toMatchObject({ code: 'AuthorityUnreachable', step: 'registering-phone' });
      expect(String(error.message)).toContain(flaky.url);
      expect(String(error.remedy)).toMatch(/connexion Internet/);
    } finally {
      await flaky.close().catch(() => undefined);
      await unplugCard();
    }
  }, 50_000);
});
