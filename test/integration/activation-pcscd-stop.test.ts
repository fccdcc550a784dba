/**
 * Issue 13 #9: pcscd stops while the QR is shown. Before, nothing happened (no error, no exit
 * within 20 s): the card is not touched while the QR is up, so no card command failed. Now the
 * service going down is an error of its own (ReaderServiceStopped, with the remedy) — in the
 * CLI (exit 3) and through the IPC handlers the app's screens use (the activation goes back to
 * the PIN with that error; the reader status says the service is down).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPcscReaderPort } from '../../native-bindings/pcsc';
import { createVirtualCardWithCredentials } from '../../simulators/cards/catalog';
import { VpcdSlot } from '../../simulators/cards/vpcd-bridge';
import { createIpcServices } from '../../src-main/ipc/handlers';
import { createValidatedDispatcher } from '../../src-main/ipc/validated';
import type { ReaderPort } from '../../src-shared/reader-port';
import { spawnCli, type CliChild } from '../support/cli';
import { startPcscRig, type PcscRig } from '../support/pcscd-rig';

const PIN = '4817';
let rig: PcscRig;
let card: VpcdSlot | undefined;
const children: CliChild[] = [];

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}. pcscd said:\n${rig.log()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function withCard(port: ReaderPort): Promise<void> {
  if (!rig.running) await rig.startService();
  await card?.remove().catch(() => undefined);
  card = new VpcdSlot(await createVirtualCardWithCredentials('cps3', { pin: PIN }), { port: rig.vpcdPort, slot: 0 });
  await card.insert();
  await until('the CPS in the reader', () => port.readers().find((r) => r.name === rig.readerNames[0])?.cardPresent === true);
}

beforeAll(async () => {
  rig = await startPcscRig();
}, 30_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await card?.remove().catch(() => undefined);
  await rig?.dispose();
});

describe('pcscd stopped while the QR is shown (issue 13 #9)', () => {
  it('ecps activate says the PC/SC service stopped, with the remedy, and exits 3', async () => {
    const watcher = createPcscReaderPort({ connectTimeoutMs: 3000, transmitTimeoutMs: 3000 });
    await watcher.start();
    try {
      await withCard(watcher);
    } finally {
      await watcher.stop();
    }
    const a = spawnCli(['activate', '--reader', rig.readerNames[0], '--bind', '127.0.0.1', '--json', '--stdin', '--accept-cgu', '--password-iterations', '10000']);
    children.push(a);
    a.process.stdin!.write(`${PIN}\n`);
    await a.waitForLine((l) => l.event === 'qr', 20_000);
    await rig.stopService();
    const error = await a.waitForLine((l) => l.event === 'error', 10_000);
    expect(error).toMatchObject({ code: 'ReaderServiceStopped' });
    expect(String(error.message)).toMatch(/PC\/SC/);
    expect(String(error.remedy)).toMatch(/pcscd/);
    const result = await a.exited(15_000);
    expect(result.code, result.stderr).toBe(3);
  }, 60_000);

  it('through the IPC handlers (the app): back to the PIN with the error, the reader status says the service is down', async () => {
    const port = createPcscReaderPort({ connectTimeoutMs: 3000, transmitTimeoutMs: 3000 });
    await port.start();
    const services = createIpcServices({ port, demo: false, shell: 'web', pairing: { bindAddress: '127.0.0.1', passwordIterations: 10_000 } });
    const dispatcher = createValidatedDispatcher(services.handlers);
    const activation: Record<string, unknown>[] = [];
    const readers: Record<string, unknown>[] = [];
    services.events.subscribe((event, payload) => {
      if (event === 'activation.event') activation.push((payload as { event: Record<string, unknown> }).event);
      if (event === 'readers.changed') readers.push(payload as Record<string, unknown>);
    });
    const call = async (channel: string, payload: unknown) => {
      const reply = await dispatcher.dispatch(channel, payload);
      if (!reply.ok) throw new Error(`${channel}: ${JSON.stringify(reply.error)}`);
      return reply.result as Record<string, unknown>;
    };
    try {
      await withCard(port);
      await call('readers.list', {}); // the app's own look at the card is over before the exclusive session
      await call('activation.start', { flow: 'with-card', reader: rig.readerNames[0] });
      await call('pin.verify', { reader: rig.readerNames[0], pin: PIN });
      const cgu = await call('cgu.get', {});
      await call('cgu.accept', { version: cgu.version });
      await until('the QR', () => activation.some((e) => e.type === 'qr'), 20_000);
      await rig.stopService();
      await until('the activation error', () => activation.some((e) => e.type === 'error'));
      expect(activation.find((e) => e.type === 'error')).toMatchObject({ code: 'ReaderServiceStopped' });
      await until('the PIN step again', () => activation.some((e) => e.type === 'state' && e.step === 'card-ready'));
      await until('the reader status', () => readers.some((r) => r.serviceUp === false));
    } finally {
      await call('activation.cancel', {}).catch(() => undefined);
      await services.dispose();
      await port.stop();
    }
  }, 60_000);
});
