/**
 * Hostile batteries against the REAL web shell (issue 13): what another local process or a
 * DNS-rebinding page could send — Host/Origin/path variants, methods, encoded traversal, header
 * and body sizes, IPC payloads outside the contract, wire-level abuse, floods. Every case
 * asserts the refusal AND that the real page (token holder) still loads and works afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import WebSocket from 'ws';
import { WEB_SHELL_MAX_PAYLOAD, WEB_SHELL_MAX_UNAUTHENTICATED } from '../../src-main/shell/web-shell';
import {
  TOKEN,
  authenticated,
  legitimatePageWorks,
  openWs,
  rawExchange,
  rawRequest,
  request,
  startWebShellRig,
  upgradeHeaders,
  type WebShellRig,
} from './support/web-shell-rig';
import { closeCodeIn, frame, rawUpgrade, text } from './support/ws-frames';

let rig: WebShellRig;
beforeAll(async () => {
  rig = await startWebShellRig();
});
afterAll(async () => {
  await rig?.close();
});

const P = () => rig.shell.port;
const H = () => rig.host;

describe('issue 13 regressions (each failed before the fix)', () => {
  it('#1 a Host with a trailing space or tab is refused (421), compared byte for byte', async () => {
    for (const host of [`${H()} `, `${H()}\t`]) {
      const res = await rawExchange(P(), rawRequest('GET', '/', [`Host: ${host}`]));
      expect(res.status, JSON.stringify(host)).toBe(421);
      const up = await rawExchange(P(), rawRequest('GET', '/ipc', upgradeHeaders(host, rig.shell.origin)));
      expect(up.status, JSON.stringify(host)).toBe(421);
    }
    await legitimatePageWorks(rig);
  });

  it('#2 two Host headers are refused (400), whichever comes first, on HTTP and on the upgrade', async () => {
    for (const pair of [
      [`Host: ${H()}`, 'Host: evil.example'],
      ['Host: evil.example', `Host: ${H()}`],
      [`Host: ${H()}`, `Host: ${H()}`],
    ]) {
      expect((await rawExchange(P(), rawRequest('GET', '/', pair))).status, pair.join(' + ')).toBe(400);
      const up = [...pair, `Origin: ${rig.shell.origin}`, ...upgradeHeaders(H()).slice(2)];
      expect((await rawExchange(P(), rawRequest('GET', '/ipc', up))).status, pair.join(' + ')).toBe(400);
    }
    await legitimatePageWorks(rig);
  });

  it('#3 the IPC socket opens on exactly /ipc: a query, dot segments or a suffix are 404', async () => {
    for (const target of ['/ipc?', '/ipc?x=1', '/ipc?..', '/ipc/..', '/ipc/', '/ipc/.', '/./ipc', '/x/../ipc', '//ipc', '/IPC', '/%69pc', '/ipc%2f', '/ipc#x']) {
      const res = await rawExchange(P(), rawRequest('GET', target, upgradeHeaders(H())));
      expect(res.status, target).toBe(404);
    }
    await legitimatePageWorks(rig);
  });

  it('#4 idle unauthenticated sockets never lock the page out: the oldest is evicted, the page gets in at once', async () => {
    const squatters = await Promise.all(Array.from({ length: WEB_SHELL_MAX_UNAUTHENTICATED + 4 }, () => openWs(rig)));
    const started = Date.now();
    await legitimatePageWorks(rig);
    expect(Date.now() - started).toBeLessThan(2_000); // not the 5 s auth deadline of the squatters
    const evicted = await Promise.race([squatters[0]!.closed, new Promise<undefined>((r) => setTimeout(() => r(undefined), 2_000))]);
    expect(evicted?.code).toBe(4408);
    for (const s of squatters) s.ws.terminate();
  });
});

describe('Host, Origin and path variants', () => {
  const hostCases: [string, (h: string, port: number) => string[], number][] = [
    ['no Host', () => [], 400],
    ['empty Host', () => ['Host: '], 421],
    ['localhost', (_h, p) => [`Host: localhost:${p}`], 421],
    ['no port', () => ['Host: 127.0.0.1'], 421],
    ['other port', (_h, p) => [`Host: 127.0.0.1:${p === 1 ? 2 : p - 1}`], 421],
    ['leading zero port', (_h, p) => [`Host: 127.0.0.1:0${p}`], 421],
    ['trailing dot', (_h, p) => [`Host: 127.0.0.1.:${p}`], 421],
    ['short IPv4', (_h, p) => [`Host: 127.1:${p}`], 421],
    ['decimal IPv4', (_h, p) => [`Host: 2130706433:${p}`], 421],
    ['IPv6 loopback', (_h, p) => [`Host: [::1]:${p}`], 421],
    ['userinfo', (h) => [`Host: ${h}@evil.example`], 421],
    ['rebinding name', (_h, p) => [`Host: evil.example:${p}`], 421],
    ['suffix', (h) => [`Host: ${h}.evil.example`], 421],
    ['port twice', (h, p) => [`Host: ${h}:${p}`], 421],
    ['folded line', (h) => [`Host: ${h}`, ' x'], 400],
    ['NUL in a header', (h) => [`Host: ${h}`, 'X-A: a\u0000b'], 400],
  ];
  it.each(hostCases)('HTTP with %s is refused', async (_name, headers, status) => {
    expect((await rawExchange(P(), rawRequest('GET', '/', headers(H(), P())))).status).toBe(status);
    await legitimatePageWorks(rig);
  });

  it('bare LF line ends are refused (400)', async () => {
    expect((await rawExchange(P(), `GET / HTTP/1.1\nHost: ${H()}\n\n`)).status).toBe(0);
    expect((await rawExchange(P(), `GET / HTTP/1.1\r\nHost: ${H()}\nX: y\r\n\r\n`)).status).toBe(400);
    await legitimatePageWorks(rig);
  });

  const originCases: [string, (o: string) => string | null][] = [
    ['missing', () => null],
    ['null', () => 'null'],
    ['localhost', (o) => o.replace('127.0.0.1', 'localhost')],
    ['https', (o) => o.replace('http:', 'https:')],
    ['trailing slash', (o) => `${o}/`],
    ['upper-case scheme', (o) => o.replace('http', 'HTTP')],
    ['suffix', (o) => `${o}.evil.example`],
    ['other site', () => 'http://evil.example'],
    ['file', () => 'file://'],
  ];
  it.each(originCases)('websocket upgrade with Origin %s is refused (403)', async (_name, origin) => {
    const res = await rawExchange(P(), rawRequest('GET', '/ipc', upgradeHeaders(H(), origin(rig.shell.origin))));
    expect(res.status).toBe(403);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    await legitimatePageWorks(rig);
  });

  it('two Origin headers (the good one first) are refused (400)', async () => {
    const headers = [...upgradeHeaders(H()), 'Origin: http://evil.example'];
    expect((await rawExchange(P(), rawRequest('GET', '/ipc', headers))).status).toBe(400);
    await legitimatePageWorks(rig);
  });

  it.each([
    ['version 7', ['Sec-WebSocket-Version: 7']],
    ['no key', []],
  ])('a malformed upgrade (%s) is refused', async (_name, extra) => {
    const headers = upgradeHeaders(H()).filter((h) => !/^Sec-WebSocket-(Version|Key)/.test(h));
    const res = await rawExchange(P(), rawRequest('GET', '/ipc', [...headers, ...extra, ...(extra.length ? ['Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=='] : [])]));
    expect(res.status).toBeGreaterThanOrEqual(400);
    await legitimatePageWorks(rig);
  });
});

describe('methods and path traversal', () => {
  it.each(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND', 'CONNECT'])('%s is not served', async (method) => {
    const target = method === 'CONNECT' ? H() : '/';
    const res = await rawExchange(P(), rawRequest(method, target, [`Host: ${H()}`, 'Content-Length: 0']));
    expect(res.status === 405 || res.status === 400 || res.status === 0, `${method} → ${res.status}`).toBe(true);
    expect(res.body.toString()).not.toContain('<title>ecps</title>');
    await legitimatePageWorks(rig);
  });

  it.each([
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E%2Fsecret.txt',
    '/.%2e/secret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/assets/%2e%2e/%2e%2e/secret.txt',
    '/..%5csecret.txt',
    '/%5c..%5csecret.txt',
    '/%252e%252e/secret.txt',
    '/%c0%ae%c0%ae/secret.txt',
    '/..;/secret.txt',
    '/%00/secret.txt',
    '/secret.txt%00.js',
    '/.hidden',
    '/assets/.%2e/.%2e/secret.txt',
    `http://${'127.0.0.1'}:1/../secret.txt`,
    '*',
  ])('%s never reaches a file outside the renderer', async (target) => {
    const res = await rawExchange(P(), rawRequest('GET', target, [`Host: ${H()}`]));
    expect(res.body.toString('utf8')).not.toContain('outside-the-renderer');
    // Either refused, or the app's own index.html (client-side routes fall back to it).
    if (res.status === 200) expect(res.body.toString('utf8')).toContain('<title>ecps</title>');
    else expect(res.status).toBeGreaterThanOrEqual(400);
    await legitimatePageWorks(rig);
  });
});

describe('header and body sizes', () => {
  it('a 20 KiB header is refused (431)', async () => {
    const res = await rawExchange(P(), rawRequest('GET', '/', [`Host: ${H()}`, `X-Big: ${'a'.repeat(20 * 1024)}`]));
    expect(res.status).toBe(431);
    await legitimatePageWorks(rig);
  });

  it('500 header lines do not break the server', async () => {
    const many = Array.from({ length: 500 }, (_, i) => `X-H${i}: v`);
    const res = await rawExchange(P(), rawRequest('GET', '/', [`Host: ${H()}`, ...many]));
    expect([200, 400, 431]).toContain(res.status);
    await legitimatePageWorks(rig);
  });

  it('a request head that never ends is cut (slow loris), the page unaffected meanwhile', async () => {
    const socket = net.connect(P(), '127.0.0.1');
    socket.on('error', () => undefined);
    const closed = new Promise<number>((r) => {
      const t0 = Date.now();
      socket.on('close', () => r(Date.now() - t0));
    });
    socket.write(`GET / HTTP/1.1\r\nHost: ${H()}\r\n`);
    const drip = setInterval(() => socket.write('X-Drip: 1\r\n'), 500);
    await legitimatePageWorks(rig);
    const ms = await closed;
    clearInterval(drip);
    expect(ms).toBeLessThan(8_000);
  }, 15_000);

  it('a GET announcing a huge body gets its answer and the connection is closed; a POST body is refused', async () => {
    const res = await rawExchange(P(), rawRequest('GET', '/', [`Host: ${H()}`, 'Content-Length: 100000000']) + 'abc');
    expect(res.status).toBe(200);
    expect(res.headers.connection).toBe('close');
    const post = await rawExchange(P(), rawRequest('POST', '/ipc', [`Host: ${H()}`, 'Content-Length: 4']) + '{"a"');
    expect(post.status).toBe(405);
    await legitimatePageWorks(rig);
  });

  it('a second request pipelined on the same connection is not served', async () => {
    const one = rawRequest('GET', '/', [`Host: ${H()}`]);
    const res = await rawExchange(P(), one + rawRequest('GET', '/assets/app.js', [`Host: ${H()} `]));
    expect(res.status).toBe(200);
    expect(res.raw.toString('latin1').match(/HTTP\/1\.1 /g)?.length).toBe(1);
    await legitimatePageWorks(rig);
  });
});

describe('IPC payloads outside the contract (authenticated socket)', () => {
  const cases: [string, unknown, RegExp][] = [
    ['an unknown channel', { channel: 'fs.readFile', payload: { path: '/etc/passwd' } }, /UnknownChannel/],
    ['__proto__ as channel', { channel: '__proto__', payload: {} }, /UnknownChannel/],
    ['constructor as channel', { channel: 'constructor', payload: {} }, /UnknownChannel/],
    ['a PIN of the wrong length', { channel: 'pin.verify', payload: { pin: '123' } }, /InvalidPayload/],
    ['a PIN as a number', { channel: 'pin.verify', payload: { pin: 1234 } }, /InvalidPayload/],
    ['an extra field', { channel: 'readers.list', payload: { x: 1 } }, /InvalidPayload/],
    ['a prototype-polluting payload', { channel: 'settings.set', payload: JSON.parse('{"__proto__":{"polluted":true}}') }, /InvalidPayload/],
    ['an http authority elsewhere than localhost', { channel: 'settings.set', payload: { authority: 'http://evil.example' } }, /Settings|InvalidPayload/],
    ['a deeply nested payload', { channel: 'readers.list', payload: JSON.parse('['.repeat(2000) + ']'.repeat(2000)) }, /InvalidPayload/],
    ['a code that is not one', { channel: 'activation.submitCode', payload: { code: '../../etc' } }, /InvalidPayload/],
  ];
  it.each(cases)('%s gets an error reply, never a crash', async (_name, message, code) => {
    const client = await authenticated(rig);
    const reply = await request(client, (message as { channel: string }).channel, (message as { payload: unknown }).payload);
    expect(reply.ok).toBe(false);
    expect(JSON.stringify(reply.error)).toMatch(code);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // The same socket still answers a good request.
    expect(await request(client, 'readers.list', {})).toMatchObject({ ok: true });
    client.ws.close();
    await legitimatePageWorks(rig);
  });
});

describe('wire-level abuse', () => {
  const head = () => rawRequest('GET', '/ipc', upgradeHeaders(H()));
  const auth = () => text(JSON.stringify({ type: 'auth', token: TOKEN }));
  const cases: [string, () => Buffer[], number][] = [
    ['a binary frame before auth', () => [frame(0x2, '{}')], 4400],
    ['non-JSON before auth', () => [text('hello')], 4400],
    ['a request before auth', () => [text(JSON.stringify({ id: 1, channel: 'readers.list', payload: {} }))], 4401],
    ['a wrong token', () => [text(JSON.stringify({ type: 'auth', token: 'cd'.repeat(32) }))], 4401],
    ['a token with an extra field', () => [text(JSON.stringify({ type: 'auth', token: TOKEN, admin: true }))], 4401],
    ['a second auth', () => [auth(), auth()], 4400],
    ['a binary frame after auth', () => [auth(), frame(0x2, Buffer.from('{"id":1}'))], 4400],
    ['deep JSON nesting', () => [auth(), text('['.repeat(7000) + ']'.repeat(7000))], 4400],
    ['an oversized frame', () => [auth(), text('x'.repeat(WEB_SHELL_MAX_PAYLOAD + 1))], 1009],
    ['a length announcing 4 GiB', () => [frame(0x1, 'x', { declaredLength: 2 ** 32 })], 1009],
    ['fragments adding up past the limit', () => [frame(0x1, 'a'.repeat(9000), { fin: false }), frame(0x0, 'b'.repeat(9000), { fin: false })], 1009],
    ['invalid UTF-8', () => [auth(), frame(0x1, Buffer.from([0xc3, 0x28]))], 1007],
    ['an unmasked frame', () => [frame(0x1, 'x', { mask: false })], 1002],
    ['a reserved opcode', () => [frame(0x3, 'x')], 1002],
    ['RSV bits without an extension', () => [frame(0x1, 'x', { rsv: 4 })], 1002],
  ];
  it.each(cases)('%s closes the socket', async (_name, frames, code) => {
    const ws = await rawUpgrade(P(), head());
    for (const f of frames()) ws.socket.write(f);
    const data = await ws.ended(3_000);
    expect(closeCodeIn(data)).toBe(code);
    await legitimatePageWorks(rig);
  });

  it('a ping flood is answered and the page still works', async () => {
    const ws = await rawUpgrade(P(), head());
    ws.socket.write(auth());
    for (let i = 0; i < 500; i++) ws.socket.write(frame(0x9, 'p'));
    await new Promise((r) => setTimeout(r, 300));
    await legitimatePageWorks(rig);
    ws.socket.destroy();
  });
});

describe('floods', () => {
  it('200 wrong-token sockets at once: each refused (4401) or evicted unauthenticated (4408), the page gets in', async () => {
    const clients = await Promise.all(Array.from({ length: 200 }, () => openWs(rig).catch(() => undefined)));
    for (const c of clients) if (c?.ws.readyState === WebSocket.OPEN) c.ws.send(JSON.stringify({ type: 'auth', token: 'cd'.repeat(32) }));
    const codes = await Promise.all(clients.map((c) => c?.closed));
    expect(codes.every((c) => c === undefined || c.code === 4401 || c.code === 4408)).toBe(true);
    expect(codes.some((c) => c?.code === 4401)).toBe(true);
    await legitimatePageWorks(rig);
  });

  it('300 requests with a foreign Host at once: all 421, the page still loads', async () => {
    const results = await Promise.all(Array.from({ length: 300 }, () => rawExchange(P(), rawRequest('GET', '/', ['Host: evil.example']))));
    expect(results.every((r) => r.status === 421 || r.status === 0)).toBe(true);
    expect(results.filter((r) => r.status === 421).length).toBeGreaterThan(250);
    await legitimatePageWorks(rig);
  });

  it('while another process keeps opening idle sockets, the page still authenticates', async () => {
    let stop = false;
    const opened: WebSocket[] = [];
    const flood = (async () => {
      while (!stop) {
        const c = await openWs(rig).catch(() => undefined);
        if (c) opened.push(c.ws);
        await new Promise((r) => setImmediate(r));
      }
    })();
    await new Promise((r) => setTimeout(r, 200));
    try {
      await legitimatePageWorks(rig);
    } finally {
      stop = true;
      await flood;
      for (const ws of opened) ws.terminate();
    }
  });

  it('1000 requests on one authenticated socket are all answered', async () => {
    const client = await authenticated(rig);
    const replies = await Promise.all(Array.from({ length: 1000 }, () => request(client, 'app.info', {})));
    expect(replies.every((r) => r.ok === true)).toBe(true);
    client.ws.close();
    await legitimatePageWorks(rig);
  });
});
