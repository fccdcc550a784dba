/**
 * Types for the `electron` module, limited to what electron-main.ts uses (the preload's
 * part is in src-preload/electron-preload.d.ts).
 * The `electron` package is NOT a dependency: its postinstall downloads the binary, which our
 * build machines (and `npm ci` in .ci/run) cannot do. The hosted workflow installs the real
 * package to build and run the app; these declarations mirror the subset of its API in use
 * (structural interfaces in electron-wiring.ts and src-preload/bridge.ts).
 */
declare module 'electron' {
  import type { ElectronMainApi } from './electron-wiring';
  export const app: ElectronMainApi['app'];
  export const BrowserWindow: ElectronMainApi['BrowserWindow'];
  export const ipcMain: ElectronMainApi['ipcMain'];
  export const protocol: ElectronMainApi['protocol'];
  export const session: ElectronMainApi['session'];
  export const shell: NonNullable<ElectronMainApi['shell']>;
}
