/**
 * The transport-agnostic phone core (simulators/phone/phone-core.ts) with the WebCrypto suite
 * (what the phone page runs) against the real desktop PairingSession (node:crypto) over a real
 * websocket: the whole pairing, a wrong password then the right one, data both ways, and the
 * order of frames and close kept although WebCrypto is asynchronous.
 */
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { PairingSession } from '../../../src-main/pairing/pairing-session';
import { webPairingCrypto } from '../../../src-shared/pairing-webcrypto';
import { PhoneLink, type PhoneSocket } from '../../../simulators/phone/phone-core';
import { openWsSocket } from '../../../simulators/phone/protocol-client';

const sessions: PairingSession[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.stop();
});

async function start() {
  const session = new PairingSession();
  sessions.push(session);
  const { qrPayload } = await session.start({ bindAddress: '127.0.0.1', passwordIterations: 10_000 });
  return { session, qrPayload };
}

describe('phone core with WebCrypto × desktop with node:crypto', () => {
  it('pairs end to end: same code, wrong then right password, data both ways', async () => {
    const { session, qrPayload } = await start();
    const attempts: string[] = [];
    const phone = new PhoneLink(await PhoneLink.establish(qrPayload, { crypto: webPairingCrypto, openSocket: openWsSocket, onAttempt: (via) => attempts.push(via) }));
    expect(attempts).toEqual(['direct']);
    expect(phone.via).toBe('direct');
    await phone.next('welcome');
    expect(phone.code).toMatch(/^\d{6}$/);
    const confirmed = phone.next('code-confirmed');
    expect(await session.confirmCode(phone.code)).toEqual({ ok: true });
    await confirmed;

    let request = phone.next('password-request');
    session.setPassword('4827');
    await request;
    expect(phone.passwordPending).toBe(true);
    request = phone.next('password-request');
    const wrong = phone.next('password-result');
    await phone.answerPassword('1357');
    expect(await wrong).toEqual({ ok: false, triesLeft: 2 });
    await request;
    const verified = once(session, 'password-verified');
    const right = phone.next('password-result');
    await phone.answerPassword('4827');
    expect(await right).toEqual({ ok: true, triesLeft: 2 });
    await verified;

    const fromPhone = once(session, 'message');
    phone.send('enrolment', { deviceKey: 'abc' });
    phone.send('second', { n: 2 });
    expect(await fromPhone).toEqual([{ topic: 'enrolment', body: { deviceKey: 'abc' } }]);
    const received: unknown[] = [];
    phone.on('data', (d) => received.push(d));
    const closed = phone.next('closed');
    session.send('one', 1);
    session.send('two', 2);
    await session.stop();
    // Frames decrypted asynchronously still arrive before the close that followed them.
    expect((await closed).code).toBeGreaterThanOrEqual(1000);
    expect(received).toEqual([{ topic: 'one', body: 1 }, { topic: 'two', body: 2 }]);
  });

  it('a wrong code typed on the computer fails there; the phone is told nothing secret', async () => {
    const { session, qrPayload } = await start();
    const phone = new PhoneLink(await PhoneLink.establish(qrPayload, { crypto: webPairingCrypto, openSocket: openWsSocket }));
    await phone.next('welcome');
    const other = phone.code === '000000' ? '111111' : '000000';
    expect(await session.confirmCode(other)).toMatchObject({ ok: false, reason: 'mismatch', attemptsLeft: 2 });
    expect(phone.closed).toBeUndefined();
    phone.close();
  });

  it('a tampered frame from the desktop side closes the link with 4007', async () => {
    const { qrPayload } = await start();
    let socket!: PhoneSocket;
    const link = await PhoneLink.establish(qrPayload, {
      crypto: webPairingCrypto,
      openSocket: async (url, timeout) => (socket = await openWsSocket(url, timeout)),
    });
    let deliver!: (text: string | undefined) => void;
    const realListen = socket.listen.bind(socket);
    socket.listen = (handlers) => {
      deliver = handlers.message;
      realListen(handlers);
    };
    const phone = new PhoneLink(link);
    await phone.next('welcome');
    const closed = phone.next('closed');
    deliver(JSON.stringify({ type: 'sealed', seq: 1, box: 'A'.repeat(40) }));
    expect((await closed).code).toBe(4007);
  });

  it('refuses an expired QR and an unreachable computer before any hello', async () => {
    const { session, qrPayload } = await start();
    await expect(PhoneLink.establish(qrPayload, { crypto: webPairingCrypto, openSocket: openWsSocket, now: () => Date.now() + 10 * 60_000 })).rejects.toMatchObject({ code: 'QrExpired' });
    await session.stop();
    await expect(PhoneLink.establish(qrPayload, { crypto: webPairingCrypto, openSocket: openWsSocket, connectTimeoutMs: 500 })).rejects.toMatchObject({ code: 'PairingUnreachable' });
  });
});
