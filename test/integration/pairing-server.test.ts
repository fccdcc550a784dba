/**
 * The pairing server over real `ws` on loopback: the happy path and every hostile input of
 * issue 4 §6, each refused with nothing broken — the legitimate phone completes afterwards.
 */
import { once } from 'node:events';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PairingClose } from '../../src-shared/pairing-protocol';
import { MAX_FIRST_FRAME_BYTES, MAX_PENDING_PER_PEER } from '../../src-main/pairing/pairing-listener';
import type { PairingSession } from '../../src-main/pairing/pairing-session';
import {
  completePairing,
  connectPhone,
  directUrl,
  helloFor,
  isListening,
  nextQr,
  portOf,
  rawSocket,
  startSession,
  upgradeStatus,
} from '../unit/pairing/harness';

const sessions: PairingSession[] = [];
async function started(options: Parameters<typeof startSession>[0] = {}) {
  const s = await startSession(options);
  sessions.push(s.session);
  return s;
}
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.stop()));
});

describe('pairing server: happy path', () => {
  it('pairs a phone: same code on both sides, password proved without sending it, data both ways', async () => {
    const { session, qrPayload } = await started();
    expect(qrPayload.startsWith('ecps1:')).toBe(true);
    const phone = await completePairing(session, qrPayload);
    expect(phone.via).toBe('direct');
  });

  it('listens only while the QR is shown: the port closes once the phone is in, and after stop()', async () => {
    const { session, qrPayload } = await started();
    const port = portOf(qrPayload);
    expect(await isListening(port)).toBe(true);
    const phone = await connectPhone(qrPayload);
    await phone.next('welcome');
    expect(await isListening(port)).toBe(false);
    const closed = phone.next('closed');
    await session.stop();
    expect((await closed).code).toBe(PairingClose.Stopped);
    expect(session.phase).toBe('stopped');
  });

  it('closes the port after stop() with no phone', async () => {
    const { session, qrPayload } = await started();
    await session.stop();
    expect(await isListening(portOf(qrPayload))).toBe(false);
  });
});

