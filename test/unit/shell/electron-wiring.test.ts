/**
 * Electron main wiring under plain Node with a mocked Electron (issue 5 §1, architecture.md §4).
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { REQUEST_CHANNELS, type EventChannel, type EventOf } from '../../../src-shared/ipc-contract';
import { createValidatedDispatcher, type IpcHandlers } from '../../../src-main/ipc/validated';
import type { IpcEventListener, IpcEventSource } from '../../../src-main/ipc/handlers';
import {
  APP_CONTENT_SECURITY_POLICY,
  APP_START_URL,
  createAppProtocolHandler,
  ForbiddenSenderError,
  guardWebContents,
  isTrustedSender,
  startElectronApp,
} from '../../../src-main/shell/electron-wiring';
import { frame, invokeEvent, mockElectron, mockEvent, mockWebContents } from './electron-mocks';

const snapshot = { demo: true, serviceUp: true, readers: [] };

function fakeServices() {
  const readersList = vi.fn(async () => snapshot);
  const pinVerify = vi.fn(async () => ({ ok: true as const, reader: 'r', pin: { triesLeft: 3, maxTries: 3, blocked: false } }));
  const handlers = Object.fromEntries(REQUEST_CHANNELS.map((c) => [c, vi.fn(async () => { throw new Error(`unexpected ${c}`); })])) as unknown as IpcHandlers;
  Object.assign(handlers, { 'readers.list': readersList, 'pin.verify': pinVerify });
  let listener: IpcEventListener | undefined;
  const events: IpcEventSource = {
    subscribe(l) {
      listener = l;
      return () => {
        listener = undefined;
      };
    },
  };
  const dispose = vi.fn(async () => undefined);
  return {
    readersList,
    pinVerify,
    emit: <E extends EventChannel>(event: E, payload: EventOf<E>) => listener?.(event, payload),
    services: { dispatcher: createValidatedDispatcher(handlers), events, dispose },
    dispose,
  };
}

async function start(options: { lock?: boolean; isPackaged?: boolean } = {}) {
  const mock = mockElectron(options);
  const fake = fakeServices();
  const running = await startElectronApp({
    electron: mock.electron,
    rendererDir: '/nonexistent/renderer',
    preloadPath: '/app/dist/electron/preload.cjs',
    createServices: async () => fake.services,
  });
  return { mock, fake, running };
}

describe('startElectronApp', () => {
  it('enables the sandbox, registers app:// and takes the single-instance lock before ready', async () => {
    const { mock } = await start();
    expect(mock.app.enableSandbox).toHaveBeenCalledOnce();
    expect(mock.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true, bypassCSP: false }) }),
    ]);
    const order = (fn: { mock: { invocationCallOrder: number[] } }) => fn.mock.invocationCallOrder[0] ?? Infinity;
    expect(order(mock.app.enableSandbox)).toBeLessThan(order(mock.app.whenReady));
    expect(order(mock.app.requestSingleInstanceLock)).toBeLessThan(order(mock.app.whenReady));
    expect(order(mock.protocol.registerSchemesAsPrivileged)).toBeLessThan(order(mock.app.whenReady));
    expect(mock.protocol.handle).toHaveBeenCalledWith('app', expect.any(Function));
  });

  it('quits without a window when another instance holds the lock', async () => {
    const { mock, running } = await start({ lock: false });
    expect(running).toBeUndefined();
    expect(mock.app.quit).toHaveBeenCalled();
    expect(mock.BrowserWindow).not.toHaveBeenCalled();
    expect(mock.ipcMain.handle).not.toHaveBeenCalled();
  });

  it('opens ONE window with the secure webPreferences, loading the custom protocol', async () => {
    const { mock } = await start();
    expect(mock.windows).toHaveLength(1);
    const [{ options, window }] = mock.windows as [(typeof mock.windows)[number]];
    expect(options.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      preload: '/app/dist/electron/preload.cjs',
      devTools: false,
    });
    expect(window.loadURL).toHaveBeenCalledWith('app://renderer/index.html');
    expect(APP_START_URL.startsWith('app://')).toBe(true);
  });

  it('DevTools only when not packaged', async () => {
    const { mock } = await start({ isPackaged: false });
    expect(mock.windows[0]?.options.webPreferences.devTools).toBe(true);
  });

  it('focuses the existing window on a second instance', async () => {
    const { mock } = await start();
    mock.appEmit('second-instance');
    expect(mock.windows[0]?.window.focus).toHaveBeenCalled();
  });

  it('denies every permission request and check', async () => {
    const { mock } = await start();
    const callback = vi.fn();
    for (const permission of ['media', 'geolocation', 'notifications', 'hid', 'clipboard-read']) {
      mock.permissionRequest()?.({}, permission, callback);
      expect(mock.permissionCheck()?.({}, permission)).toBe(false);
    }
    expect(callback).toHaveBeenCalledTimes(5);
    expect(callback.mock.calls.every(([granted]) => granted === false)).toBe(true);
  });

  it('guards every created webContents: navigation, redirects, new windows, webviews', async () => {
    const { mock } = await start();
    const wc = mockWebContents(7);
    mock.appEmit('web-contents-created', {}, wc.contents);
    for (const [name, arg] of [['will-navigate', 'https://evil.example/'], ['will-redirect', 'https://evil.example/'], ['will-attach-webview', {}]] as const) {
      const event = mockEvent();
      wc.emit(name, event, arg);
      expect(event.preventDefault, name).toHaveBeenCalled();
    }
    expect(wc.openWindow('https://evil.example/')).toEqual({ action: 'deny' });
    expect(wc.openWindow('app://renderer/index.html')).toEqual({ action: 'deny' });
  });

  it('registers exactly the contract channels and forwards a trusted call to the validated handler', async () => {
    const { mock, fake } = await start();
    expect([...mock.handlers.keys()].sort()).toEqual([...REQUEST_CHANNELS].sort());
    const own = mock.windows[0]!.window.webContents;
    const answer = await mock.handlers.get('readers.list')!(invokeEvent(own, frame('app://renderer/index.html')), {});
    expect(answer).toEqual({ ok: true, result: snapshot });
    expect(fake.readersList).toHaveBeenCalledOnce();
  });

  it('rejects foreign origins, subframes, missing frames and other webContents before any handler runs', async () => {
    const { mock, fake } = await start();
    const own = mock.windows[0]!.window.webContents;
    const handle = mock.handlers.get('readers.list')!;
    const top = frame('app://renderer/index.html');
    const refused = [
      invokeEvent(own, frame('https://evil.example/index.html')),
      invokeEvent(own, frame('file:///app/dist/renderer/index.html')),
      invokeEvent(own, frame('app://other/index.html')),
      invokeEvent(own, frame('http://127.0.0.1:1234/')),
      invokeEvent(own, frame('app://renderer/frame.html', top)),
      invokeEvent(own, null),
      invokeEvent(mockWebContents(999).contents, frame('app://renderer/index.html')),
    ];
    for (const event of refused) await expect(handle(event, {})).rejects.toBeInstanceOf(ForbiddenSenderError);
    expect(fake.readersList).not.toHaveBeenCalled();
  });

  it('rejects a payload that does not match the channel schema (the PIN never reaches the handler)', async () => {
    const { mock, fake } = await start();
    const own = mock.windows[0]!.window.webContents;
    const handle = mock.handlers.get('pin.verify')!;
    const event = invokeEvent(own, frame('app://renderer/index.html'));
    for (const bad of [{ pin: 'abcd' }, { pin: '12345' }, { pin: '1234', extra: true }, 'nope', null]) {
      const answer = (await handle(event, bad)) as { ok: boolean; error?: { code: string } };
      expect(answer.ok).toBe(false);
      expect(answer.error?.code).toBe('InvalidPayload');
      expect(JSON.stringify(answer)).not.toContain('abcd');
    }
    expect(fake.pinVerify).not.toHaveBeenCalled();
    expect(await handle(event, { pin: '1234' })).toMatchObject({ ok: true });
  });

  it('pushes contract events with webContents.send, drops invalid ones, and cleans up on quit', async () => {
    const { mock, fake } = await start();
    const send = mock.windows[0]!.contents.raw.send;
    fake.emit('readers.changed', { ...snapshot, change: { type: 'refresh' } });
    expect(send).toHaveBeenCalledWith('readers.changed', { ...snapshot, change: { type: 'refresh' } });
    fake.emit('readers.changed', { bogus: true } as never);
    expect(send).toHaveBeenCalledTimes(1);
    mock.appEmit('will-quit');
    expect(mock.ipcMain.removeHandler).toHaveBeenCalledTimes(REQUEST_CHANNELS.length);
    expect(fake.dispose).toHaveBeenCalled();
    fake.emit('readers.changed', snapshot);
    expect(send).toHaveBeenCalledTimes(1);
  });
});

describe('isTrustedSender / guardWebContents (direct)', () => {
  it('accepts only the top frame of app://renderer', () => {
    const wc = mockWebContents(1).contents;
    expect(isTrustedSender(invokeEvent(wc, frame('app://renderer/')))).toBe(true);
    expect(isTrustedSender(invokeEvent(wc, frame('app://renderer.evil/')))).toBe(false);
    expect(isTrustedSender(invokeEvent(wc, frame('not a url')))).toBe(false);
  });

  it('logs denials without URLs', () => {
    const log = vi.fn();
    const wc = mockWebContents(1);
    guardWebContents(wc.contents, log);
    wc.emit('will-navigate', mockEvent(), 'https://evil.example/?secret=1');
    expect(log).toHaveBeenCalledWith('electron: navigation denied');
  });
});

describe('app:// protocol handler', () => {
  let dir: string;
  let renderer: string;
  let handler: (request: Request) => Promise<Response>;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ecps-app-protocol-'));
    renderer = path.join(dir, 'renderer');
    mkdirSync(path.join(renderer, 'assets'), { recursive: true });
    writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>app</title>');
    writeFileSync(path.join(renderer, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(path.join(renderer, '.env'), 'SECRET=1');
    writeFileSync(path.join(dir, 'secret.txt'), 'SECRET');
    symlinkSync(path.join(dir, 'secret.txt'), path.join(renderer, 'assets', 'link.txt'));
    handler = createAppProtocolHandler(renderer);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves index.html and assets with the strict CSP header', async () => {
    const index = await handler(new Request('app://renderer/index.html'));
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toContain('text/html');
    expect(await index.text()).toContain('<title>app</title>');
    const csp = index.headers.get('content-security-policy') ?? '';
    expect(csp).toBe(APP_CONTENT_SECURITY_POLICY);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toContain('unsafe-inline');
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    const js = await handler(new Request('app://renderer/assets/app.js'));
    expect(js.headers.get('content-type')).toContain('text/javascript');
    const route = await handler(new Request('app://renderer/activation'));
    expect(await route.text()).toContain('<title>app</title>');
  });

  it('never serves outside dist/renderer', async () => {
    for (const url of [
      'app://renderer/%2e%2e/secret.txt',
      'app://renderer/..%2fsecret.txt',
      'app://renderer/assets/..%2f..%2fsecret.txt',
      'app://renderer/%2e%2e%5csecret.txt',
      'app://renderer/.env',
      'app://renderer/assets/link.txt',
      'app://renderer/assets/missing.js',
      'app://renderer/%00',
      'app://renderer/%E0%A4%A',
      'app://evil/index.html',
    ]) {
      const res = await handler(new Request(url));
      expect(res.status, url).toBe(404);
      expect(await res.text(), url).not.toContain('SECRET');
    }
    const post = await handler(new Request('app://renderer/index.html', { method: 'POST', body: 'x' }));
    expect(post.status).toBe(405);
  });
});
