/**
 * The renderer's websocket bridge (src-renderer/composables/useBridge.ts) sends the requests made
 * while it connects right behind its auth frame, without waiting for `auth-ok` (one round trip
 * less before the first screen has its answers; issue 11 §2). A real `ws` server stands for the
 * web shell; it answers `auth-ok` late on purpose.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ref } from 'vue';
import { WebSocket as WsClient, WebSocketServer } from 'ws';
import { createWebSocketBridge, type ConnectionState } from '../../../src-renderer/composables/useBridge';

const TOKEN = 'a'.repeat(64);
let server: WebSocketServer;
let url: string;
let frames: unknown[];
const previous = (globalThis as { WebSocket?: unknown }).WebSocket;

beforeEach(async () => {
  // Node 20 has no global WebSocket; the ws client speaks the same addEventListener API.
  (globalThis as { WebSocket?: unknown }).WebSocket = WsClient;
  frames = [];
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  url = `ws://127.0.0.1:${(server.address() as { port: number }).port}/ipc`;
  server.on('connection', (ws) => {
    // As the web shell: the token is checked on the first frame, in order; only the auth-ok
    // frame is late here, on purpose.
    let authed = false;
    let authOkSent = false;
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { type?: string; token?: string; id?: number; channel?: string };
      frames.push({ ...frame, authOkSent });
      if (!authed) {
        if (frame.type !== 'auth' || frame.token !== TOKEN) return ws.close(4401, 'unauthorized');
        authed = true;
        setTimeout(() => {
          authOkSent = true;
          ws.send(JSON.stringify({ type: 'auth-ok' }));
        }, 150);
        return;
      }
      ws.send(JSON.stringify({ id: frame.id, ok: true, result: { channel: frame.channel } }));
    });
  });
});

afterEach(async () => {
  (globalThis as { WebSocket?: unknown }).WebSocket = previous;
  for (const client of server.clients) client.terminate();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('websocket bridge', () => {
  it('requests made while connecting leave right behind the auth frame, before auth-ok', async () => {
    const state = ref<ConnectionState>('connecting');
    const bridge = createWebSocketBridge({ url, token: TOKEN, state });
    const info = bridge.appInfo({});
    const list = bridge.readersList({});
    await expect(info).resolves.toEqual({ channel: 'app.info' });
    await expect(list).resolves.toEqual({ channel: 'readers.list' });
    expect(frames.map((f) => (f as { type?: string; channel?: string }).type ?? (f as { channel: string }).channel)).toEqual(['auth', 'app.info', 'readers.list']);
    // Both requests reached the server before it said auth-ok (the server answers them once authed).
    expect(frames.slice(1).every((f) => (f as { authOkSent: boolean }).authOkSent === false)).toBe(true);
    await expect.poll(() => state.value).toBe('open');
  });

  it('a wrong token: the pipelined requests fail, the state says refused', async () => {
    const state = ref<ConnectionState>('connecting');
    const bridge = createWebSocketBridge({ url, token: 'b'.repeat(64), state });
    await expect(bridge.appInfo({})).rejects.toMatchObject({ channel: 'app.info', code: 'Disconnected' });
    await expect.poll(() => state.value).toBe('refused');
    await expect(bridge.readersList({})).rejects.toMatchObject({ code: 'Unauthorized' });
  });
});
