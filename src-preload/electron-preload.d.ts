/**
 * Types for the renderer-side `electron` modules the preload uses (see
 * src-main/shell/electron-module.d.ts for why the `electron` package is not installed).
 */
declare module 'electron' {
  import type { ElectronContextBridge, ElectronIpcRenderer } from './bridge';
  export const contextBridge: ElectronContextBridge;
  export const ipcRenderer: ElectronIpcRenderer;
}
