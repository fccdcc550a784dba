/**
 * Electron main-process wiring (issue 5 §1, architecture.md §4), with every Electron object
 * INJECTED: this file never imports 'electron', so it runs and is unit-tested under plain Node
 * with mocks (test/unit/shell/electron-wiring.test.ts). `electron-main.ts` is the only file
 * that imports Electron and hands its objects in here.
 *
 * The interfaces below are the small structural subset of Electron's API we use (the binary —
 * and so the `electron` package — cannot be installed on our build machines).
 *
 * Anchors: VS Code `validatedIpcMain` (sender frame check: own custom-protocol origin, no
 * subframe), electron/fiddle `windows.ts` (navigation/new-window guards), Electron security
 * checklist items 3–5, 7, 11–14, 17, 18.
 */
import { readFile } from 'node:fs/promises';
import {
  EVENT_CHANNELS,
  REQUEST_CHANNELS,
  type EventChannel,
  type EventOf,
} from '../../src-shared/ipc-contract';
import type { IpcDispatcher, IpcResult } from '../ipc/validated';
import { validateEvent } from '../ipc/validated';
import type { IpcEventSource } from '../ipc/handlers';
import { mimeTypeOf, rendererContentSecurityPolicy, resolveStaticFile } from './static-files';
import { isAllowedHelpLink } from '../settings/help';

// ----------------------------------------------------------------------------- Electron subset

export interface ElectronWebFrameMain {
  readonly url: string;
  readonly parent: ElectronWebFrameMain | null;
}

export interface ElectronEvent {
  preventDefault(): void;
}

