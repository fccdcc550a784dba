/**
 * The REAL web shell (src-main/shell/web-shell.ts) with the real IPC services on the demo reader
 * and a renderer folder shaped like dist/renderer, plus the tools a hostile local process has:
 * raw bytes on a TCP socket, a `ws` client with any header, many sockets at once. And the
 * legitimate page's own path (`legitimatePageWorks`), checked after every hostile act.
 */
import net from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { expect } from 'vitest';
import { createDemoPort, resetDemoCards } from '../../../src-main/reader/demo';
import { createIpcServices, type IpcServices } from '../../../src-main/ipc/handlers';
import { createValidatedDispatcher } from '../../../src-main/ipc/validated';
import { startWebShell, type WebShell } from '../../../src-main/shell/web-shell';
import type { InProcessReader } from '../../../simulators/cards/in-process-reader';

export const TOKEN = 'ab'.repeat(32);
/** A JS bundle big enough to be compressed, text-like like the real one. */
export const APP_JS = Array.from({ length: 400 }, (_, i) => `export function step${i}(x) { return x * ${i} + ${i % 7}; }`).join('\n');

export interface WebShellRig {
  shell: WebShell;
  port: InProcessReader;
  services: IpcServices;
  dir: string;
  rendererDir: string;
  logs: string[];
  host: string;
  close(): Promise<void>;
}

export async function startWebShellRig(): Promise<WebShellRig> {
  resetDemoCards();
  const port = await createDemoPort();
  await port.start();
  const services = createIpcServices({ port, demo: true, shell: 'web' });
  const dir = mkdtempSync(path.join(tmpdir(), 'ecps-sec-shell-'));
  const rendererDir = path.join(dir, 'renderer');
  mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>ecps</title><script type="module" src="./assets/app.js"></script>');
  writeFileSync(path.join(rendererDir, 'assets', 'app.js'), APP_JS);
  writeFileSync(path.join(rendererDir, 'assets', 'app.css'), 'body { margin: 0; }\n'.repeat(200));
  writeFileSync(path.join(rendererDir, 'assets', 'logo.png'), Buffer.alloc(2048, 7));
  writeFileSync(path.join(dir, 'secret.txt'), 'outside-the-renderer');
  const logs: string[] = [];
  const shell = await startWebShell({
    dispatcher: createValidatedDispatcher(services.handlers),
    events: services.events,
    rendererDir,
    token: TOKEN,
    log: (line) => logs.push(line),
  });
  return {
    shell,
    port,
    services,
    dir,
    rendererDir,
    logs,
    host: `127.0.0.1:${shell.port}`,
    async close() {
      await shell.close();
      await services.dispose();
      await port.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RawResponse {
  /** 0 when the server closed without answering. */
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  raw: Buffer;
}

/** Sends raw bytes, returns what came back before the server closed (or `waitMs` passed). */
export function rawExchange(port: number, bytes: Buffer | string, waitMs = 2_000): Promise<RawResponse> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes));
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(parseRaw(Buffer.concat(chunks)));
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('data', (c) => chunks.push(c));
    socket.on('close', finish);
    socket.on('error', () => undefined);
  });
}

export function parseRaw(raw: Buffer): RawResponse {
  const end = raw.indexOf('\r\n\r\n');
  const head = (end < 0 ? raw : raw.subarray(0, end)).toString('latin1');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  return { status, headers, body: end < 0 ? Buffer.alloc(0) : raw.subarray(end + 4), raw };
}

/** A GET (or other) request as raw text; `headers` are written as given, in order. */
export function rawRequest(method: string, target: string, headers: readonly string[]): string {
  return `${method} ${target} HTTP/1.1\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`;
}

/** The headers of a websocket upgrade; `origin` null: none sent. */
export function upgradeHeaders(host: string, origin: string | null = `http://${host}`): string[] {
  return [
    `Host: ${host}`,
    ...(origin !== null ? [`Origin: ${origin}`] : []),
    'Connection: Upgrade',
    'Upgrade: websocket',
    'Sec-WebSocket-Version: 13',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
  ];
}

export interface WsClient {
  ws: WebSocket;
  messages: Record<string, unknown>[];
  closed: Promise<{ code: number; reason: string }>;
  next(predicate: (m: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
}

/** Opens the IPC websocket (resolves on open, rejects with `HTTP <status>` on a refused upgrade). */
export function openWs(rig: WebShellRig, headers: Record<string, string> = {}, pathName = '/ipc'): Promise<WsClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${rig.shell.port}${pathName}`, { headers: { Origin: rig.shell.origin, ...headers }, perMessageDeflate: false });
    const messages: Record<string, unknown>[] = [];
    const closed = new Promise<{ code: number; reason: string }>((r) => ws.on('close', (code, reason) => r({ code, reason: reason.toString('utf8') })));
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      try {
        messages.push(JSON.parse(String(data)) as Record<string, unknown>);
      } catch {
        messages.push({ unparsable: String(data) });
      }
    });
    ws.on('open', () =>
      resolve({
        ws,
        messages,
        closed,
        async next(predicate, timeoutMs = 5_000) {
          const deadline = Date.now() + timeoutMs;
          for (;;) {
            const found = messages.find(predicate);
            if (found) return found;
            if (Date.now() > deadline) throw new Error(`no matching message; got ${JSON.stringify(messages).slice(0, 400)}`);
            await new Promise((r) => setTimeout(r, 5));
          }
        },
      }),
    );
    ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.on('error', (error) => reject(error));
  });
}

export async function authenticated(rig: WebShellRig): Promise<WsClient> {
  const client = await openWs(rig);
  client.ws.send(JSON.stringify({ type: 'auth', token: TOKEN }));
  await client.next((m) => m.type === 'auth-ok');
  return client;
}

let nextId = 1000;
/** One IPC request on an authenticated client; resolves with the reply. */
export async function request(client: WsClient, channel: string, payload: unknown): Promise<Record<string, unknown>> {
  const id = nextId++;
  client.ws.send(JSON.stringify({ id, channel, payload }));
  return client.next((m) => m.id === id);
}

/**
 * What the real page does, end to end: loads index.html and its script, opens the IPC socket,
 * authenticates with the token and lists the readers. Asserted after every hostile act.
 */
export async function legitimatePageWorks(rig: WebShellRig): Promise<void> {
  const page = await rawExchange(rig.shell.port, rawRequest('GET', '/', [`Host: ${rig.host}`, 'Accept-Encoding: gzip, br']));
  expect(page.status, 'GET / for the page').toBe(200);
  const script = await rawExchange(rig.shell.port, rawRequest('GET', '/assets/app.js', [`Host: ${rig.host}`]));
  expect(script.status).toBe(200);
  expect(script.body.toString('utf8')).toBe(APP_JS);
  const client = await authenticated(rig);
  try {
    const reply = await request(client, 'readers.list', {});
    expect(reply).toMatchObject({ ok: true, result: { demo: true } });
  } finally {
    client.ws.close();
    await client.closed;
  }
}
