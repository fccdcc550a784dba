/**
 * The proof issue 10 asks for, on a private pcscd with the DEFAULT virtual CPS3: while the
 * companion runs and watches the reader (its own process: web shell, real PC/SC port, live
 * monitor — `node bin/start.mjs --no-open`), a real TLS client — curl through OpenSSL's libp11
 * engine and OpenSC's `opensc-pkcs11.so`, PIN on standard input — logs in to the local portal
 * stand-in with the card's authentication key, and the server reports the holder.
 *
 * And what makes that possible, measured at the card and on PC/SC: the companion connects in
 * shared mode (another application's shared connection works during its operations, an
 * exclusive one is refused then), holds no transaction across an operation (another
 * application's command is answered in the middle of it), and lets go of the card within 1 s
 * of its last command (an exclusive connection succeeds by then). A login started while the
 * companion is in the middle of an operation either succeeds or fails with a clear message —
 * never hangs — and the card is fine afterwards.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPcscReaderPort } from '../../native-bindings/pcsc';
import { createVirtualCard } from '../../simulators/cards/catalog';
import { withSandboxCredentials } from '../../simulators/cards/cps-catalog';
import { DEFAULT_PIN } from '../../simulators/cards/cps-personalisation';
import { VpcdSlot } from '../../simulators/cards/vpcd-bridge';
import type { CardReply, VirtualCard } from '../../simulators/cards/virtual-card';
import { isEcpsError } from '../../src-shared/errors';
import type { ReaderPort } from '../../src-shared/reader-port';
import { startPortalTestServer, type PortalTestServer } from '../../src-main/portal-test/portal-server';
import {
  commandExists,
  CPS_AUTHENTICATION_KEY_ID,
  findOpenscModule,
  findPkcs11Engine,
  runPkcs11Client,
  writeOpensslConfig,
  type ClientPlan,
} from '../../src-main/portal-test/pkcs11-client';
import { jsonLines, runCli } from '../support/cli';
import { startCompanion, type RunningCompanion } from '../support/companion-process';
import { startPcscRig, type PcscRig } from '../support/pcscd-rig';

const INSTALL = 'sudo apt-get install -y opensc libengine-pkcs11-openssl curl';
const GET_CHALLENGE = Uint8Array.of(0x00, 0x84, 0x00, 0x00, 0x08);

/** The default CPS3, with every command time-stamped at the card and an adjustable delay. */
class RecordingCard implements VirtualCard {
  readonly commands: { at: number; ins: number }[] = [];
  delayMs = 0;
  constructor(private readonly card: VirtualCard) {}
  get label() {
    return this.card.label;
  }
  atr() {
    return this.card.atr();
  }
  powerOn() {
    this.card.powerOn();
  }
  powerOff() {
    this.card.powerOff();
  }
  reset() {
    this.card.reset();
  }
  async transmit(command: Uint8Array): Promise<CardReply> {
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    const reply = await this.card.transmit(command);
    this.commands.push({ at: performance.now(), ins: command[1]! });
    return reply;
  }
  lastCommandAt(): number {
    return this.commands.at(-1)?.at ?? 0;
  }
}

let rig: PcscRig;
let slot: VpcdSlot | undefined;
let card: RecordingCard;
let companion: RunningCompanion | undefined;
let server: PortalTestServer | undefined;
let probe: ReaderPort | undefined;
let workDir: string;
let plan: ClientPlan;
let reader: string;