export interface ElectronWebContents {
  readonly id: number;
  on(event: 'will-navigate' | 'will-redirect', listener: (event: ElectronEvent, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: ElectronEvent, ...rest: unknown[]) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' } | { action: 'allow' }): void;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
}

export interface ElectronIpcMainInvokeEvent {
  readonly sender: ElectronWebContents;
  /** Null when the frame navigated away or was destroyed. */
  readonly senderFrame: ElectronWebFrameMain | null;
}

export interface ElectronIpcMain {
  handle(channel: string, listener: (event: ElectronIpcMainInvokeEvent, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export interface ElectronSession {
  setPermissionRequestHandler(handler: ((webContents: unknown, permission: string, callback: (granted: boolean) => void, details?: unknown) => void) | null): void;
  setPermissionCheckHandler(handler: ((webContents: unknown, permission: string, requestingOrigin?: string, details?: unknown) => boolean) | null): void;
}

export interface ElectronProtocol {
  registerSchemesAsPrivileged(schemes: Array<{ scheme: string; privileges: Record<string, boolean> }>): void;
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void;
}

export interface BrowserWindowOptions {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  show: boolean;
  title: string;
  backgroundColor: string;
  autoHideMenuBar: boolean;
  webPreferences: {
    preload: string;
    sandbox: true;
    contextIsolation: true;
    nodeIntegration: false;
    nodeIntegrationInWorker: false;
    nodeIntegrationInSubFrames: false;
    webviewTag: false;
    webSecurity: true;
    allowRunningInsecureContent: false;
    experimentalFeatures: false;
    navigateOnDragDrop: false;
    spellcheck: false;
    devTools: boolean;
  };
}

export interface ElectronBrowserWindow {
  readonly webContents: ElectronWebContents;
  loadURL(url: string): Promise<void>;
  once(event: 'ready-to-show', listener: () => void): unknown;
  on(event: 'closed', listener: () => void): unknown;
  show(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
}

export interface ElectronApp {
  readonly isPackaged: boolean;
  enableSandbox(): void;
  requestSingleInstanceLock(): boolean;
  quit(): void;
  whenReady(): Promise<void>;
  on(event: 'second-instance' | 'window-all-closed' | 'will-quit', listener: () => void): unknown;
  on(event: 'web-contents-created', listener: (event: unknown, contents: ElectronWebContents) => void): unknown;
}

/** What electron-main.ts injects: Electron's own objects, typed by the subset above. */
export interface ElectronMainApi {
  app: ElectronApp;
  ipcMain: ElectronIpcMain;
  protocol: ElectronProtocol;
  session: { defaultSession: ElectronSession };
  BrowserWindow: new (options: BrowserWindowOptions) => ElectronBrowserWindow;
  /** Opens the help file's links in the user's browser (never anything else). */
  shell?: ElectronShell;
}

export interface ElectronShell {
  openExternal(url: string): Promise<void>;
}

/**
 * The only addresses that leave the app: exact https URLs of the help file
 * (src-main/settings/help.ts `helpLinkAllowlist`), opened in the system browser.
 */
export interface ExternalLinks {
  allowlist: ReadonlySet<string>;
  open: (url: string) => Promise<void> | void;
}

// ----------------------------------------------------------------------------- constants

/** The UI's custom protocol (security checklist 18: no file://). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'renderer';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_START_URL = `${APP_ORIGIN}/index.html`;

export const PRODUCT_NAME = 'Compagnon e-CPS';

/** Privileges of `app://` (registered before `ready`): standard + secure, no CORS bypass. */
export const APP_SCHEME_PRIVILEGES = { standard: true, secure: true, supportFetchAPI: true, corsEnabled: false, bypassCSP: false, stream: false };

export const APP_CONTENT_SECURITY_POLICY = rendererContentSecurityPolicy();

// ----------------------------------------------------------------------------- window

export function secureWindowOptions(options: { preload: string; devTools: boolean }): BrowserWindowOptions {
  return {
    width: 1100,
    height: 760,
    minWidth: 800,
    minHeight: 600,
    show: false,
    title: PRODUCT_NAME,
    backgroundColor: '#ffffff',
    autoHideMenuBar: true,
    webPreferences: {
      preload: options.preload,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: options.devTools,
    },
  };
}

// ----------------------------------------------------------------------------- guards

/**
 * Every webContents (the window's, and any other one that could ever appear): no navigation
 * (the app is one page; routes are client-side), no redirect, no new window, no webview.
 */
export function guardWebContents(contents: ElectronWebContents, log: (line: string) => void = () => undefined, external?: ExternalLinks): void {
  const deny = (what: string) => (event: ElectronEvent) => {
    event.preventDefault();
    log(`electron: ${what} denied`);
  };
  /**
   * A help link (exactly one of the help file's https URLs) goes to the system browser; the
   * app's window itself never navigates nor opens a window (security checklist 14, 15).
   */
  const openOutside = (url: string): boolean => {
    if (!external || !isAllowedHelpLink(external.allowlist, url)) return false;
    log('electron: help link opened in the system browser');
    void Promise.resolve()
      .then(() => external.open(new URL(url).href))
      .catch(() => log('electron: the system browser could not open the help link'));
    return true;
  };
  const denyNavigation = deny('navigation');
  contents.on('will-navigate', (event, url) => {
    if (openOutside(url)) event.preventDefault();
    else denyNavigation(event);
  });
  contents.on('will-redirect', deny('redirect'));
  contents.on('will-attach-webview', deny('webview'));
  contents.setWindowOpenHandler(({ url }) => {
    if (!openOutside(url)) log('electron: new window denied');
    return { action: 'deny' };
  });
}

/** No camera, microphone, notification, geolocation, HID, serial…: nothing is ever granted. */
export function denyAllPermissions(session: ElectronSession): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

// ----------------------------------------------------------------------------- app:// protocol

/**
 * The `app://renderer/…` handler: files of dist/renderer only (shared resolver with the web
 * shell: no traversal, no symlink escape), CSP as a header, GET/HEAD only, other hosts 404.
 */
export function createAppProtocolHandler(rendererDir: string): (request: Request) => Promise<Response> {
  const headers = (extra: Record<string, string>) => ({
    'Content-Security-Policy': APP_CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
    ...extra,
  });
  const notFound = () => new Response('Not found\n', { status: 404, headers: headers({ 'Content-Type': 'text/plain; charset=utf-8' }) });
  return async (request) => {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return notFound();
    }
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return notFound();
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response(null, { status: 405, headers: headers({ Allow: 'GET, HEAD' }) });
    let file: string | undefined;
    try {
      // The WHATWG parser already collapsed `..`: the raw path is checked again by the resolver.
      file = resolveStaticFile(rendererDir, url.pathname);
    } catch {
      file = undefined;
    }
    if (!file) return notFound();
    const body = await readFile(file);
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: headers({ 'Content-Type': mimeTypeOf(file), 'Content-Length': String(body.length) }),
    });
  };
}

// ----------------------------------------------------------------------------- IPC

/**
 * VS Code `validatedIpcMain` idea: a message is accepted only from a TOP frame (no subframe)
 * whose URL is on our own `app://renderer` origin, and (when given) from one of our windows.
 */
export function isTrustedSender(event: ElectronIpcMainInvokeEvent, isOwnWebContents?: (contents: ElectronWebContents) => boolean): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  let url: URL;
  try {
    url = new URL(frame.url);
  } catch {
    return false;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return false;
  return isOwnWebContents ? isOwnWebContents(event.sender) : true;
}

export class ForbiddenSenderError extends Error {
  constructor(channel: string) {
    super(`IPC ${channel}: sender refused`);
    this.name = 'ForbiddenSenderError';
  }
}

/**
 * One `ipcMain.handle` per contract channel, all through the same wrapper: sender check first
 * (a refused sender gets a rejection and the handler never runs), then the transport-agnostic
 * schema check + handler + response check of `src-main/ipc/validated.ts`. Answers are the
 * `IpcResult` envelope (`{ ok, result | error }`) the preload unwraps. Payloads never logged.
 */
export function registerIpcHandlers(options: {
  ipcMain: ElectronIpcMain;
  dispatcher: IpcDispatcher;
  isOwnWebContents?: (contents: ElectronWebContents) => boolean;
  log?: (line: string) => void;
}): () => void {
  const log = options.log ?? (() => undefined);
  for (const channel of REQUEST_CHANNELS) {
    options.ipcMain.handle(channel, async (event, payload): Promise<IpcResult> => {
      if (!isTrustedSender(event, options.isOwnWebContents)) {
        log(`electron: IPC ${channel} refused (sender)`);
        throw new ForbiddenSenderError(channel);
      }
      return options.dispatcher.dispatch(channel, payload);
    });
  }
  return () => {
    for (const channel of REQUEST_CHANNELS) options.ipcMain.removeHandler(channel);
  };
}

/** Pushes the contract's events (validated; anything else is dropped) to the given windows. */
export function forwardEvents(events: IpcEventSource, targets: () => Iterable<ElectronWebContents>): () => void {
  return events.subscribe(<E extends EventChannel>(event: E, payload: EventOf<E>) => {
    if (!EVENT_CHANNELS.includes(event)) return;
    const checked = validateEvent(event, payload);
    if (checked === undefined) return;
    for (const contents of targets()) if (!contents.isDestroyed()) contents.send(event, checked);
  });
}

// ----------------------------------------------------------------------------- the app

export interface ElectronAppOptions {
  electron: ElectronMainApi;
  rendererDir: string;
  preloadPath: string;
  /** Builds the handlers once Electron is ready (opens the reader port…). */
  createServices: () => Promise<{ dispatcher: IpcDispatcher; events: IpcEventSource; dispose: () => Promise<void> }>;
  /** DevTools allowed (unpackaged runs, the test flavour). Default: not packaged. */
  devTools?: boolean;
  log?: (line: string) => void;
  /** Help links allowed out (with `electron.shell`); absent: every link is denied. */
  externalAllowlist?: ReadonlySet<string>;
}

export interface RunningElectronApp {
  window: ElectronBrowserWindow;
}

/**
 * Order matters: scheme privileges, sandbox and the single-instance lock BEFORE `ready`; the
 * guards on `web-contents-created` before any window exists. Resolves undefined when another
 * instance already runs (that one is focused; this one quits).
 */
export async function startElectronApp(options: ElectronAppOptions): Promise<RunningElectronApp | undefined> {
  const { app, ipcMain, protocol, session, BrowserWindow } = options.electron;
  const log = options.log ?? (() => undefined);

  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }]);
  app.enableSandbox();
  if (!app.requestSingleInstanceLock()) {
    log('electron: another instance is running');
    app.quit();
    return undefined;
  }
  const shell = options.electron.shell;
  const external: ExternalLinks | undefined =
    shell && options.externalAllowlist ? { allowlist: options.externalAllowlist, open: (url) => shell.openExternal(url) } : undefined;
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, log, external));

  let window: ElectronBrowserWindow | undefined;
  app.on('second-instance', () => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });

  await app.whenReady();
  denyAllPermissions(session.defaultSession);
  protocol.handle(APP_SCHEME, createAppProtocolHandler(options.rendererDir));

  const services = await options.createServices();
  const created = new BrowserWindow(secureWindowOptions({ preload: options.preloadPath, devTools: options.devTools ?? !app.isPackaged }));
  window = created;
  const ownId = created.webContents.id;
  const unregister = registerIpcHandlers({ ipcMain, dispatcher: services.dispatcher, isOwnWebContents: (c) => c.id === ownId, log });
  const unsubscribe = forwardEvents(services.events, () => (window ? [window.webContents] : []));

  created.once('ready-to-show', () => created.show());
  created.on('closed', () => {
    window = undefined;
  });
  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', () => {
    unsubscribe();
    unregister();
    void services.dispose();
  });
  await created.loadURL(APP_START_URL);
  return { window: created };
}
