/**
 * Hostile batteries against the REAL pairing server (PairingSession + PairingListener on
 * loopback): upgrade variants (path, Host, Origin, method, sizes), wire-level abuse before and
 * after the hello, and floods — each followed by the legitimate phone pairing end to end on the
 * QR then shown. Plus issue 13 #7 (one rotation per 50 bad hellos) and #8 (stop() during a
 * rotation leaves nothing listening).
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PairingClose, toBase64Url } from '../../src-shared/pairing-protocol';
import type { PairingSession } from '../../src-main/pairing/pairing-session';
import type { PairingStartOptions } from '../../src-main/pairing/pairing-types';
import { completePairing, directUrl, helloFor, isListening, portOf, rawSocket, startSession } from '../unit/pairing/harness';
import { rawExchange, rawRequest } from './support/web-shell-rig';
import { closeCodeIn, frame, rawUpgrade, text } from './support/ws-frames';

const sessions: PairingSession[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.stop();
});

async function started(options: PairingStartOptions = {}) {
  const s = await startSession(options);
  sessions.push(s.session);
  const qrs: { qrPayload: string; reason: string }[] = [];
  s.session.on('qr', (e) => qrs.push(e));
  return { ...s, qrs, current: () => qrs.at(-1)?.qrPayload ?? s.qrPayload };
}

const upgrade = (host: string, extra: readonly string[] = []) => [
  `Host: ${host}`,
  'Connection: Upgrade',
  'Upgrade: websocket',
  'Sec-WebSocket-Version: 13',
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
  ...extra,
];
const forgedSealed = () => JSON.stringify({ type: 'sealed', seq: 0, box: toBase64Url(randomBytes(48)) });

describe('issue 13 regressions (each failed before the fix)', () => {
  it('#7 bad-token hellos arriving together retire the QR once per 50, not once per hello past 50', async () => {
    const s = await started();
    const other = (await startSession()).session;
    const wrong = helloFor((await other.renew()).qrPayload);
    await other.stop();
    // Waves of 16 peers (127.0.0.x: the per-peer caps do not merge them), each wave's hellos
    // sent at once: 64 bad hellos, the 50th to the 64th in one burst.
    for (let wave = 0; wave < 4; wave++) {
      const sockets = await Promise.all(
        Array.from({ length: 16 }, (_, i) => rawSocket(directUrl(s.qrPayload), { localAddress: `127.0.0.${2 + wave * 16 + i}` }).catch(() => undefined)),
      );
      for (const sock of sockets) if (sock?.ws.readyState === WebSocket.OPEN) sock.ws.send(wrong);
      const codes = await Promise.all(sockets.map((sock) => sock?.closed));
      expect(codes.every((c) => c === undefined || c.code === PairingClose.BadToken || c.code === PairingClose.Reset)).toBe(true);
    }
    await new Promise((r) => setTimeout(r, 300)); // rotations queued by the last hellos have run
    expect(s.qrs.filter((q) => q.reason === 'too-many-attempts').length).toBe(1);
    expect(await isListening(portOf(s.qrPayload))).toBe(false);
    await completePairing(s.session, s.current());
  });

  it('#8 a phone lost, then stop() at once (as the activation does): no listener stays, not even for the rotated QR', async () => {
    const s = await started();
    const qrDuringRotation: string[] = [];
    s.session.on('qr', (e) => qrDuringRotation.push(e.qrPayload));
    s.session.on('phone-lost', () => void s.session.stop());
    const phone = await rawSocket(directUrl(s.qrPayload));
    phone.ws.send(helloFor(s.qrPayload));
    await once(phone.ws, 'message');
    phone.ws.terminate();
    await once(s.session, 'closed');
    await new Promise((r) => setTimeout(r, 300));
    for (const qr of qrDuringRotation) expect(await isListening(portOf(qr))).toBe(false);
    expect(s.session.phase).toBe('stopped');
  });
});

describe('upgrade variants (refused before any websocket, then the phone pairs)', () => {
  type Case = [string, (host: string) => { target?: string; headers: string[] }, number];
  const pathCases: [string, string][] = [
    ['a query', '/pair?x=1'],
    ['an empty query', '/pair?'],
    ['a trailing slash', '/pair/'],
    ['a dot segment', '/pair/..'],
    ['a leading dot segment', '/./pair'],
    ['upper case', '/PAIR'],
    ['an encoded letter', '/%70air'],
    ['a double slash', '//pair'],
  ];
  const cases: Case[] = pathCases.map(([name, target]): Case => [`path with ${name}`, (h) => ({ target, headers: upgrade(h) }), 404]);
  cases.push(['an absolute URL as target', (h) => ({ target: `http://${h}/pair`, headers: upgrade(h) }), 404]);
  cases.push(
    ['Host with a trailing space', (h) => ({ headers: upgrade(`${h} `) }), 403],
    ['Host with a trailing tab', (h) => ({ headers: upgrade(`${h}\t`) }), 403],
    ['two Host headers, the good one first', (h) => ({ headers: [...upgrade(h), 'Host: evil.example'] }), 400],
    ['two Host headers, the good one last', (h) => ({ headers: ['Host: evil.example', ...upgrade(h).slice(1), `Host: ${h}`] }), 400],
    ['no Host', (h) => ({ headers: upgrade(h).slice(1) }), 400],
    ['Host localhost', (h) => ({ headers: upgrade(h.replace('127.0.0.1', 'localhost')) }), 403],
    ['a rebinding Host', (h) => ({ headers: upgrade(`evil.example:${h.split(':')[1]}`) }), 403],
    ['a browser Origin', (h) => ({ headers: upgrade(h, ['Origin: https://evil.example']) }), 403],
    ['Origin null', (h) => ({ headers: upgrade(h, ['Origin: null']) }), 403],
    ['two Origins', (h) => ({ headers: upgrade(h, ['Origin: http://a.example', 'Origin: http://b.example']) }), 400],
    ['a folded header line', (h) => ({ headers: upgrade(h, ['X-A: a', ' folded']) }), 400],
    ['a 20 KiB header', (h) => ({ headers: upgrade(h, [`X-Big: ${'a'.repeat(20 * 1024)}`]) }), 431],
  );
  it.each(cases)('%s', async (_name, build, status) => {
    const s = await started();
    const port = portOf(s.qrPayload);
    const { target = '/pair', headers } = build(`127.0.0.1:${port}`);
    const res = await rawExchange(port, rawRequest('GET', target, headers));
    expect(res.status).toBe(status);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    await completePairing(s.session, s.current());
  });

  it.each(['POST', 'PUT', 'OPTIONS', 'DELETE'])('an upgrade with method %s is refused', async (method) => {
    const s = await started();
    const port = portOf(s.qrPayload);
    const res = await rawExchange(port, rawRequest(method, '/pair', upgrade(`127.0.0.1:${port}`)));
    expect(res.status).toBe(400);
    await completePairing(s.session, s.current());
  });

  it('plain HTTP gets 404 with no CORS header and no side effect', async () => {
    const s = await started();
    const port = portOf(s.qrPayload);
    for (const target of ['/', '/pair', '/../../etc/passwd', '/%2e%2e/']) {
      const res = await rawExchange(port, rawRequest('GET', target, [`Host: 127.0.0.1:${port}`, 'Origin: https://evil.example']));
      expect(res.status, target).toBe(404);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
    await completePairing(s.session, s.current());
  });
});

describe('wire-level abuse (the socket is closed with its code, then the phone pairs)', () => {
  const cases: [string, (qr: string) => Buffer[], number][] = [
    ['a binary hello', () => [frame(0x2, '{"type":"hello"}')], PairingClose.InvalidMessage],
    ['non-JSON', () => [text('hello?')], PairingClose.InvalidJson],
    ['JSON that is not an object', () => [text('[1,2,3]')], PairingClose.UnknownType],
    ['deep JSON nesting', () => [text('['.repeat(400) + ']'.repeat(400))], PairingClose.UnknownType],
    ['an unknown type', () => [text('{"type":"admin"}')], PairingClose.UnknownType],
    ['a sealed frame before the hello', () => [text(forgedSealed())], PairingClose.UnexpectedMessage],
    ['a hello of another version', (qr) => [text(helloFor(qr).replace('"v":1', '"v":2'))], PairingClose.InvalidMessage],
    ['a hello with an extra field', (qr) => [text(helloFor(qr).replace('{', '{"admin":true,'))], PairingClose.InvalidMessage],
    ['a prototype-polluting hello', (qr) => [text(helloFor(qr).replace('{', '{"__proto__":{"polluted":1},'))], PairingClose.InvalidMessage],
    ['a first frame over 1 KiB', () => [text(`{"type":"hello","pad":"${'a'.repeat(2000)}"}`)], PairingClose.TooBig],
    ['a length announcing 4 GiB', () => [frame(0x1, 'x', { declaredLength: 2 ** 32 })], PairingClose.TooBig],
    ['an unmasked frame', () => [frame(0x1, 'x', { mask: false })], 1002],
    ['a reserved opcode', () => [frame(0x3, 'x')], 1002],
    ['invalid UTF-8', () => [frame(0x1, Buffer.from([0xc3, 0x28]))], 1007],
  ];
  it.each(cases)('%s', async (_name, frames, code) => {
    const s = await started();
    const port = portOf(s.qrPayload);
    const ws = await rawUpgrade(port, rawRequest('GET', '/pair', upgrade(`127.0.0.1:${port}`)));
    for (const f of frames(s.qrPayload)) ws.socket.write(f);
    expect(closeCodeIn(await ws.ended(3_000))).toBe(code);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await completePairing(s.session, s.current());
  });

  it.each([
    ['a forged sealed frame', forgedSealed, PairingClose.BadCiphertext],
    ['a second hello', '', PairingClose.UnexpectedMessage],
    ['plain JSON instead of a sealed frame', '{"type":"code-confirmed"}', PairingClose.UnexpectedMessage],
  ] as const)('after a good hello, %s cuts the link and a fresh QR pairs', async (_name, second, code) => {
    const s = await started();
    const sock = await rawSocket(directUrl(s.qrPayload));
    sock.ws.send(helloFor(s.qrPayload));
    await once(sock.ws, 'message');
    sock.ws.send(typeof second === 'function' ? second() : second === '' ? helloFor(s.qrPayload) : second);
    expect((await sock.closed).code).toBe(code);
    await new Promise((r) => setTimeout(r, 100));
    expect(s.qrs.at(-1)?.reason).toBe('phone-lost');
    expect(await isListening(portOf(s.qrPayload))).toBe(false);
    await completePairing(s.session, s.current());
  });
});

describe('floods', () => {
  it('300 sockets from one peer: the excess is cut at accept, the phone (another address) pairs', async () => {
    const s = await started();
    const port = portOf(s.qrPayload);
    const results = await Promise.all(
      Array.from({ length: 300 }, () => rawExchange(port, rawRequest('GET', '/pair', upgrade(`evil.example:${port}`)), 1_500)),
    );
    expect(results.filter((r) => r.status === 403).length).toBeGreaterThan(0);
    expect(results.every((r) => r.status === 403 || r.status === 0)).toBe(true);
    await completePairing(s.session, s.current());
  });

  it('100 silent sockets from 100 peers: the oldest are evicted, the phone pairs at once', async () => {
    const s = await started();
    const silent = await Promise.all(Array.from({ length: 100 }, (_, i) => rawSocket(directUrl(s.qrPayload), { localAddress: `127.0.1.${1 + i}` }).catch(() => undefined)));
    await completePairing(s.session, s.current());
    for (const sock of silent) sock?.ws.terminate();
  });

  it('garbage frames from 50 peers at once: each closed, the phone pairs', async () => {
    const s = await started();
    const sockets = await Promise.all(Array.from({ length: 50 }, (_, i) => rawSocket(directUrl(s.qrPayload), { localAddress: `127.0.2.${1 + i}` }).catch(() => undefined)));
    for (const sock of sockets) if (sock?.ws.readyState === WebSocket.OPEN) sock.ws.send(randomBytes(64).toString('latin1'));
    await Promise.all(sockets.map((sock) => sock?.closed));
    await completePairing(s.session, s.current());
  });
});
