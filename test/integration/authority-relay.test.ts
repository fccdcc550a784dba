/**
 * The authority's websocket relay: two peers of one session exchange frames unchanged (text
 * and binary), a third peer is turned away, an oversized frame closes its sender, and the
 * relay never mixes sessions.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, type RawData } from 'ws';
import { startAuthorityServer, type AuthorityServer } from '../../simulators/authority/index';

let server: AuthorityServer;
let relayUrl: string;
beforeAll(async () => {
  server = await startAuthorityServer({ relay: { waitForPeerMs: 1_000 } });
  relayUrl = (await server.authority.describe()).relayUrl!;
});
afterAll(() => server.close());

const sessionId = () => randomBytes(16).toString('base64url');

function connect(id: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(relayUrl + id);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}
const nextMessage = (ws: WebSocket) =>
  new Promise<{ data: RawData; binary: boolean }>((resolve) => ws.once('message', (data, binary) => resolve({ data, binary })));
const closed = (ws: WebSocket) => new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));

describe('the websocket relay', () => {
  it('forwards text and binary frames both ways, unchanged', async () => {
    const id = sessionId();
    const desktop = await connect(id);
    const phone = await connect(id);
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
    expect(await closed(phone)).toBe(1000); // one side leaving ends the session
  });

  it('delivers what the first peer sent before the second arrived', async () => {
    const id = sessionId();
    const desktop = await connect(id);
    desktop.send('hello, early');
    const phone = new WebSocket(relayUrl + id);
    const first = await nextMessage(phone);
    expect(first.data.toString()).toBe('hello, early');
    phone.close();
    desktop.close();
  });

  it('turns a third peer away and keeps the first two talking', async () => {
    const id = sessionId();
    const a = await connect(id);
    const b = await connect(id);
    const third = await connect(id).catch((e: Error) => e);
    expect(String(third)).toMatch(/409/);
    const got = nextMessage(b);
    a.send('still here');
    expect((await got).data.toString()).toBe('still here');
    a.close();
    b.close();
  });

  it('closes a sender of an oversized frame (> 16 KiB), without forwarding it', async () => {
    const id = sessionId();
    const a = await connect(id);
    const b = await connect(id);
    let forwarded = false;
    b.on('message', () => (forwarded = true));
    const aClosed = closed(a);
    a.send(randomBytes(16 * 1024 + 1));
    expect(await aClosed).toBe(1009);
    await closed(b);
    expect(forwarded).toBe(false);
  });

  it('keeps sessions apart, refuses malformed session ids and drops a peer left alone', async () => {
    const [a1, a2, b1, b2] = await Promise.all([sessionId(), sessionId()].flatMap((id) => [connect(id), connect(id)]));
    const gotB = nextMessage(b2!);
    let leaked = false;
    a2!.on('message', () => (leaked = true));
    b1!.send('for b only');
    expect((await gotB).data.toString()).toBe('for b only');
    expect(leaked).toBe(false);
    for (const ws of [a1, a2, b1, b2]) ws!.close();

    expect(String(await connect('short').catch((e: Error) => e))).toMatch(/404/);
    const alone = await connect(sessionId());
    expect(await closed(alone)).toBe(4408); // waitForPeerMs elapsed
    expect(server.relay?.sessions()).toBe(0);
  });
});
