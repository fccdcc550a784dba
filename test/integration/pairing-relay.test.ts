/**
 * The relay path (issue 4 §3): the same protocol through a forwarder that sees only
 * ciphertext, and a hostile relay that substitutes keys — the codes then differ and the
 * user's typing fails on the computer.
 */
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { nodePairingCrypto } from '../../src-main/pairing/crypto';
import type { PairingSession } from '../../src-main/pairing/pairing-session';
import { startRelayServer, type RelayHubOptions } from '../../src-main/pairing/relay';
import { decodeQrPayload, PairingClose, relayJoinUrl, toBase64Url } from '../../src-shared/pairing-protocol';
import { completePairing, connectPhone, nextQr, startSession } from '../unit/pairing/harness';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function withRelay(options: RelayHubOptions = {}) {
  const relay = await startRelayServer(options);
  cleanups.push(relay.close);
  return relay;
}

async function sessionVia(relayUrl: string): Promise<{ session: PairingSession; qrPayload: string }> {
  const s = await startSession({ relay: { url: relayUrl } });
  cleanups.push(() => s.session.stop());
  await once(s.session, 'relay-ready');
  return s;
}

describe('pairing through the relay', () => {
  it('completes through the relay when the phone cannot reach the computer; the relay sees only ciphertext', async () => {
    const seen: string[] = [];
    const relay = await withRelay({ intercept: (frame) => (seen.push(frame), frame) });
    const { session, qrPayload } = await sessionVia(relay.url);
    expect(decodeQrPayload(qrPayload).relay?.url).toBe(relay.url);
    const phone = await completePairing(session, qrPayload, { relayOnly: true });
    expect(phone.via).toBe('relay');
    const types = seen.map((f) => (JSON.parse(f) as { type: string }).type);
    expect(types[0]).toBe('hello');
    expect(types.slice(1).every((t) => t === 'sealed')).toBe(true);
    // Words of the inner messages never appear (the 6-digit code is not checked: digits occur in base64url).
    expect(seen.some((f) => /password|enrolment|registered|welcome/.test(f))).toBe(false);
  });

  it('falls back to the relay when the direct endpoint does not answer', async () => {
    const relay = await withRelay();
    const { session, qrPayload } = await sessionVia(relay.url);
    // Wi-Fi client isolation seen from the phone: the direct port refuses, the relay is there.
    await (session as unknown as { listener: { close(): Promise<void> } }).listener.close();
    const phone = await completePairing(session, qrPayload);
    expect(phone.via).toBe('relay');
  });

  it('hostile frame through the relay: that phone is cut off, the desktop rejoins, the real phone pairs', async () => {
    const relay = await withRelay();
    const { session, qrPayload } = await sessionVia(relay.url);
    const rejoined = once(session, 'relay-ready');
    const qr = decodeQrPayload(qrPayload);
    const { default: WebSocket } = await import('ws');
    const bad = new WebSocket(relayJoinUrl(qr.relay!.url, qr.relay!.session, 'phone'));
    await once(bad, 'open');
    const [code] = (await new Promise((resolve) => {
      bad.on('close', (c) => resolve([c]));
      bad.send('{"type":"exec"}');
    })) as [number];
    expect(code).toBe(PairingClose.UnknownType);
    await rejoined;
    await completePairing(session, qrPayload, { relayOnly: true });
  });

  it('man in the middle: a relay that knows the QR and substitutes keys makes the codes differ', async () => {
    let qrText = '';
    const attacker = nodePairingCrypto.generateKeyPair();
    const relay = await withRelay({
      intercept(frame, from) {
        if (from === 'desktop') return undefined; // hide the desktop's frames: the phone just shows its code
        const msg = JSON.parse(frame) as { type: string };
        if (msg.type !== 'hello') return frame;
        const { token } = decodeQrPayload(qrText);
        return JSON.stringify({
          type: 'hello', v: 1,
          phoneKey: toBase64Url(attacker.publicKey),
          auth: toBase64Url(nodePairingCrypto.helloAuth(token, attacker.publicKey)),
        });
      },
    });
    const { session, qrPayload } = await sessionVia(relay.url);
    qrText = qrPayload;
    const connected = once(session, 'phone-connected');
    const phone = await connectPhone(qrPayload, { relayOnly: true });
    await connected; // the desktop believes a phone is there — the attacker's key
    // What the desktop expects is what the attacker's own derivation gives, not the phone's code.
    const qr = decodeQrPayload(qrPayload);
    const attackerView = nodePairingCrypto.deriveSecrets({
      role: 'phone', keyPair: attacker, peerPublicKey: qr.desktopKey, qrPayload,
      desktopKey: qr.desktopKey, phoneKey: attacker.publicKey, token: qr.token,
    });
    expect(attackerView.code).not.toBe(phone.code);
    // The user types what the real phone shows, three times: refused, then a new QR.
    expect(await session.confirmCode(phone.code)).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(await session.confirmCode(phone.code)).toMatchObject({ ok: false, reason: 'mismatch' });
    const renewed = nextQr(session);
    expect(await session.confirmCode(phone.code)).toMatchObject({ ok: false, reason: 'reset' });
    expect(session.phase).toBe('waiting');
    // The legitimate phone pairs directly with the fresh QR (the hostile relay is left out).
    const { qrPayload: fresh } = await renewed;
    await completePairing(session, fresh);
  });
});
