/**
 * The web shell over a real socket with a real `ws` client: token, Origin, Host, frame size,
 * unknown channels, a good client's readers.list and readers.changed; the HTTP side's CSP and
 * its refusal to serve anything outside dist/renderer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { createDemoPort, resetDemoCards } from '../../src-main/reader/demo';
import { createIpcServices, type IpcServices } from '../../src-main/ipc/handlers';
import { createValidatedDispatcher } from '../../src-main/ipc/validated';
import { startWebShell, WEB_SHELL_MAX_PAYLOAD, type WebShell } from '../../src-main/shell/web-shell';
import type { InProcessReader } from '../../simulators/cards/in-process-reader';

const TOKEN = 'ab'.repeat(32);
let port: InProcessReader;
let services: IpcServices;
let shell: WebShell;
let dir: string;
let rendererDir: string;

beforeAll(async () => {
  resetDemoCards();
  port = await createDemoPort();
  await port.start();
  services = createIpcServices({ port, demo: true, shell: 'web' });
  dir = mkdtempSync(path.join(tmpdir(), 'ecps-web-shell-'));
  rendererDir = path.join(dir, 'renderer');
  mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>ecps</title><script type="module" src="./assets/app.js"></script>');
  writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(path.join(dir, 'secret.txt'), 'outside');
  shell = await startWebShell({ dispatcher: createValidatedDispatcher(services.handlers), events: services.events, rendererDir, token: TOKEN });
});

afterAll(async () => {
  await shell?.close();
  await services?.dispose();
  await port?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function wsUrl(): string {
  return `ws://127.0.0.1:${shell.port}/ipc`;
}

interface Client {
  ws: WebSocket;
  messages: unknown[];
  closed: Promise<{ code: number }>;
  next(predicate: (m: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
}

function connect(headers: Record<string, string> = {}): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl(), { headers: { Origin: shell.origin, ...headers } });
    const messages: unknown[] = [];
    const waiters: { predicate: (m: Record<string, unknown>) => boolean; resolve: (m: Record<string, unknown>) => void }[] = [];
    const closed = new Promise<{ code: number }>((r) => ws.on('close', (code) => r({ code })));
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as Record<string, unknown>;
      messages.push(m);
      for (const w of [...waiters]) if (w.predicate(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    });
    ws.on('open', () =>
      resolve({
        ws,
        messages,
        closed,
        next: (predicate) =>
          new Promise((r) => {
            const found = messages.find((m) => predicate(m as Record<string, unknown>));
            if (found) r(found as Record<string, unknown>);
            else waiters.push({ predicate, resolve: r });
          }),
      }),
    );
    ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.on('error', reject);
  });
}

async function authed(): Promise<Client> {
  const client = await connect();
  client.ws.send(JSON.stringify({ type: 'auth', token: TOKEN }));
  await client.next((m) => m.type === 'auth-ok');
  return client;
}

function httpGet(pathName: string, host = `127.0.0.1:${shell.port}`): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: shell.port, path: pathName, headers: { Host: host } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('web shell websocket', () => {
  it('listens on 127.0.0.1 and gives a URL with a 256-bit token in its fragment', () => {
    expect(shell.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{64}$/);
  });

  it('refuses a wrong token', async () => {
    const client = await connect();
    client.ws.send(JSON.stringify({ type: 'auth', token: 'cd'.repeat(32) }));
    expect((await client.closed).code).toBe(4401);
  });

  it('refuses a request before the token', async () => {
    const client = await connect();
    client.ws.send(JSON.stringify({ id: 1, channel: 'readers.list', payload: {} }));
    expect((await client.closed).code).toBe(4401);
    expect(client.messages).toEqual([]);
  });

  it('refuses a foreign Origin and a missing one', async () => {
    await expect(connect({ Origin: 'http://evil.example' })).rejects.toThrow(/403/);
    await expect(connect({ Origin: `http://localhost:${shell.port}` })).rejects.toThrow(/403/);
    const noOrigin = new WebSocket(wsUrl());
    await expect(new Promise((resolve, reject) => { noOrigin.on('open', resolve); noOrigin.on('unexpected-response', (_q, r) => reject(new Error(`HTTP ${r.statusCode}`))); noOrigin.on('error', reject); })).rejects.toThrow(/403/);
  });

  it('refuses a wrong Host (DNS rebinding)', async () => {
    await expect(connect({ Host: `evil.example:${shell.port}` })).rejects.toThrow(/421/);
    await expect(connect({ Host: `localhost:${shell.port}` })).rejects.toThrow(/421/);
  });

  it('closes on an oversized frame, a binary frame and a non-request frame', async () => {
    const big = await authed();
    big.ws.send(JSON.stringify({ id: 1, channel: 'readers.list', payload: { x: 'a'.repeat(WEB_SHELL_MAX_PAYLOAD) } }));
    expect((await big.closed).code).toBe(1009);
    const binary = await authed();
    binary.ws.send(Buffer.from('{}'));
    expect((await binary.closed).code).toBe(4400);
    const junk = await authed();
    junk.ws.send('not json');
    expect((await junk.closed).code).toBe(4400);
  });

  it('answers an unknown channel and a malformed payload with an error reply', async () => {
    const client = await authed();
    client.ws.send(JSON.stringify({ id: 7, channel: 'fs.readFile', payload: { path: '/etc/passwd' } }));
    expect(await client.next((m) => m.id === 7)).toMatchObject({ id: 7, ok: false, error: { code: 'UnknownChannel' } });
    client.ws.send(JSON.stringify({ id: 8, channel: 'pin.verify', payload: { pin: '123' } }));
    expect(await client.next((m) => m.id === 8)).toMatchObject({ id: 8, ok: false, error: { code: 'InvalidPayload' } });
    client.ws.close();
  });

  it('a good client gets readers.list and a readers.changed event', async () => {
    const client = await authed();
    client.ws.send(JSON.stringify({ id: 1, channel: 'readers.list', payload: {} }));
    const reply = await client.next((m) => m.id === 1);
    expect(reply).toMatchObject({ ok: true, result: { demo: true, readers: [{ card: { type: 'cps3' } }, { card: { type: 'vitale2' } }] } });
    const card = port.remove(1);
    const event = await client.next((m) => m.event === 'readers.changed');
    expect(event).toMatchObject({ payload: { change: { type: 'card-removed' } } });
    if (card) port.insert(1, card);
    client.ws.close();
  });
});

describe('web shell HTTP', () => {
  it('serves the renderer with a strict CSP (no unsafe-eval)', async () => {
    const res = await httpGet('/');
    expect(res.status).toBe(200);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect((await httpGet('/assets/app.js')).status).toBe(200);
  });

  it('serves nothing outside dist/renderer (path traversal refused)', async () => {
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt', '/%00', '/.hidden', '/assets/missing.js']) {
      const res = await httpGet(p);
      expect(res.status, p).toBeGreaterThanOrEqual(400);
      expect(res.body, p).not.toContain('outside');
    }
  });

  it('refuses a wrong Host on HTTP too', async () => {
    expect((await httpGet('/', 'evil.example')).status).toBe(421);
  });
});
