/**
 * The authority's websocket relay, joined like the pairing protocol says
 * (`<relayUrl>?session=…&role=desktop|phone`): desktop and phone of one session exchange
 * frames unchanged (text and binary), a second of a role is turned away, a phone cannot open
 * a session, the pairing's 4xxx close codes reach the other side, an oversized frame closes
 * its sender, and the relay never mixes sessions.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, type RawData } from 'ws';
import { startAuthorityServer, type AuthorityServer } from '../../simulators/authority/index';
import { PairingClose, relayJoinUrl } from '../../src-shared/pairing-protocol';
import { completePairing, startSession } from '../unit/pairing/harness';

let server: AuthorityServer;
let relayUrl: string;
beforeAll(async () => {
  server = await startAuthorityServer({ relay: { waitForPeerMs: 1_000 } });
  relayUrl = (await server.authority.describe()).relayUrl!;
});
afterAll(() => server.close());

const sessionId = () => randomBytes(16).toString('base64url');

type Role = 'desktop' | 'phone';
const joinUrl = (id: string, role: Role) => relayJoinUrl(relayUrl, id, role);

function connect(id: string, role: Role): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(joinUrl(id, role));
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}
const nextMessage = (ws: WebSocket) =>
  new Promise<{ data: RawData; binary: boolean }>((resolve) => ws.once('message', (data, binary) => resolve({ data, binary })));
const closed = (ws: WebSocket) => new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));

describe('the websocket relay', () => {
  it('serves the one join form (shared parseRelayJoin): what relayJoinUrl writes opens, the rest is 404 before any websocket', async () => {
    const upgradeStatus = (url: string) =>
      new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(url);
        ws.once('open', () => {
          ws.close();
          resolve(101);
        });
        ws.once('unexpected-response', (_req, res) => {
          resolve(res.statusCode ?? 0);
          res.resume();
        });
        ws.once('error', (e) => !/Unexpected server response/.test(String(e)) && reject(e));
      });
    const id = sessionId();
    const base = relayUrl.replace(/\/$/, '');
    expect(await upgradeStatus(relayJoinUrl(relayUrl, id, 'desktop'))).toBe(101);
    for (const bad of [
      `${base}?session=${id}&role=admin`,
      `${base}?session=${id}&session=${sessionId()}&role=desktop`,
      `${base}?session=${id.slice(0, 21)}&role=desktop`,
      `${base}/${id}`,
      `${base}x?session=${id}&role=desktop`,
    ]) {
      expect(await upgradeStatus(bad), bad).toBe(404);
    }
  });

  it('forwards text and binary frames both ways, unchanged', async () => {
    const id = sessionId();
    const desktop = await connect(id, 'desktop');
    const phone = await connect(id, 'phone');
    const ciphertext = randomBytes(4000);
    const got = nextMessage(desktop);
    phone.send(ciphertext);
    const binary = await got;
    expect(binary.binary).toBe(true);
    expect(Buffer.from(binary.data as Buffer).equals(ciphertext)).toBe(true);
    const reply = nextMessage(phone);
    desktop.send('{"opaque":"text frame"}');
    const text = await reply;
    expect(text.binary).toBe(false);
    expect(text.data.toString()).toBe('{"opaque":"text frame"}');
    desktop.close();
    expect(await closed(phone)).toBe(4100); // one side leaving ends the session: "peer left"
  });

  it("passes the pairing's 4xxx close codes through to the other side", async () => {
    for (const [closer, code] of [
      ['desktop', 4009],
      ['phone', 4007],
    ] as const) {
      const id = sessionId();
      const desktop = await connect(id, 'desktop');
      const phone = await connect(id, 'phone');
      const other = closed(closer === 'desktop' ? phone : desktop);
      (closer === 'desktop' ? desktop : phone).close(code, 'why');
      expect(await other).toBe(code);
    }
    expect(server.relay?.sessions()).toBe(0);
  });

  it('a phone cannot open a session (4101); the relay URL without the trailing slash is the same relay', async () => {
    const id = sessionId();
    expect(await closed(await connect(id, 'phone'))).toBe(4101);
    const base = relayUrl.replace(/\/$/, '');
    const desktop = new WebSocket(`${base}?session=${id}&role=desktop`);
    await new Promise((resolve) => desktop.once('open', resolve));
    const phone = await connect(id, 'phone');
    const got = nextMessage(desktop);
    phone.send('hello');
    expect((await got).data.toString()).toBe('hello');
    desktop.close();
    await closed(phone);
  });

  it('delivers what the first peer sent before the second arrived', async () => {
    const id = sessionId();
    const desktop = await connect(id, 'desktop');
    desktop.send('hello, early');
    const phone = new WebSocket(joinUrl(id, 'phone'));
    const first = await nextMessage(phone);
    expect(first.data.toString()).toBe('hello, early');
    phone.close();
    desktop.close();
  });

  it('turns a second of a role away and keeps the first two talking', async () => {
    const id = sessionId();
    const a = await connect(id, 'desktop');
    const b = await connect(id, 'phone');
    for (const role of ['desktop', 'phone'] as const) {
      const third = await connect(id, role).catch((e: Error) => e);
      expect(String(third)).toMatch(/409/);
    }
    const got = nextMessage(b);
    a.send('still here');
    expect((await got).data.toString()).toBe('still here');
    a.close();
    b.close();
  });

  it('closes a sender of an oversized frame (> 16 KiB), without forwarding it', async () => {
    const id = sessionId();
    const a = await connect(id, 'desktop');
    const b = await connect(id, 'phone');
    let forwarded = false;
    b.on('message', () => (forwarded = true));
    const aClosed = closed(a);
    a.send(randomBytes(16 * 1024 + 1));
    expect(await aClosed).toBe(1009);
    await closed(b);
    expect(forwarded).toBe(false);
  });

  it('keeps sessions apart, refuses malformed session ids and drops a peer left alone', async () => {
    const [a1, a2, b1, b2] = await Promise.all([sessionId(), sessionId()].map(async (id) => [await connect(id, 'desktop'), await connect(id, 'phone')])).then((pairs) => pairs.flat());
    const gotB = nextMessage(b2!);
    let leaked = false;
    a2!.on('message', () => (leaked = true));
    b1!.send('for b only');
    expect((await gotB).data.toString()).toBe('for b only');
    expect(leaked).toBe(false);
    for (const ws of [a1, a2, b1, b2]) ws!.close();

    expect(String(await connect('short', 'desktop').catch((e: Error) => e))).toMatch(/404/);
    expect(String(await new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(`${relayUrl}${sessionId()}`); // the old path form is gone
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    }).catch((e: Error) => e))).toMatch(/404/);
    const alone = await connect(sessionId(), 'desktop');
    expect(await closed(alone)).toBe(4408); // waitForPeerMs elapsed
    expect(server.relay?.sessions()).toBe(0);
  });
});

describe('a QR that outlives the relay\'s patience (the e-mailed QR: 30 min; the relay waits 120 s for a peer)', () => {
  it('the desktop keeps its relay session while the QR is valid: a phone coming at "minute 29" through the relay completes', async () => {
    // Scaled down 200×: the QR lives 9 s, the relay waits 200 ms for a phone (then 4408), so
    // the desktop must join again ~40 times — the old code gave up after 10 rejoins.
    const waitForPeerMs = 200;
    const ttlMs = 9_000;
    const authority = await startAuthorityServer({ relay: { waitForPeerMs } });
    const url = (await authority.authority.describe()).relayUrl!;
    const { session, qrPayload, expiresAt } = await startSession({ relay: { url }, ttlMs });
    try {
      let joins = 0;
      let mostSessions = 0;
      const relayCloses: number[] = [];
      session.on('relay-ready', () => {
        joins++;
        mostSessions = Math.max(mostSessions, authority.relay!.sessions());
      });
      session.on('refused', ({ code, via }) => via === 'relay' && relayCloses.push(code));

      // "Minute 29 of 30": the phone scans right after the desktop's latest join past 29/30 of
      // the QR's life less one relay wait (the desktop is then surely joined).
      await sleep(expiresAt - ttlMs / 30 - waitForPeerMs - Date.now());
      await Promise.race([
        once(session, 'relay-ready'),
        sleep(expiresAt - Date.now()).then(() => expect.fail('the desktop was no longer on the relay at "minute 29"')),
      ]);
      const scannedAt = Date.now();
      expect(scannedAt).toBeGreaterThanOrEqual(expiresAt - ttlMs / 30 - waitForPeerMs);
      expect(scannedAt).toBeLessThan(expiresAt);
      expect(joins).toBeGreaterThan(11); // 1 join + the old 10 rejoins would have ended long before
      expect(new Set(relayCloses)).toEqual(new Set([PairingClose.RelayWaitOver])); // only the relay's wait ran out
      expect(mostSessions).toBe(1); // one relay session at a time, never a pile-up

      const connected = once(session, 'phone-connected');
      const phone = await completePairing(session, qrPayload, { relayOnly: true });
      expect(phone.via).toBe('relay');
      expect(await connected).toEqual([{ via: 'relay' }]);
    } finally {
      await session.stop();
      await authority.close();
    }
  });

  it('stops joining the relay when the QR expires: nothing is left waiting on the relay', async () => {
    const authority = await startAuthorityServer({ relay: { waitForPeerMs: 150 } });
    const url = (await authority.authority.describe()).relayUrl!;
    const { session } = await startSession({ relay: { url }, ttlMs: 1_000 });
    try {
      let joinsAfterExpiry = 0;
      await once(session, 'expired');
      session.on('relay-ready', () => joinsAfterExpiry++);
      await sleep(400);
      expect(joinsAfterExpiry).toBe(0);
      expect(authority.relay!.sessions()).toBe(0);
    } finally {
      await session.stop();
      await authority.close();
    }
  });
});
