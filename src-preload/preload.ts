/**
 * Electron preload (sandboxed: only `electron`'s renderer modules are available, so the hosted
 * workflow bundles this file with esbuild into dist/electron/preload.cjs, CommonJS, `electron`
 * external). Exposes the contract's bridge as `window.api` and nothing else.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { exposeBridge } from './bridge';

exposeBridge(contextBridge, ipcRenderer);