describe('pairing server: hostile inputs, then the legitimate phone still pairs', () => {
  it('wrong token → 4004, same QR still works', async () => {
    const { session, qrPayload } = await started();
    const other = (await started()).qrPayload; // a valid hello for ANOTHER QR = wrong token here
    const bad = await rawSocket(directUrl(qrPayload));
    bad.ws.send(helloFor(other));
    expect((await bad.closed).code).toBe(PairingClose.BadToken);
    await completePairing(session, qrPayload);
  });

  it('expired QR: sockets closed with 4005, nothing listens, the old QR is refused; a new QR works', async () => {
    const { session, qrPayload } = await started({ ttlMs: 300 });
    const early = await rawSocket(directUrl(qrPayload));
    const expired = once(session, 'expired');
    expect((await early.closed).code).toBe(PairingClose.Expired);
    await expired;
    expect(await isListening(portOf(qrPayload))).toBe(false);
    await expect(connectPhone(qrPayload, { clockSkewMs: 0 })).rejects.toMatchObject({ code: 'QrExpired' });
    await expect(connectPhone(qrPayload)).rejects.toMatchObject({ code: 'PairingUnreachable' });
    const { qrPayload: fresh } = await session.start({ passwordIterations: 10_000 });
    await completePairing(session, fresh);
  });

  it('expiry with autoRenew shows a fresh QR; the old token is dead', async () => {
    const { session, qrPayload } = await started({ ttlMs: 300, autoRenew: true });
    const renewed = await nextQr(session);
    expect(renewed.reason).toBe('expired');
    expect(renewed.qrPayload).not.toBe(qrPayload);
    const replay = await rawSocket(directUrl(renewed.qrPayload));
    replay.ws.send(helloFor(qrPayload));
    expect((await replay.closed).code).toBe(PairingClose.BadToken);
    await session.stop(); // then a long-lived QR for the legitimate run
    const { qrPayload: current } = await session.start({ passwordIterations: 10_000 });
    await completePairing(session, current);
  });

  it('replayed hello (same token twice): refused; the token is single use', async () => {
    const { session, qrPayload } = await started();
    const hello = helloFor(qrPayload);
    const first = await rawSocket(directUrl(qrPayload));
    const connected = once(session, 'phone-connected');
    first.ws.send(hello);
    await connected;
    // The first socket holds the slot; the same hello again finds nothing listening.
    await expect(rawSocket(directUrl(qrPayload))).rejects.toThrow();
    const renewed = nextQr(session);
    first.ws.close();
    const { qrPayload: fresh, reason } = await renewed;
    expect(reason).toBe('phone-lost');
    const again = await rawSocket(directUrl(fresh));
    again.ws.send(hello);
    expect((await again.closed).code).toBe(PairingClose.BadToken);
    await completePairing(session, fresh);
  });

  it('second phone: refused with 4006 while one is connecting, unreachable once one is paired', async () => {
    const { session, qrPayload } = await started();
    const squatter = await rawSocket(directUrl(qrPayload));
    const second = await rawSocket(directUrl(qrPayload));
    expect((await second.closed).code).toBe(PairingClose.Busy);
    squatter.ws.close();
    await squatter.closed;
    const phone = await connectPhone(qrPayload);
    await phone.next('welcome');
    await expect(connectPhone(qrPayload)).rejects.toMatchObject({ code: 'PairingUnreachable' });
    phone.close();
    const { qrPayload: fresh } = await nextQr(session);
    await completePairing(session, fresh);
  });

  it('oversized frame (> 16 KiB) → 1009', async () => {
    const { session, qrPayload } = await started();
    const big = await rawSocket(directUrl(qrPayload));
    big.ws.send('x'.repeat(16 * 1024 + 1));
    expect((await big.closed).code).toBe(1009);
    await completePairing(session, qrPayload);
  });

  it('a first frame bigger than a hello (> 1 KiB) → 1009 from its header, before ws reads it; after the hello 16 KiB frames pass', async () => {
    const { session, qrPayload } = await started();
    const refusals: string[] = [];
    session.on('refused', ({ why }) => refusals.push(why));
    for (const size of [MAX_FIRST_FRAME_BYTES + 1, 70_000]) {
      const big = await rawSocket(directUrl(qrPayload));
      big.ws.send('x'.repeat(size));
      expect((await big.closed).code).toBe(1009);
    }
    expect(refusals.filter((why) => why === 'first frame too big')).toHaveLength(2);
    const phone = await completePairing(session, qrPayload);
    const echoed = once(session, 'message');
    phone.send('enrolment', { blob: 'y'.repeat(8 * 1024) }); // ~11 KiB sealed: fine after the hello
    expect((await echoed)[0]).toMatchObject({ topic: 'enrolment' });
  });

  it('a hello whose frame header arrives split across TCP segments still reaches the session whole', async () => {
    const { session, qrPayload } = await started();
    const port = portOf(qrPayload);
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.on('error', () => undefined);
    await once(socket, 'connect');
    socket.write(`GET /pair HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
    expect(String((await once(socket, 'data'))[0])).toMatch(/^HTTP\/1.1 101/);
    const body = Buffer.from(helloFor(qrPayload));
    const mask = Buffer.from([1, 2, 3, 4]);
    const frame = Buffer.concat([Buffer.from([0x81, 0x80 | 126, body.length >> 8, body.length & 255]), mask, body.map((b, i) => b ^ mask[i & 3]!)]);
    const connected = once(session, 'phone-connected');
    for (const piece of [frame.subarray(0, 1), frame.subarray(1, 3), frame.subarray(3)]) {
      socket.write(piece);
      await new Promise((r) => setTimeout(r, 30));
    }
    await connected;
    expect(session.phase).toBe('connected');
    socket.destroy();
  });

  it.each([
    ['invalid JSON', '{"type":"hello",', PairingClose.InvalidJson],
    ['unknown message type', '{"type":"exec","cmd":"calc.exe"}', PairingClose.UnknownType],
    ['wrong field types', '{"type":"hello","v":1,"phoneKey":42,"auth":true}', PairingClose.InvalidMessage],
    ['a sealed frame before hello', '{"type":"sealed","seq":0,"box":"AAAAAAAAAAAAAAAAAAAAAA"}', PairingClose.UnexpectedMessage],
  ])('%s → close %i', async (_name, frame, code) => {
    const { session, qrPayload } = await started();
    const bad = await rawSocket(directUrl(qrPayload));
    bad.ws.send(frame);
    expect((await bad.closed).code).toBe(code);
    await completePairing(session, qrPayload);
  });

  it('browser Origin, wrong Host, wrong path, plain HTTP: refused before any websocket, no CORS', async () => {
    const { session, qrPayload } = await started({ allowedOrigins: ['http://127.0.0.1:8123'] });
    const port = portOf(qrPayload);
    const host = `127.0.0.1:${port}`;
    expect((await upgradeStatus(port, { host, origin: 'https://evil.example' })).status).toBe(403);
    expect((await upgradeStatus(port, { host, origin: 'null' })).status).toBe(403);
    expect((await upgradeStatus(port, { host: `rebind.evil.example:${port}` })).status).toBe(403);
    expect((await upgradeStatus(port, { host: 'localhost' })).status).toBe(403);
    expect((await upgradeStatus(port, { host }, '/pair?x=1')).status).toBe(404);
    const page = await fetch(`http://${host}/pair`, { headers: { origin: 'https://evil.example' } });
    expect(page.status).toBe(404);
    expect(page.headers.get('access-control-allow-origin')).toBeNull();
    // Our own reference page's origin is allowed.
    expect((await upgradeStatus(port, { host, origin: 'http://127.0.0.1:8123' })).status).toBe(101);
    await completePairing(session, qrPayload);
  });

  it('one peer holding connections open before their upgrade: the excess is cut at accept, other peers (the phone) unaffected', async () => {
    const { session, qrPayload } = await started();
    const port = portOf(qrPayload);
    const refusals: string[] = [];
    session.on('refused', ({ why }) => refusals.push(why));
    // Slow-loris headers from one LAN address (127.0.0.2), the phone on 127.0.0.1.
    const loris = () =>
      new Promise<{ socket: net.Socket; closed: Promise<boolean> }>((resolve) => {
        const socket = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' });
        socket.on('error', () => undefined);
        let got = false;
        socket.on('data', () => (got = true));
        const closed = new Promise<boolean>((r) => socket.once('close', () => r(got)));
        socket.once('connect', () => {
          socket.write('GET /pair HTTP/1.1\r\nHost: ');
          resolve({ socket, closed });
        });
      });
    const held = [];
    for (let i = 0; i < MAX_PENDING_PER_PEER; i++) held.push(await loris());
    const excess = await loris();
    expect(await excess.closed).toBe(false); // closed without a byte: nothing parsed, nothing answered
    expect(refusals).toContain('too many connections from one peer');
    // A held one going away frees its place for the same peer.
    held[0]!.socket.destroy();
    await held[0]!.closed;
    const again = await loris();
    const stillOpen = await Promise.race([again.closed.then(() => false), new Promise((r) => setTimeout(() => r(true), 200))]);
    expect(stillOpen).toBe(true);
    await completePairing(session, qrPayload); // another address is not capped
    // Once the phone is in, nothing listens: the held sockets are gone too.
    expect(await Promise.all([...held.slice(1), again].map((h) => h.closed))).toEqual([false, false, false, false]);
  });

  it('silent socket → closed at the hello deadline (4008), freeing the slot', async () => {
    const { session, qrPayload } = await started({ timings: { helloTimeoutMs: 200 } });
    const silent = await rawSocket(directUrl(qrPayload));
    expect((await silent.closed).code).toBe(PairingClose.Timeout);
    await completePairing(session, qrPayload);
  });

  it('attempt limit: too many bad hellos retire the QR (new token, new port); the new QR pairs', async () => {
    const { session, qrPayload } = await started({ maxFailedHellos: 2 });
    const other = (await started()).qrPayload;
    const renewed = nextQr(session);
    for (let i = 0; i < 2; i++) {
      const bad = await rawSocket(directUrl(qrPayload));
      bad.ws.send(helloFor(other));
      expect((await bad.closed).code).toBe(PairingClose.BadToken);
    }
    const { qrPayload: fresh, reason } = await renewed;
    expect(reason).toBe('too-many-attempts');
    expect(await isListening(portOf(qrPayload))).toBe(false);
    await completePairing(session, fresh);
  });

  it('idle phone after hello → 4008, then a new QR pairs', async () => {
    const { session, qrPayload } = await started({ timings: { idleMs: 200 } });
    const idle = await rawSocket(directUrl(qrPayload));
    const renewed = nextQr(session);
    idle.ws.send(helloFor(qrPayload));
    expect((await idle.closed).code).toBe(PairingClose.Timeout);
    expect((await renewed).reason).toBe('phone-lost');
    await session.stop();
    const { qrPayload: fresh } = await session.start({ passwordIterations: 10_000 });
    await completePairing(session, fresh);
  });

  it('3 wrong codes → session reset: phone dropped, old QR dead, the new QR works', async () => {
    const { session, qrPayload } = await started();
    const phone = await connectPhone(qrPayload);
    await phone.next('welcome');
    const wrong = phone.code === '000000' ? '000001' : '000000';
    expect(await session.confirmCode('12ab')).toEqual({ ok: false, reason: 'format', attemptsLeft: 3 });
    expect(await session.confirmCode(wrong)).toEqual({ ok: false, reason: 'mismatch', attemptsLeft: 2 });
    expect(await session.confirmCode(wrong)).toEqual({ ok: false, reason: 'mismatch', attemptsLeft: 1 });
    const renewed = nextQr(session);
    const dropped = phone.next('closed');
    expect(await session.confirmCode(wrong)).toEqual({ ok: false, reason: 'reset', attemptsLeft: 0 });
    expect((await dropped).code).toBe(PairingClose.Reset);
    const { qrPayload: fresh, reason } = await renewed;
    expect(reason).toBe('code-reset');
    expect(fresh).not.toBe(qrPayload);
    await expect(connectPhone(qrPayload)).rejects.toMatchObject({ code: 'PairingUnreachable' });
    await completePairing(session, fresh);
  });

  it.each([
    ['replayed', (a: string, _b: string) => [a, a]],
    ['reordered', (a: string, b: string) => [b, a]],
    ['tampered', (a: string, _b: string) => [a.replace(/"box":"(.)/, (_m, c: string) => `"box":"${c === 'A' ? 'B' : 'A'}`)]],
  ])('%s ciphertext frame → 4007, then a new QR pairs', async (_name, arrange) => {
    const { session, qrPayload } = await started();
    const phone = await connectPhone(qrPayload);
    await phone.next('welcome');
    await session.confirmCode(phone.code);
    const messages: unknown[] = [];
    session.on('message', (m) => messages.push(m));
    const a = phone.sealForTest({ type: 'data', topic: 'x', body: 1 });
    const b = phone.sealForTest({ type: 'data', topic: 'x', body: 2 });
    const renewed = nextQr(session);
    const closed = phone.next('closed');
    for (const frame of arrange(a, b)) phone.sendRaw(frame);
    expect((await closed).code).toBe(PairingClose.BadCiphertext);
    expect(messages.length).toBeLessThanOrEqual(1);
    await completePairing(session, (await renewed).qrPayload);
  });

  it('wrong password: told how many tries are left; the right one then passes', async () => {
    const { session, qrPayload } = await started();
    const phone = await connectPhone(qrPayload);
    await phone.next('welcome');
    await session.confirmCode(phone.code);
    let request = phone.next('password-request');
    session.setPassword('4827');
    await request;
    request = phone.next('password-request');
    const result = phone.next('password-result');
    await phone.answerPassword('1234');
    expect(await result).toEqual({ ok: false, triesLeft: 2 });
    await request;
    const ok = phone.next('password-result');
    await phone.answerPassword('4827');
    expect(await ok).toEqual({ ok: true, triesLeft: 2 });
    expect(session.phase).toBe('verified');
  });
});
