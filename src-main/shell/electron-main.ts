/**
 * Electron main entry (issue 5 §1). The ONLY file that imports 'electron' at run time (lint:
 * electron only under src-main/shell); everything it does is in electron-wiring.ts, which takes
 * Electron's objects by injection and is unit-tested with mocks.
 *
 * Built (not here: the Electron binary cannot be downloaded on our machines) by the hosted
 * workflow .github/workflows/desktop.yml with esbuild into dist/electron/main.mjs (ESM, Node
 * platform, `electron` and `pcsc-mini` external), next to dist/electron/preload.cjs and
 * dist/renderer/. package.json "main" points at dist/electron/main.mjs.
 *
 *   --demo       the built-in virtual reader (as `npm start -- --demo`)
 *   ECPS_LANG=en English driver texts (default French)
 */
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, ipcMain, protocol, session } from 'electron';
import { openReaderPort } from '../reader/open-port';
import { createIpcServices } from '../ipc/handlers';
import { createValidatedDispatcher } from '../ipc/validated';
import { startElectronApp } from './electron-wiring';

// From dist/electron/main.mjs: ../renderer is dist/renderer, ./preload.cjs is the preload bundle.
const rendererDir = fileURLToPath(new URL('../renderer/', import.meta.url));
const preloadPath = fileURLToPath(new URL('./preload.cjs', import.meta.url));
const demo = process.argv.includes('--demo');
const lang = process.env.ECPS_LANG === 'en' ? 'en' : 'fr';
const log = (line: string) => process.stderr.write(`${line}\n`);

startElectronApp({
  electron: { app, BrowserWindow, ipcMain, protocol, session },
  rendererDir,
  preloadPath,
  log,
  async createServices() {
    const opened = await openReaderPort({ mode: demo ? 'demo' : 'auto' });
    const services = createIpcServices({ port: opened.port, demo: opened.demo, shell: 'electron', lang, onInternalError: (where) => log(`internal error: ${where}`) });
    const dispatcher = createValidatedDispatcher(services.handlers, { onInternalError: (channel) => log(`internal error: ${channel}`) });
    return {
      dispatcher,
      events: services.events,
      async dispose() {
        await services.dispose();
        if (opened.port.kind === 'simulator') await opened.port.stop();
      },
    };
  },
}).catch((error: unknown) => {
  log(`Compagnon e-CPS: ${error instanceof Error ? error.message : String(error)}`);
  app.quit();
});
