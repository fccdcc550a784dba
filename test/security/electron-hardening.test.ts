/**
 * Electron hardening over the REAL wiring the app runs (src-main/shell/electron-wiring.ts,
 * Electron injected as mocks: `electron` is never required here): one test per item of the
 * Electron security checklist (https://www.electronjs.org/docs/latest/tutorial/security, 20
 * items), each asserting what the code does, and docs/security.md checked against it — the
 * table must list the 20 items in order, and every file and name it cites must exist.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { REQUEST_CHANNELS } from '../../src-shared/ipc-contract';
import { createValidatedDispatcher, type IpcHandlers } from '../../src-main/ipc/validated';
import {
  APP_CONTENT_SECURITY_POLICY,
  APP_SCHEME,
  APP_SCHEME_PRIVILEGES,
  APP_START_URL,
  startElectronApp,
  type BrowserWindowOptions,
  type ElectronIpcMainInvokeEvent,
} from '../../src-main/shell/electron-wiring';
import { contentSecurityPolicy } from '../../src-main/shell/web-shell';
import { BRIDGE_GLOBAL, createBridge, exposeBridge } from '../../src-preload/bridge';
import { frame, invokeEvent, mockElectron, mockEvent, mockWebContents } from '../unit/shell/electron-mocks';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (rel: string) => readFileSync(path.join(ROOT, rel), 'utf8');
const HELP_LINK = 'https://esante.gouv.fr/produits-services/e-cps';

/** The checklist's titles, in its order (electronjs.org, "Checklist: Security recommendations"). */
const CHECKLIST = [
  'Only load secure content',
  'Do not enable Node.js integration for remote content',
  'Enable context isolation',
  'Enable process sandboxing',
  'Handle session permission requests from remote content',
  'Do not disable webSecurity',
  'Define a Content Security Policy',
  'Do not enable allowRunningInsecureContent',
  'Do not enable experimental features',
  'Do not use enableBlinkFeatures',
  'Do not use allowpopups for WebViews',
  'Verify WebView options before creation',
  'Disable or limit navigation',
  'Disable or limit creation of new windows',
  'Do not use shell.openExternal with untrusted content',
  'Use a current version of Electron',
  'Validate the sender of all IPC messages',
  'Avoid usage of the file:// protocol and prefer usage of custom protocols',
  'Check which fuses you can change',
  'Do not expose Electron APIs to untrusted web content',
] as const;

// ------------------------------------------------------------------ the app as it starts

let dir: string;
let rendererDir: string;
let app: Awaited<ReturnType<typeof startApp>>;

