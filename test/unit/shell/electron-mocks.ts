/**
 * Hand-written Electron mocks (electron/fiddle `tests/mocks/` idea). Electron itself is never
 * imported: the wiring takes these objects by injection.
 */
import { vi, type Mock } from 'vitest';
import type {
  BrowserWindowOptions,
  ElectronBrowserWindow,
  ElectronEvent,
  ElectronIpcMainInvokeEvent,
  ElectronMainApi,
  ElectronWebContents,
  ElectronWebFrameMain,
} from '../../../src-main/shell/electron-wiring';

type Listener = (...args: never[]) => unknown;

export function listeners() {
  const map = new Map<string, Listener[]>();
  return {
    map,
    on: vi.fn((event: string, listener: Listener) => {
      map.set(event, [...(map.get(event) ?? []), listener]);
    }),
    emit(event: string, ...args: unknown[]): void {
      for (const l of map.get(event) ?? []) (l as (...a: unknown[]) => unknown)(...args);
    },
  };
}

export function mockWebContents(id = 1) {
  const l = listeners();
  let openHandler: ((details: { url: string }) => { action: string }) | undefined;
  const contents = {
    id,
    on: l.on,
    send: vi.fn(),
    isDestroyed: vi.fn(() => false),
    setWindowOpenHandler: vi.fn((h: (details: { url: string }) => { action: string }) => {
      openHandler = h;
    }),
  };
  return {
    contents: contents as unknown as ElectronWebContents,
    raw: contents,
    emit: l.emit,
    openWindow: (url: string) => openHandler?.({ url }),
  };
}

export function mockEvent(): ElectronEvent & { preventDefault: Mock<() => void> } {
  return { preventDefault: vi.fn<() => void>() };
}

export function frame(url: string, parent: ElectronWebFrameMain | null = null): ElectronWebFrameMain {
  return { url, parent };
}

export function invokeEvent(sender: ElectronWebContents, senderFrame: ElectronWebFrameMain | null): ElectronIpcMainInvokeEvent {
  return { sender, senderFrame };
}

export function mockElectron(options: { lock?: boolean; isPackaged?: boolean } = {}) {
  const appL = listeners();
  const handlers = new Map<string, (event: ElectronIpcMainInvokeEvent, ...args: unknown[]) => unknown>();
  const windows: Array<{ options: BrowserWindowOptions; window: ElectronBrowserWindow; contents: ReturnType<typeof mockWebContents> }> = [];
  let protocolHandler: ((request: Request) => Response | Promise<Response>) | undefined;
  let permissionRequest: ((wc: unknown, permission: string, cb: (granted: boolean) => void) => void) | null = null;
  let permissionCheck: ((wc: unknown, permission: string) => boolean) | null = null;

  const app = {
    isPackaged: options.isPackaged ?? true,
    enableSandbox: vi.fn(),
    requestSingleInstanceLock: vi.fn(() => options.lock ?? true),
    quit: vi.fn(),
    whenReady: vi.fn(async () => undefined),
    on: appL.on,
  };
  const ipcMain = {
    handle: vi.fn((channel: string, listener: (event: ElectronIpcMainInvokeEvent, ...args: unknown[]) => unknown) => {
      handlers.set(channel, listener);
    }),
    removeHandler: vi.fn((channel: string) => handlers.delete(channel)),
  };
  const protocol = {
    registerSchemesAsPrivileged: vi.fn(),
    handle: vi.fn((_scheme: string, handler: (request: Request) => Response | Promise<Response>) => {
      protocolHandler = handler;
    }),
  };
  const defaultSession = {
    setPermissionRequestHandler: vi.fn((h: typeof permissionRequest) => {
      permissionRequest = h;
    }),
    setPermissionCheckHandler: vi.fn((h: typeof permissionCheck) => {
      permissionCheck = h;
    }),
  };
  const BrowserWindow = vi.fn(function (this: unknown, windowOptions: BrowserWindowOptions) {
    const contents = mockWebContents(100 + windows.length);
    const wl = listeners();
    const window = {
      webContents: contents.contents,
      loadURL: vi.fn(async () => undefined),
      once: wl.on,
      on: wl.on,
      show: vi.fn(),
      focus: vi.fn(),
      restore: vi.fn(),
      isMinimized: vi.fn(() => false),
      emit: wl.emit,
    };
    windows.push({ options: windowOptions, window: window as unknown as ElectronBrowserWindow, contents });
    return window;
  });

  const electron = { app, ipcMain, protocol, session: { defaultSession }, BrowserWindow } as unknown as ElectronMainApi;
  return {
    electron,
    app,
    appEmit: appL.emit,
    ipcMain,
    handlers,
    protocol,
    defaultSession,
    BrowserWindow,
    windows,
    protocolHandler: () => protocolHandler,
    permissionRequest: () => permissionRequest,
    permissionCheck: () => permissionCheck,
  };
}
