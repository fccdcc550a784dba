/**
 * A whole activation WITH the card through the real IPC handlers (what the web shell's page
 * drives), on the demo reader, with the real PairingSession on loopback and the reference
 * phone (PhoneClient) — plus the hostile moves an attacker on the LAN can make on the QR.
 */
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { createDemoPort, resetDemoCards } from '../../../src-main/reader/demo';
import { createIpcServices, type IpcServices } from '../../../src-main/ipc/handlers';
import { createValidatedDispatcher, type IpcDispatcher } from '../../../src-main/ipc/validated';
import { nodePairingCrypto } from '../../../src-main/pairing/crypto';
import { decodeQrPayload, toBase64Url } from '../../../src-shared/pairing-protocol';
import { PhoneClient } from '../../../simulators/phone/protocol-client';
import type { InProcessReader } from '../../../simulators/cards/in-process-reader';

export const PASSWORD = '4827';
type UiEvent = Record<string, unknown> & { type: string };

export interface ActivationRig {
  events: UiEvent[];
  call(channel: string, payload: unknown): Promise<Record<string, unknown>>;
  /** Resolves with the n-th `qr` event's payload (1-based). */
  qr(n: number): Promise<string>;
  waitFor(predicate: (e: UiEvent) => boolean, from?: number, timeoutMs?: number): Promise<UiEvent>;
  close(): Promise<void>;
}

export async function startActivation(): Promise<ActivationRig> {
  resetDemoCards();
  const port: InProcessReader = await createDemoPort();
  await port.start();
  const services: IpcServices = createIpcServices({ port, demo: true, shell: 'web', pairing: { bindAddress: '127.0.0.1', passwordIterations: 10_000 } });
  const dispatcher: IpcDispatcher = createValidatedDispatcher(services.handlers);
  const events: UiEvent[] = [];
  services.events.subscribe((event, payload) => {
    if (event === 'activation.event') events.push((payload as { event: UiEvent }).event);
  });
  const call = async (channel: string, payload: unknown) => {
    const reply = await dispatcher.dispatch(channel, payload);
    if (!reply.ok) throw new Error(`${channel}: ${JSON.stringify(reply.error)}`);
    return reply.result as Record<string, unknown>;
  };
  const waitFor = async (predicate: (e: UiEvent) => boolean, from = 0, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = events.slice(from).find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no such activation event; got ${events.map((e) => e.type).join(', ')}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  await call('activation.start', { flow: 'with-card' });
  await call('pin.verify', { pin: '1234' });
  const cgu = await call('cgu.get', {});
  await call('cgu.accept', { version: cgu.version });
  return {
    events,
    call,
    waitFor,
    async qr(n) {
      await waitFor(() => events.filter((e) => e.type === 'qr').length >= n);
      return String(events.filter((e) => e.type === 'qr')[n - 1]!.payload);
    },
    async close() {
      await call('activation.cancel', {}).catch(() => undefined);
      await services.dispose();
      await port.stop();
    },
  };
}

/** A socket that says a VALID hello (an attacker who photographed the QR), left open. */
export async function helloSocket(qrPayload: string): Promise<WebSocket> {
  const qr = decodeQrPayload(qrPayload);
  const keys = nodePairingCrypto.generateKeyPair();
  const ws = new WebSocket(qr.direct!, { perMessageDeflate: false });
  ws.on('error', () => undefined);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ type: 'hello', v: 1, phoneKey: toBase64Url(keys.publicKey), auth: toBase64Url(nodePairingCrypto.helloAuth(qr.token, keys.publicKey)) }));
  await new Promise((r) => ws.once('message', r)); // the sealed welcome
  return ws;
}

export function connectPhone(qrPayload: string): Promise<PhoneClient> {
  return PhoneClient.connect(qrPayload, { crypto: nodePairingCrypto, connectTimeoutMs: 2_000 });
}

/**
 * The legitimate phone on `qrPayload`, start to `done`: its code typed on the computer, the
 * password chosen there and proved by the phone, its enrolment sent. Resolves with the time
 * from its connection to the `done` event.
 */
export async function legitimatePhoneCompletes(rig: ActivationRig, qrPayload: string): Promise<number> {
  const from = rig.events.length;
  const started = Date.now();
  const phone = await connectPhone(qrPayload);
  phone.on('password-request', () => void phone.answerPassword(PASSWORD));
  phone.on('password-result', ({ ok }: { ok: boolean }) => {
    if (!ok) return;
    const salt = randomBytes(16);
    const verifier = Buffer.concat([salt, pbkdf2Sync(PASSWORD, salt, 10_000, 32, 'sha256')]);
    phone.send('enrolment', { phonePublicKey: randomBytes(32).toString('base64url'), passwordVerifier: verifier.toString('base64url') });
  });
  await new Promise<void>((r) => phone.once('welcome', () => r()));
  await rig.waitFor((e) => e.type === 'code-required', from);
  await rig.call('activation.submitCode', { code: phone.code });
  await rig.waitFor((e) => e.type === 'password-required', from);
  await rig.call('activation.choosePassword', { first: PASSWORD, second: PASSWORD });
  await rig.waitFor((e) => e.type === 'done', from);
  const ms = Date.now() - started;
  phone.close('done');
  return ms;
}

/** TCP servers this process holds (a pairing listener is one). */
export function listeningServers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;
}
