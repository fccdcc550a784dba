/**
 * Helpers for the pairing tests: a desktop session on loopback, raw hostile sockets, and the
 * legitimate phone's full run (code typed on the computer, password proof).
 */
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import WebSocket from 'ws';
import { expect } from 'vitest';
import { nodePairingCrypto } from '../../../src-main/pairing/crypto';
import { PairingSession } from '../../../src-main/pairing/pairing-session';
import type { PairingStartOptions } from '../../../src-main/pairing/pairing-types';
import { decodeQrPayload, toBase64Url } from '../../../src-shared/pairing-protocol';
import { PhoneClient, type PhoneClientOptions } from '../../../simulators/phone/protocol-client';

export const PASSWORD = '4827';
/** PBKDF2 rounds for tests: the protocol minimum, so a test run stays fast. */
export const FAST = { passwordIterations: 10_000 } as const;

export async function startSession(options: PairingStartOptions = {}) {
  const session = new PairingSession();
  const { qrPayload, expiresAt } = await session.start({ ...FAST, ...options });
  return { session, qrPayload, expiresAt };
}

export function directUrl(qrPayload: string): string {
  return decodeQrPayload(qrPayload).direct!;
}

export function portOf(qrPayload: string): number {
  return Number(new URL(directUrl(qrPayload)).port);
}

/** A raw websocket (no protocol help) and the close it eventually gets. */
export async function rawSocket(url: string, options: WebSocket.ClientOptions = {}) {
  const ws = new WebSocket(url, { perMessageDeflate: false, ...options });
  ws.on('error', () => undefined);
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') })),
  );
  await once(ws, 'open');
  return { ws, closed };
}

/** A valid hello for this QR, as an attacker who knows the QR (or saw a hello) would send it. */
export function helloFor(qrPayload: string): string {
  const qr = decodeQrPayload(qrPayload);
  const keys = nodePairingCrypto.generateKeyPair();
  return JSON.stringify({
    type: 'hello',
    v: 1,
    phoneKey: toBase64Url(keys.publicKey),
    auth: toBase64Url(nodePairingCrypto.helloAuth(qr.token, keys.publicKey)),
  });
}

/** Status of a websocket upgrade with chosen headers (to see refusals before any websocket). */
export function upgradeStatus(port: number, headers: Record<string, string>, path = '/pair'): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      path,
      setHost: false,
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        ...headers,
      },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
    });
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
    });
    req.on('error', reject);
    req.end();
  });
}

export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export function connectPhone(qrPayload: string, options: Partial<PhoneClientOptions> = {}): Promise<PhoneClient> {
  return PhoneClient.connect(qrPayload, { crypto: nodePairingCrypto, connectTimeoutMs: 1_000, ...options });
}

/** The legitimate phone, start to end: code typed on the computer, password proved, data both ways. */
export async function completePairing(session: PairingSession, qrPayload: string, options: Partial<PhoneClientOptions> = {}) {
  const phone = await connectPhone(qrPayload, options);
  await phone.next('welcome');
  expect(session.phase).toBe('connected');
  const confirmed = phone.next('code-confirmed');
  expect(await session.confirmCode(phone.code)).toEqual({ ok: true });
  await confirmed;
  const requested = phone.next('password-request');
  session.setPassword(PASSWORD);
  await requested;
  const verified = once(session, 'password-verified');
  const result = phone.next('password-result');
  await phone.answerPassword(PASSWORD);
  expect(await result).toEqual({ ok: true, triesLeft: 3 });
  await verified;
  expect(session.phase).toBe('verified');
  const fromPhone = once(session, 'message');
  phone.send('enrolment', { deviceKey: 'abc' });
  expect(await fromPhone).toEqual([{ topic: 'enrolment', body: { deviceKey: 'abc' } }]);
  const toPhone = phone.next('data');
  session.send('registered', { ok: true });
  expect(await toPhone).toEqual({ topic: 'registered', body: { ok: true } });
  return phone;
}

export function nextQr(session: PairingSession) {
  return once(session, 'qr').then(([e]) => e as { qrPayload: string; expiresAt: number; reason: string });
}