async function startApp() {
  const mock = mockElectron({ isPackaged: true });
  const openExternal = vi.fn(async () => undefined);
  const dispatched: string[] = [];
  const handlers = Object.fromEntries(
    REQUEST_CHANNELS.map((c) => [
      c,
      vi.fn(async () => {
        dispatched.push(c);
        return { demo: true, serviceUp: true, readers: [] };
      }),
    ]),
  ) as unknown as IpcHandlers;
  const electron = { ...mock.electron, shell: { openExternal } };
  const running = await startElectronApp({
    electron,
    rendererDir,
    preloadPath: '/app/dist/electron/preload.cjs',
    externalAllowlist: new Set([HELP_LINK]),
    createServices: async () => ({ dispatcher: createValidatedDispatcher(handlers), events: { subscribe: () => () => undefined }, dispose: async () => undefined }),
  });
  const window = mock.windows[0]!;
  return { mock, openExternal, dispatched, running, window, options: window.options as BrowserWindowOptions };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'ecps-electron-'));
  rendererDir = path.join(dir, 'renderer');
  mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>ecps</title>');
  writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'export {}');
  writeFileSync(path.join(dir, 'secret.txt'), 'outside');
  symlinkSync(path.join(dir, 'secret.txt'), path.join(rendererDir, 'assets', 'link.js'));
  app = await startApp();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every webContents the app guards (the window's own one, via 'web-contents-created'). */
function guardedContents() {
  const wc = mockWebContents(7);
  app.mock.appEmit('web-contents-created', {}, wc.contents);
  return wc;
}

const trustedEvent = (): ElectronIpcMainInvokeEvent => invokeEvent(app.window.contents.contents, frame(APP_START_URL));

// ------------------------------------------------------------------ one check per item

const checks: Record<number, () => Promise<void> | void> = {
  1: () => {
    expect(app.window.window.loadURL).toHaveBeenCalledWith(APP_START_URL);
    expect(APP_START_URL.startsWith(`${APP_SCHEME}://`)).toBe(true);
    // No remote origin anywhere in the policy: nothing but the app's own files loads.
    expect(APP_CONTENT_SECURITY_POLICY).not.toMatch(/https?:|wss?:|\*/);
    expect(APP_CONTENT_SECURITY_POLICY).toContain("connect-src 'self'");
  },
  2: () => {
    const p = app.options.webPreferences;
    expect([p.nodeIntegration, p.nodeIntegrationInWorker, p.nodeIntegrationInSubFrames]).toEqual([false, false, false]);
  },
  3: () => {
    expect(app.options.webPreferences.contextIsolation).toBe(true);
    const contextBridge = { exposeInMainWorld: vi.fn() };
    exposeBridge(contextBridge, { invoke: vi.fn(), on: vi.fn(), removeListener: vi.fn() });
    expect(contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1);
  },
  4: () => {
    expect(app.options.webPreferences.sandbox).toBe(true);
    expect(app.mock.app.enableSandbox).toHaveBeenCalled();
    expect(app.mock.app.enableSandbox.mock.invocationCallOrder[0]!).toBeLessThan(app.mock.app.whenReady.mock.invocationCallOrder[0]!);
  },
  5: () => {
    const request = app.mock.permissionRequest()!;
    const check = app.mock.permissionCheck()!;
    for (const permission of ['media', 'geolocation', 'notifications', 'midi', 'pointerLock', 'fullscreen', 'openExternal', 'clipboard-read', 'clipboard-sanitized-write', 'display-capture', 'hid', 'serial', 'usb', 'idle-detection', 'window-management', 'unknown']) {
      const callback = vi.fn();
      request({}, permission, callback);
      expect(callback, permission).toHaveBeenCalledWith(false);
      expect(check({}, permission), permission).toBe(false);
    }
  },
  6: () => expect(app.options.webPreferences.webSecurity).toBe(true),
  7: async () => {
    for (const csp of [APP_CONTENT_SECURITY_POLICY, contentSecurityPolicy('http://127.0.0.1:4000')]) {
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("base-uri 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/unsafe-eval|unsafe-inline|data:.*script/);
    }
    const res = await app.mock.protocolHandler()!(new Request(`${APP_START_URL}`));
    expect(res.headers.get('content-security-policy')).toBe(APP_CONTENT_SECURITY_POLICY);
  },
  8: () => expect(app.options.webPreferences.allowRunningInsecureContent).toBe(false),
  9: () => expect(app.options.webPreferences.experimentalFeatures).toBe(false),
  10: () => {
    expect(app.options.webPreferences).not.toHaveProperty('enableBlinkFeatures');
    expect(read('src-main/shell/electron-wiring.ts')).not.toMatch(/enableBlinkFeatures\s*:/);
  },
  11: () => {
    expect(app.options.webPreferences.webviewTag).toBe(false);
    const wc = guardedContents();
    const event = mockEvent();
    wc.emit('will-attach-webview', event, { allowpopups: true }, { src: 'https://evil.example' });
    expect(event.preventDefault).toHaveBeenCalled();
  },
  12: () => {
    const wc = guardedContents();
    const event = mockEvent();
    wc.emit('will-attach-webview', event, { preload: '/tmp/evil.js', nodeIntegration: true }, { src: APP_START_URL });
    expect(event.preventDefault).toHaveBeenCalled();
  },
  13: () => {
    const wc = guardedContents();
    for (const url of ['https://evil.example/', 'http://127.0.0.1:1/', 'file:///etc/passwd', 'javascript:alert(1)', `${APP_START_URL}#/other`, 'app://other/index.html', HELP_LINK]) {
      for (const name of ['will-navigate', 'will-redirect']) {
        const event = mockEvent();
        wc.emit(name, event, url);
        expect(event.preventDefault, `${name} ${url}`).toHaveBeenCalled();
      }
    }
    expect(APP_CONTENT_SECURITY_POLICY).toContain("default-src 'none'"); // no frame-src: frames cannot load
  },
  14: () => {
    const wc = guardedContents();
    for (const url of ['https://evil.example/', 'about:blank', APP_START_URL, HELP_LINK, '']) expect(wc.openWindow(url), url).toEqual({ action: 'deny' });
  },
  15: async () => {
    app.openExternal.mockClear();
    const wc = guardedContents();
    const hostile = [
      'http://esante.gouv.fr/produits-services/e-cps',
      'https://esante.gouv.fr.evil.example/produits-services/e-cps',
      'https://user:pw@esante.gouv.fr/produits-services/e-cps',
      'https://esante.gouv.fr/produits-services/e-cps/../../admin',
      'file:///C:/Windows/System32/calc.exe',
      'javascript:alert(1)',
      'ms-msdt:/id PCWDiagnostic',
      'smb://evil.example/share',
    ];
    for (const url of hostile) {
      wc.openWindow(url);
      wc.emit('will-navigate', mockEvent(), url);
    }
    await new Promise((r) => setTimeout(r, 10));
    expect(app.openExternal).not.toHaveBeenCalled();
    wc.openWindow(HELP_LINK);
    await new Promise((r) => setTimeout(r, 10));
    expect(app.openExternal).toHaveBeenCalledWith(HELP_LINK);
  },
  16: () => {
    const workflow = read('.github/workflows/desktop.yml');
    const pkg = JSON.parse(read('package.json')) as { devDependencies?: Record<string, string> };
    // Electron's exact pin in package.json (or a pin of the workflow's own, should it ever get one again).
    const pinned = /ELECTRON_VERSION:\s*'?(\d+)\.(\d+)\.(\d+)'?/.exec(workflow) ?? /^[~^]?(\d+)\.(\d+)\.(\d+)$/.exec(pkg.devDependencies?.electron ?? '');
    expect(pinned, 'Electron pinned to a version').not.toBeNull();
    // A supported line (Electron supports the latest three majors; 38 was current in late 2025).
    expect(Number(pinned![1])).toBeGreaterThanOrEqual(38);
  },
  17: async () => {
    const handle = app.mock.handlers.get('readers.list')!;
    const other = mockWebContents(999).contents;
    const refused: [string, ElectronIpcMainInvokeEvent][] = [
      ['another origin', invokeEvent(app.window.contents.contents, frame('https://evil.example/'))],
      ['file://', invokeEvent(app.window.contents.contents, frame('file:///app/index.html'))],
      ['another app:// host', invokeEvent(app.window.contents.contents, frame('app://other/index.html'))],
      ['a subframe of our page', invokeEvent(app.window.contents.contents, frame(APP_START_URL, frame(APP_START_URL)))],
      ['no frame (navigated away)', invokeEvent(app.window.contents.contents, null)],
      ['another webContents', invokeEvent(other, frame(APP_START_URL))],
      ['a malformed URL', invokeEvent(app.window.contents.contents, frame('::not a url'))],
    ];
    app.dispatched.length = 0;
    for (const [name, event] of refused) await expect(Promise.resolve(handle(event, {})), name).rejects.toThrow(/sender refused/);
    expect(app.dispatched).toEqual([]);
    expect(await handle(trustedEvent(), {})).toMatchObject({ ok: true });
    expect(app.dispatched).toEqual(['readers.list']);
    expect([...app.mock.handlers.keys()].sort()).toEqual([...REQUEST_CHANNELS].sort());
  },
  18: async () => {
    expect(app.mock.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }]);
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({ standard: true, secure: true, bypassCSP: false, corsEnabled: false });
    const serve = app.mock.protocolHandler()!;
    expect((await serve(new Request(APP_START_URL))).status).toBe(200);
    for (const url of ['app://renderer/assets/link.js', 'app://renderer/%2e%2e/secret.txt', 'app://other/index.html', 'app://renderer/.hidden']) {
      const res = await serve(new Request(url));
      expect(res.status, url).toBe(404);
      expect(await res.text()).not.toContain('outside');
    }
    expect((await serve(new Request(APP_START_URL, { method: 'POST', body: 'x' }))).status).toBe(405);
    expect(read('src-main/shell/electron-wiring.ts')).not.toMatch(/\.loadFile\(/);
    expect(app.window.window.loadURL).toHaveBeenCalledTimes(1);
  },
  19: () => {
    const yml = read('electron-builder.yml');
    const fuse = (name: string) => new RegExp(`^\\s+${name}:\\s*(true|false)\\s*$`, 'm').exec(yml)?.[1];
    expect({
      runAsNode: fuse('runAsNode'),
      enableNodeOptionsEnvironmentVariable: fuse('enableNodeOptionsEnvironmentVariable'),
      enableNodeCliInspectArguments: fuse('enableNodeCliInspectArguments'),
      grantFileProtocolExtraPrivileges: fuse('grantFileProtocolExtraPrivileges'),
      onlyLoadAppFromAsar: fuse('onlyLoadAppFromAsar'),
      enableEmbeddedAsarIntegrityValidation: fuse('enableEmbeddedAsarIntegrityValidation'),
      enableCookieEncryption: fuse('enableCookieEncryption'),
    }).toEqual({
      runAsNode: 'false',
      enableNodeOptionsEnvironmentVariable: 'false',
      enableNodeCliInspectArguments: 'false',
      grantFileProtocolExtraPrivileges: 'false',
      onlyLoadAppFromAsar: 'true',
      enableEmbeddedAsarIntegrityValidation: 'true',
      enableCookieEncryption: 'true',
    });
    // The packaged binary is read back, not only the configuration.
    const workflow = read('.github/workflows/desktop.yml');
    expect(workflow).toMatch(/@electron\/fuses[^\n]*read/);
    expect(workflow).toMatch(/RunAsNode is Disabled/);
  },
  20: async () => {
    const exposed = vi.fn();
    const ipcRenderer = { invoke: vi.fn(async () => ({ ok: true, result: 1 })), on: vi.fn(), removeListener: vi.fn() };
    exposeBridge({ exposeInMainWorld: exposed }, ipcRenderer);
    const [key, api] = exposed.mock.calls[0] as [string, Record<string, unknown>];
    expect(key).toBe(BRIDGE_GLOBAL);
    expect(Object.isFrozen(api)).toBe(true);
    expect(Object.values(api).every((v) => typeof v === 'function')).toBe(true);
    expect(Object.keys(api)).not.toEqual(expect.arrayContaining(['ipcRenderer', 'send', 'sendSync']));
    // Only contract channels reach IPC; a listener gets the payload, never Electron's event.
    const bridge = createBridge(ipcRenderer) as unknown as { invoke(c: string, p: unknown): Promise<unknown>; on(e: string, l: (p: unknown) => void): () => void };
    await expect(bridge.invoke('fs.readFile', {})).rejects.toMatchObject({ code: 'UnknownChannel' });
    expect(ipcRenderer.invoke).not.toHaveBeenCalled();
    const listener = vi.fn();
    bridge.on('readers.changed', listener);
    const wrapped = ipcRenderer.on.mock.calls[0]![1] as (event: unknown, payload: unknown) => void;
    wrapped({ sender: 'electron internals' }, { demo: true });
    expect(listener).toHaveBeenCalledWith({ demo: true });
    expect(bridge.on('some.other', listener)).toBeTypeOf('function');
    expect(ipcRenderer.on).toHaveBeenCalledTimes(1);
    expect(read('src-preload/preload.ts')).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer\s*\)/);
  },
};

