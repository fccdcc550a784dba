/**
 * The authority's websocket relay, joined like the pairing protocol says
 * (`<relayUrl>?session=…&role=desktop|phone`): desktop and phone of one session exchange
 * frames unchanged (text and binary), a second of a role is turned away, a phone cannot open
 * a session, the pairing's 4xxx close codes reach the other side, an oversized frame closes
 * its sender, and the relay never mixes sessions.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, type RawData } from 'ws';
import { startAuthorityServer, type AuthorityServer } from '../../simulators/authority/index';
import { parseRelayJoin as authorityJoin } from '../../simulators/authority/relay';
import { parseRelayJoin as pairingJoin, relayJoinUrl } from '../../src-main/pairing/relay';

let server: AuthorityServer;
let relayUrl: string;
beforeAll(async () => {
  server = await startAuthorityServer({ relay: { waitForPeerMs: 1_000 } });
  relayUrl = (await server.authority.describe()).relayUrl!;
});
afterAll(() => server.close());

const sessionId = () => randomBytes(16).toString('base64url');

type Role = 'desktop' | 'phone';
const joinUrl = (id: string, role: Role) => `${relayUrl}?session=${encodeURIComponent(id)}&role=${role}`;

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
  it('reads joins exactly like the pairing does (one URL form on both sides)', () => {
    const s = 'A'.repeat(22);
    const urls = [
      new URL(relayJoinUrl('ws://h:1/relay/', s, 'desktop')).pathname + new URL(relayJoinUrl('ws://h:1/relay/', s, 'desktop')).search,
      `/relay?session=${s}&role=phone`,
      `/relay/?session=${s}&role=desktop`,
      `/relay?session=${s}&role=admin`,
      `/relay?session=short&role=phone`,
      `/relay?session=${'A'.repeat(65)}&role=phone`,
      `/relay/${s}`,
      `/other?session=${s}&role=phone`,
    ];
    for (const url of urls) expect(authorityJoin(url), url).toEqual(pairingJoin(url));
    expect(authorityJoin(urls[0])).toEqual({ session: s, role: 'desktop' });
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
