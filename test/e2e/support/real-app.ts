/**
 * Playwright fixture for the real path: the pcscd web shell (pcscd-app.ts) with a HOME of its
 * own — real NSS databases built by certutil/modutil, OpenSC registered in Chromium's (and
 * Firefox's, if Firefox is installed here) — and a state folder of its own for the attempt
 * record. One per worker; disposed of at its end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test as base } from '@playwright/test';
import { createBrowserHome, firefoxOnPath, type BrowserHome } from '../../support/nss-home';
import { startPcscApp, type PcscApp } from './pcscd-app';

export interface RealApp extends PcscApp {
  readonly browserHome: BrowserHome;
  readonly stateDir: string;
  /** The web shell's environment for the real path (to restart it with more). */
  readonly env: NodeJS.ProcessEnv;
}

export const test = base.extend<object, { realApp: RealApp }>({
  realApp: [
    async ({}, use) => {
      const browserHome = createBrowserHome({ chromium: 'opensc', firefox: firefoxOnPath() ? 'opensc' : 'none' });
      const stateDir = mkdtempSync(path.join(tmpdir(), 'ecps-real-state-'));
      const env = { HOME: browserHome.home, ECPS_STATE_DIR: stateDir };
      const app = await startPcscApp({ shellEnv: env });
      try {
        await use(Object.assign(app, { browserHome, stateDir, env }));
      } finally {
        await app.dispose();
        browserHome.dispose();
        rmSync(stateDir, { recursive: true, force: true });
      }
    },
    { scope: 'worker', timeout: 90_000 },
  ],
});

export { expect } from '@playwright/test';
