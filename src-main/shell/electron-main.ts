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
 *   ECPS_LANG=en English driver texts (default: the saved setting, else French)
 *   ECPS_CONFIG_DIR / ECPS_LOG_DIR  where the settings file / the log files go
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, ipcMain, protocol, session, shell } from 'electron';
import { openReaderPort } from '../reader/open-port';
import { createIpcServices } from '../ipc/handlers';
import { createValidatedDispatcher } from '../ipc/validated';
import { startElectronApp } from './electron-wiring';
import { createLogger, logStartup } from '../logging/logger';
import { defaultSettingsFile } from '../settings/config-dir';
import { SettingsStore } from '../settings/settings-store';
import { helpLinkAllowlist, loadHelpFile } from '../settings/help';

// From dist/electron/main.mjs: ../renderer is dist/renderer, ./preload.cjs is the preload bundle.
const rendererDir = fileURLToPath(new URL('../renderer/', import.meta.url));
const preloadPath = fileURLToPath(new URL('./preload.cjs', import.meta.url));
const demo = process.argv.includes('--demo');
const logger = createLogger();
const log = (line: string) => {
  process.stderr.write(`${line}\n`);
  logger.info('electron', { message: line });
};
const internalError = (where: string, error?: unknown) => {
  process.stderr.write(`internal error: ${where}\n`);
  logger.error('internal-error', error, { where });
};
const settings = new SettingsStore({ file: defaultSettingsFile(), onWarning: (w) => logger.warn('settings-file-unusable', { error: w }) });
// ECPS_LANG wins over the saved language (a technician's or a test's explicit choice).
const lang = process.env.ECPS_LANG === 'en' || process.env.ECPS_LANG === 'fr' ? process.env.ECPS_LANG : settings.get().language;
function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
let externalAllowlist: ReadonlySet<string> = new Set();
try {
  externalAllowlist = helpLinkAllowlist(loadHelpFile());
} catch (error) {
  internalError('help file', error);
}
// A monitor only: logs the crash (uncaught exception or unhandled rejection) without changing what follows.
process.on('uncaughtExceptionMonitor', (error, origin) => internalError(origin, error));

startElectronApp({
  electron: { app, BrowserWindow, ipcMain, protocol, session, shell },
  rendererDir,
  preloadPath,
  log,
  externalAllowlist,
  async createServices() {
    const opened = await openReaderPort({ mode: demo ? 'demo' : 'auto' });
    logStartup(logger, {
      version: version(),
      shell: 'electron',
      demo: opened.demo,
      authority: settings.get().authority,
      language: lang,
      ...(process.versions.electron ? { electron: process.versions.electron } : {}),
      settingsFile: settings.file,
    });
    const services = createIpcServices({
      port: opened.port,
      demo: opened.demo,
      shell: 'electron',
      ...(process.env.ECPS_LANG === 'en' || process.env.ECPS_LANG === 'fr' ? { lang } : {}),
      settings,
      onInternalError: internalError,
      // The official portal opens in the system browser (the handler allows only https esante.gouv.fr).
      realActivation: { openExternal: (url) => shell.openExternal(url) },
    });
    const dispatcher = createValidatedDispatcher(services.handlers, { onInternalError: internalError });
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
  logger.error('startup-failed', error);
  app.quit();
});