describe('Electron security checklist, checked on the real wiring', () => {
  it.each(CHECKLIST.map((title, i) => [i + 1, title] as const))('%i. %s', async (n) => {
    expect(checks[n], `a check for item ${n}`).toBeTypeOf('function');
    await checks[n]!();
  });
});

// ------------------------------------------------------------------ docs/security.md

const normalise = (s: string) => s.toLowerCase().replace(/[`'’".:]/g, '').replace(/\s+/g, ' ').trim();
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const PATH = /(?:src-[a-z]+|test|docs|\.github|electron-builder\.yml)[\w./-]*/g;

interface DocRow {
  cells: string[];
  files: string[];
  names: string[];
}

function tableRows(markdown: string, heading: string): DocRow[] {
  const section = markdown.slice(markdown.indexOf(heading));
  const end = section.indexOf('\n## ', 1);
  const body = end < 0 ? section : section.slice(0, end);
  return body
    .split('\n')
    .filter((l) => l.startsWith('|') && !/^\|\s*-/.test(l))
    .slice(1)
    .map((line) => {
      const cells = line.split('|').slice(1, -1).map((c) => c.trim());
      const where = cells.slice(1).join(' ');
      const files = [...where.replace(/`[^`]*`/g, ' ').matchAll(PATH)].map((m) => m[0].replace(/[.,]$/, ''));
      const names = [...where.matchAll(/`([^`]+)`/g)].map((m) => m[1]!).filter((n) => IDENTIFIER.test(n));
      return { cells, files, names };
    });
}

describe('docs/security.md stays true', () => {
  const doc = read('docs/security.md');
  const checklist = tableRows(doc, '## Electron security checklist');

  it('lists the 20 checklist items, in order, with their titles', () => {
    expect(checklist.map((r) => Number(r.cells[0]))).toEqual(CHECKLIST.map((_, i) => i + 1));
    expect(checklist.map((r) => normalise(r.cells[1]!))).toEqual(CHECKLIST.map(normalise));
  });

  const allRows = [...checklist, ...tableRows(doc, '## Local servers'), ...tableRows(doc, '## Secrets and files')];
  it.each(allRows.map((r) => [r.cells[0]!, r] as const))('row %s: every file exists and every name is found in them', (_label, row) => {
    expect(row.files.length, 'names at least one file').toBeGreaterThan(0);
    for (const file of row.files) expect(existsSync(path.join(ROOT, file)), file).toBe(true);
    const sources = row.files.map((f) => read(f)).join('\n');
    for (const name of row.names) expect(sources, `${name} in ${row.files.join(', ')}`).toContain(name);
  });
});