beforeAll(async () => {
  const missing = [!commandExists('curl') && 'curl', !findPkcs11Engine() && 'libengine-pkcs11-openssl', !findOpenscModule() && 'opensc'].filter(Boolean);
  if (missing.length > 0) throw new Error(`The PKCS#11 TLS login test needs ${missing.join(', ')}. Install with:\n  ${INSTALL}`);
  workDir = mkdtempSync(path.join(tmpdir(), 'ecps-portal-login-'));
  rig = await startPcscRig();
  reader = rig.readerNames[0];
  card = new RecordingCard(createVirtualCard('cps3', await withSandboxCredentials()));
  slot = new VpcdSlot(card, { port: rig.vpcdPort, slot: 0 });
  await slot.insert();

  companion = await startCompanion({ PCSCLITE_CSOCK_NAME: rig.socketPath });
  server = await startPortalTestServer();
  const caFile = path.join(workDir, 'ca.pem');
  writeFileSync(caFile, server.caPem);
  const opensslConfig = path.join(workDir, 'openssl.cnf');
  writeOpensslConfig(opensslConfig, findPkcs11Engine()!, findOpenscModule()!);
  plan = { url: server.url, caFile, opensslConfig, keyId: CPS_AUTHENTICATION_KEY_ID };

  probe = createPcscReaderPort({ connectTimeoutMs: 3000 });
  await probe.start();
  // The companion has seen the card (its monitor looked at it once, in shared mode).
  const deadline = Date.now() + 15_000;
  for (;;) {
    const list = await companion.call('readers.list');
    const view = (list.result as { readers: { name: string; card?: { isCps: boolean } }[] } | undefined)?.readers.find((r) => r.name === reader);
    if (view?.card?.isCps) break;
    if (Date.now() > deadline) throw new Error(`the companion never saw the CPS:\n${JSON.stringify(list)}\n${companion.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}, 90_000);

afterAll(async () => {
  await probe?.stop();
  await server?.close();
  await companion?.stop();
  await slot?.remove();
  await rig?.dispose();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const pin = () => new TextEncoder().encode(DEFAULT_PIN);

/** Tries EXCLUSIVE connections until one works: the moment nobody else holds the card. */
async function firstExclusiveConnect(timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      const c = await probe!.connect(reader, { share: 'exclusive' });
      const at = performance.now();
      await c.disconnect();
      return at;
    } catch (error) {
      if (!isEcpsError(error, 'SharingViolation') || performance.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

describe('TLS login with the card through OpenSC while the companion watches the reader', () => {
  it('the companion watches the CPS over real PC/SC (not the demo reader)', async () => {
    const list = await companion!.call('readers.list');
    expect(list.ok).toBe(true);
    expect(list.result).toMatchObject({ demo: false, serviceUp: true });
    const status = await companion!.call('pin.status', { reader });
    expect(status).toMatchObject({ ok: true, result: { pin: { triesLeft: 3 } } });
  }, 30_000);

  for (const channel of ['card.inspect', 'pin.status'] as const) {
    it(`${channel}: shared access, no transaction across the operation, card released within 1 s`, async () => {
      card.delayMs = 60; // every command takes 60 ms more: the operation lasts long enough to look inside
      const before = card.commands.length;
      let opEnd = 0;
      const op = companion!.call(channel, { reader }).then((reply) => {
        opEnd = performance.now();
        return reply;
      });
      try {
        while (card.commands.length === before) await new Promise((r) => setTimeout(r, 2));
        // In the middle of it: another application's shared connection works, and its command
        // is answered before the companion's operation ends (no transaction spans it)…
        const shared = await probe!.connect(reader, { share: 'shared' });
        const answer = await shared.transmit(GET_CHALLENGE);
        const answeredAt = performance.now();
        await shared.disconnect();
        expect(answer.subarray(-2)).toEqual(Uint8Array.of(0x90, 0x00));
        // …while an exclusive one is refused: the companion does hold a (shared) connection now.
        const exclusive = await probe!.connect(reader, { share: 'exclusive' }).then(
          async (c) => {
            await c.disconnect();
            return 'connected';
          },
          (e: unknown) => (isEcpsError(e) ? e.code : String(e)),
        );
        const reply = await op;
        expect(reply.ok, JSON.stringify(reply)).toBe(true);
        expect(answeredAt).toBeLessThan(opEnd);
        expect(exclusive).toBe('SharingViolation');
      } finally {
        card.delayMs = 0;
        await op;
      }
      // After it: measured from the companion's last command at the card to the first moment
      // another application gets the card to itself.
      const free = await firstExclusiveConnect(5_000);
      const companionLast = card.lastCommandAt();
      expect(free - companionLast).toBeLessThan(1_000);
    }, 60_000);
  }

  it('curl + libp11 + opensc-pkcs11.so logs in with CPS_PRIV_AUT (PIN on stdin); the server reports the holder', async () => {
    const before = server!.logins.length;
    const firstCommand = card.commands.length;
    const run = await runPkcs11Client(plan, pin(), { timeoutMs: 60_000, env: { ...process.env, PCSCLITE_CSOCK_NAME: rig.socketPath } });
    expect(run.exitCode, `${run.error}\n${run.body}`).toBe(0);
    const login = server!.logins[before];
    expect(login).toMatchObject({
      accepted: true,
      holder: { surname: 'DUPONT', givenName: 'Marie', rpps: '99700000013', profession: 'Pharmacien' },
      tls: { protocol: 'TLSv1.2' },
    });
    expect(JSON.parse(run.body)).toMatchObject({ accepted: true, holder: { surname: 'DUPONT' } });
    // The card itself signed: VERIFY, then INTERNAL AUTHENTICATE with the authentication key.
    const ins = card.commands.slice(firstCommand).map((c) => c.ins);
    expect(ins).toContain(0x20);
    expect(ins).toContain(0x88);
    // The companion still watches and still reads the card, no try spent.
    const status = await companion!.call('pin.status', { reader });
    expect(status).toMatchObject({ ok: true, result: { pin: { triesLeft: 3, blocked: false } } });
  }, 90_000);

  it('`ecps portal-test --client --pin-stdin` (what a technician runs) logs in too, with the companion running', async () => {
    const r = await runCli(['portal-test', '--client', '--pin-stdin', '--json', '--reader', reader], { stdin: `${DEFAULT_PIN}\n`, timeoutMs: 90_000 });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const [listening, login] = jsonLines(r.stdout);
    expect(listening).toMatchObject({ event: 'listening' });
    expect(login).toMatchObject({ event: 'login', accepted: true, holder: { surname: 'DUPONT', rpps: '99700000013', profession: 'Pharmacien' } });
  }, 120_000);

  it('a login started while the companion is in the middle of an operation succeeds or fails clearly, never hangs', async () => {
    card.delayMs = 40;
    const before = server!.logins.length;
    let outcome: { login: Awaited<ReturnType<typeof runPkcs11Client>>; companion: Awaited<ReturnType<RunningCompanion['call']>> };
    try {
      const op = companion!.call('card.inspect', { reader });
      while (card.commands.length === 0) await new Promise((r) => setTimeout(r, 2));
      const login = runPkcs11Client(plan, pin(), { timeoutMs: 60_000, env: { ...process.env, PCSCLITE_CSOCK_NAME: rig.socketPath } });
      outcome = { login: await login, companion: await op };
    } finally {
      card.delayMs = 0;
    }
    expect(outcome.login.timedOut).toBe(false);
    if (outcome.login.exitCode === 0) {
      expect(server!.logins[before]).toMatchObject({ accepted: true, holder: { surname: 'DUPONT' } });
    } else {
      expect(outcome.login.error).toMatch(/curl: \(\d+\)/);
    }
    expect(outcome.companion.ok || typeof outcome.companion.error?.code === 'string').toBe(true);
    // Whatever happened, the card is fine: the next login works and no PIN try was lost.
    const again = await runPkcs11Client(plan, pin(), { timeoutMs: 60_000, env: { ...process.env, PCSCLITE_CSOCK_NAME: rig.socketPath } });
    expect(again.exitCode, `${again.error}`).toBe(0);
    const status = await companion!.call('pin.status', { reader });
    expect(status).toMatchObject({ ok: true, result: { pin: { triesLeft: 3 } } });
  }, 120_000);
});
